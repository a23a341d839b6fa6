#include "services/monitor/service.h"

#include <memory>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/core/status_macros.h"
#include "services/common/kafka/kafka_admin.h"
#include "services/common/kafka/kafka_reader.h"
#include "services/common/observe/log.h"
#include "services/common/service/kafka_loop_service.h"
#include "services/monitor/app.h"
#include "services/monitor/config.h"

namespace referral {
namespace {

// Reading the state topic and the replay window: may be long, unlike reaching the cluster
// (kafka.startup_timeout_ms).
constexpr absl::Duration kReadTimeout = absl::Minutes(5);

// Everything the processor refers to, alive as long as the service.
struct Parts {
  Parts(MonitorSetup loaded, std::unique_ptr<Clock> monitor_clock, std::string group_id)
      : setup(std::move(loaded)),
        clock(std::move(monitor_clock)),
        inputs(MonitorInputs::Of(setup.topics, *setup.labelling)),
        processor(*setup.labelling, inputs, setup.replay_window, setup.state_topic,
                  std::move(group_id), *clock) {}

  MonitorSetup setup;
  std::unique_ptr<Clock> clock;
  MonitorInputs inputs;
  MonitorProcessor processor;
};

// Before the loop runs: the committed counts from the state topic, then the window before them
// replayed so that the monitor remembers what it would had it never stopped.
absl::Status Rebuild(Parts& parts, const KafkaSettings& settings) {
  // The state topic is compacted, so that the last state stays however long the monitor has had
  // nothing to count. Created here when missing (an operator who creates it must compact it);
  // librdkafka's mock cluster makes it on the first look, and serves no CreateTopics.
  absl::StatusOr<std::vector<PartitionId>> state_partitions =
      TopicPartitions(settings, parts.setup.state_topic, settings.startup_timeout);
  if (absl::IsNotFound(state_partitions.status())) {
    if (settings.missing_topics == config::v1::Kafka::REFUSE) {
      return absl::FailedPreconditionError(absl::StrCat(
          "topic ", parts.setup.state_topic,
          " does not exist (kafka.missing_topics: REFUSE): create it with "
          "cleanup.policy=compact"));
    }
    REFERRAL_RETURN_IF_ERROR(EnsureTopics(
        settings,
        {TopicSpec{.name = parts.setup.state_topic,
                   .partitions = 1,
                   .configs = {{"cleanup.policy", "compact"},
                               {"min.compaction.lag.ms", "3600000"}}}},
        settings.startup_timeout));
    // A topic created a moment ago may take a moment to appear in the broker's metadata.
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    do {
      state_partitions = TopicPartitions(settings, parts.setup.state_topic, settings.startup_timeout);
      if (!absl::IsNotFound(state_partitions.status())) break;
      absl::SleepFor(absl::Milliseconds(200));
    } while (absl::Now() < deadline);
  }
  REFERRAL_RETURN_IF_ERROR(state_partitions.status());
  // Every partition: the key always lands in the same one, whichever that is.
  std::vector<ReadRange> state_ranges;
  for (const PartitionId& partition : *state_partitions) state_ranges.push_back({partition});
  const std::string key = settings.group_id;
  std::optional<v1::MonitorState> state;
  absl::Status decoded;
  REFERRAL_RETURN_IF_ERROR(ReadRanges(
      settings, state_ranges, absl::InfinitePast(),
      [&](const StoredRecord& record) {
        if (record.key != key) return;
        v1::MonitorState parsed;
        if (!parsed.ParseFromString(record.value)) {
          decoded = absl::FailedPreconditionError(
              absl::StrCat(parts.setup.state_topic, " offset ", record.offset,
                           ": not a MonitorState"));
          return;
        }
        decoded = absl::OkStatus();
        state = std::move(parsed);
      },
      kReadTimeout));
  REFERRAL_RETURN_IF_ERROR(decoded);
  if (!state) {
    log::Info("monitor_state", {{"restored", false}, {"state_topic", parts.setup.state_topic}});
    parts.processor.FinishReplay();
    return absl::OkStatus();
  }
  REFERRAL_RETURN_IF_ERROR(parts.processor.Restore(*state));

  // The window before the committed positions: routed topics first, so that acknowledgements
  // find their copies; only records whose counts the restored state already holds.
  const absl::Time since = parts.clock->Now() - parts.setup.replay_window;
  size_t replayed = 0;
  for (const std::string& topic : parts.inputs.All()) {
    std::vector<ReadRange> ranges;
    for (const auto& [partition, next] : parts.processor.positions()) {
      if (partition.topic == topic) ranges.push_back({partition, next});
    }
    REFERRAL_RETURN_IF_ERROR(ReadRanges(
        settings, ranges, since,
        [&](const StoredRecord& record) {
          parts.processor.Replay(record.View());
          ++replayed;
        },
        kReadTimeout));
  }
  parts.processor.FinishReplay();
  log::Info("monitor_state", {{"restored", true},
                              {"series", state->series_size()},
                              {"replayed_records", static_cast<int64_t>(replayed)},
                              {"remembered_copies",
                               static_cast<int64_t>(parts.processor.remembered_copies())},
                              {"replay_window_hours",
                               absl::ToInt64Hours(parts.setup.replay_window)}});
  return absl::OkStatus();
}

}  // namespace

void AddMonitorFlags(CLI::App& app, MonitorFlags& flags) {
  app.add_option("--clock-start", flags.clock_start,
                 "count as if the clock read this RFC 3339 time at start-up (drills and tests)");
}

absl::StatusOr<LoadedService> MakeMonitorService(const ServiceContext& context,
                                                 const MonitorFlags& flags) {
  REFERRAL_ASSIGN_OR_RETURN(std::unique_ptr<Clock> clock, ClockFromFlag(flags.clock_start));
  REFERRAL_ASSIGN_OR_RETURN(MonitorSetup setup, LoadMonitorSetup(context.config_path));
  config::v1::Kafka kafka = setup.config.kafka();
  if (kafka.group_id().empty()) kafka.set_group_id("referral-monitor");
  // One transactional id whatever the pod is called: a second monitor fences the first rather
  // than both committing counts under the same key.
  if (kafka.transactional_id().empty()) kafka.set_transactional_id(kafka.group_id());
  auto parts = std::make_shared<Parts>(std::move(setup), std::move(clock), kafka.group_id());
  LoadedService loaded;
  loaded.http_listen = parts->setup.config.http().listen();
  loaded.collectables.push_back(
      std::make_shared<MonitorExporter>(parts->processor, *parts->clock, parts));
  Parts& parts_ref = *parts;
  loaded.service = std::make_unique<KafkaLoopService>(
      context, kafka, KafkaLoopTopics{.inputs = parts->inputs.All()}, parts->processor, parts,
      [&parts_ref](const KafkaSettings& settings) { return Rebuild(parts_ref, settings); });
  return loaded;
}

}  // namespace referral
