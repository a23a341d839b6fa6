#include "services/referralctl/report_command.h"

#include <fstream>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "services/common/kafka/kafka_reader.h"
#include "services/common/kafka/kafka_settings.h"
#include "services/monitor/app.h"
#include "services/monitor/config.h"
#include "services/monitor/core/report.h"
#include "services/referralctl/client_settings.h"

namespace referral::ctl {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

bool ParseDay(const std::string& text, absl::CivilDay& day) {
  return text.size() == 10 && absl::ParseCivilTime(text, &day);
}

}  // namespace

int Report(const ReportOptions& options, std::ostream& out, std::ostream& err) {
  absl::CivilDay from;
  absl::CivilDay to;
  if (!ParseDay(options.from, from)) {
    err << "--from: \"" << options.from << "\" is not a date (YYYY-MM-DD)\n";
    return kExitUsage;
  }
  if (!ParseDay(options.to, to)) {
    err << "--to: \"" << options.to << "\" is not a date (YYYY-MM-DD)\n";
    return kExitUsage;
  }
  if (to < from) {
    err << "--to: " << options.to << " is before --from " << options.from << "\n";
    return kExitUsage;
  }
  if (options.format != "md" && options.format != "csv" && options.format != "html") {
    err << "--format: \"" << options.format << "\" is not md, csv or html\n";
    return kExitUsage;
  }
  absl::StatusOr<KafkaSettings> client = ClientSettings(options.bootstrap, options.kafka_config);
  if (!client.ok()) {
    err << client.status().message() << "\n";
    return kExitUsage;
  }
  absl::StatusOr<MonitorSetup> setup = LoadMonitorSetup(options.config);
  if (!setup.ok()) {
    err << setup.status().message() << "\n";
    return kExitFailure;
  }
  const monitor::Period period{.from = absl::FromCivil(from, setup->time_zone),
                               .to = absl::FromCivil(to + 1, setup->time_zone)};
  monitor::Monitor counts(*setup->labelling, setup->replay_window, period);
  const MonitorInputs inputs = MonitorInputs::Of(setup->topics, *setup->labelling);
  const KafkaSettings& settings = *client;
  const absl::Duration timeout = absl::Seconds(options.timeout);
  // Every retained record, to the end of what is committed: a referral first routed before the
  // period is known as such, and the acknowledgements of referrals in the period count however
  // late they came. (Not from a moment by offsetsForTimes: librdkafka's mock cluster, under
  // `make run`, answers every such lookup with "no record", which would count nothing.)
  const absl::Time since = absl::InfinitePast();
  for (const std::string& topic : inputs.All()) {
    absl::StatusOr<std::vector<PartitionId>> partitions = TopicPartitions(settings, topic, timeout);
    if (absl::IsNotFound(partitions.status())) {
      err << "report: topic " << topic << " does not exist; nothing counted from it\n";
      continue;
    }
    if (!partitions.ok()) {
      err << partitions.status().message() << "\n";
      return kExitFailure;
    }
    std::vector<ReadRange> ranges;
    for (const PartitionId& partition : *partitions) ranges.push_back({partition});
    absl::Status read = ReadRanges(
        settings, ranges, since,
        [&](const StoredRecord& record) {
          ApplyRecord(counts, inputs, record.View(), monitor::Mode::kCount);
        },
        timeout);
    if (!read.ok()) {
      err << "report: reading " << topic << ": " << read.message() << "\n";
      return kExitFailure;
    }
  }
  std::map<std::string, std::string> names;
  for (const config::v1::LocalAuthority& la : setup->directory->config().local_authorities()) {
    names[la.gss_code()] = la.name();
  }
  const monitor::Report report =
      monitor::MakeReport(counts.tallies(), counts.Gauges(absl::Now()), options.from,
                          options.to, std::move(names));
  const std::string text = options.format == "csv"    ? monitor::RenderCsv(report)
                           : options.format == "html" ? monitor::RenderHtml(report)
                                                      : monitor::RenderMarkdown(report);
  if (options.output.empty()) {
    out << text;
    return 0;
  }
  std::ofstream file(options.output, std::ios::binary | std::ios::trunc);
  file << text;
  if (!file.good()) {
    err << "--output: cannot write " << options.output << "\n";
    return kExitFailure;
  }
  return 0;
}

}  // namespace referral::ctl
