#include "services/common/service/kafka_loop_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/core/status_macros.h"
#include "services/common/kafka/kafka_admin.h"
#include "services/common/kafka/kafka_client_conf.h"
#include "services/common/observe/log.h"

namespace referral {
namespace {

// A real cluster answers DescribeConfigs in milliseconds; one that cannot (librdkafka's mock)
// should not hold the start up for long.
constexpr absl::Duration kLimitsTimeout = absl::Seconds(5);

}  // namespace

KafkaLoopService::KafkaLoopService(const ServiceContext& context, config::v1::Kafka kafka,
                                   KafkaLoopTopics topics, RecordProcessor& processor,
                                   std::shared_ptr<const void> owner, StartCheck start_check)
    : context_(context),
      kafka_(std::move(kafka)),
      topics_(std::move(topics)),
      processor_(processor),
      owner_(std::move(owner)),
      start_check_(std::move(start_check)),
      metrics_(*context.registry) {}

absl::Status KafkaLoopService::Start(const std::atomic<bool>& stop) {
  absl::StatusOr<KafkaSettings> settings =
      ResolveKafkaSettings(kafka_, context_.name, context_.instance,
                           context_.config_path.parent_path(), ProcessEnvironment());
  if (!settings.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(context_.config_path.string(), ": ", settings.status().message()));
  }
  settings_ = *std::move(settings);
  // Every client's configuration now, so that a property librdkafka refuses is reported as the
  // config error it is, before any connection.
  if (absl::Status confs = CheckLoopClientConfs(settings_); !confs.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(context_.config_path.string(), ": ", confs.message()));
  }
  std::vector<TopicSpec> topics;
  for (const auto* group : {&topics_.inputs, &topics_.outputs}) {
    for (const std::string& name : *group) topics.push_back({name, settings_.topic_partitions});
  }
  for (const std::string& name : topics_.routed) {
    topics.push_back({name, settings_.routed_topic_partitions});
  }
  for (const std::string& name : topics_.dead_letters) {
    topics.push_back({name, settings_.topic_partitions,
                      {{"max.message.bytes", absl::StrCat(kDeadLetterTopicMaxMessageBytes)}}});
  }
  REFERRAL_RETURN_IF_ERROR(EnsureTopics(settings_, topics, settings_.startup_timeout, &stop));
  std::vector<std::string> outputs = topics_.outputs;
  outputs.insert(outputs.end(), topics_.routed.begin(), topics_.routed.end());
  outputs.insert(outputs.end(), topics_.dead_letters.begin(), topics_.dead_letters.end());
  absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> limits =
      TopicMessageLimits(settings_, outputs, kLimitsTimeout);
  // Topics created a moment ago: asked again until the cluster knows them all.
  for (const absl::Time deadline = absl::Now() + kLimitsTimeout;
       limits.status().code() == absl::StatusCode::kNotFound && absl::Now() < deadline &&
       !stop.load();) {
    absl::SleepFor(absl::Milliseconds(200));
    limits = TopicMessageLimits(settings_, outputs, kLimitsTimeout);
  }
  if (limits.ok()) {
    REFERRAL_RETURN_IF_ERROR(ApplyTopicLimits(*limits, settings_));
  } else {
    log::Warn("topic_limits_unknown", {{"error", std::string(limits.status().message())}});
  }
  if (start_check_) REFERRAL_RETURN_IF_ERROR(start_check_(settings_));
  REFERRAL_ASSIGN_OR_RETURN(
      loop_, KafkaTransactionalLoop::Create(settings_, topics_.inputs, processor_, metrics_, stop));
  return absl::OkStatus();
}

absl::StatusOr<RunOutcome> KafkaLoopService::Run(const std::atomic<bool>&) {
  REFERRAL_ASSIGN_OR_RETURN(LoopStop stopped, loop_->Run());
  return stopped == LoopStop::kDrained ? RunOutcome::kDrained : RunOutcome::kNotDrained;
}

std::string KafkaLoopService::NotReadyReason() const {
  return loop_ == nullptr ? "starting" : loop_->NotReadyReason();
}

nlohmann::json KafkaLoopService::Describe() const {
  return {{"bootstrap_servers", settings_.bootstrap_servers},
          {"group_id", settings_.group_id},
          {"transactional_id", settings_.transactional_id},
          {"inputs", topics_.inputs},
          {"commit_every_records", settings_.commit_every_records},
          {"commit_interval_ms", absl::ToInt64Milliseconds(settings_.commit_interval)},
          {"commit_idle_ms", absl::ToInt64Milliseconds(settings_.commit_idle)},
          {"stall_limit_ms", absl::ToInt64Milliseconds(settings_.stall_limit)},
          {"startup_timeout_ms", absl::ToInt64Milliseconds(settings_.startup_timeout)},
          {"producer_message_max_bytes", settings_.producer_message_max_bytes}};
}

}  // namespace referral
