#include "services/monitor/app.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "referral/v1/feedback.pb.h"
#include "referral/v1/referral.pb.h"
#include "services/common/core/time_util.h"
#include "services/common/messaging/dead_letter.h"
#include "services/common/messaging/decode_record.h"

namespace referral {
namespace {

using monitor::Metric;
using monitor::MetricSpec;
using monitor::MetricType;
using monitor::Mode;

absl::Time RecordTime(const InRecord& in) {
  return in.timestamp_ms > 0 ? absl::FromUnixMillis(in.timestamp_ms) : absl::UnixEpoch();
}

std::vector<prometheus::ClientMetric::Label> Labels(const MetricSpec& spec,
                                                    const monitor::LabelValues& values) {
  std::vector<prometheus::ClientMetric::Label> labels;
  for (size_t i = 0; i < spec.labels.size(); ++i) labels.push_back({spec.labels[i], values[i]});
  return labels;
}

// Every series of a metric whose labels are all closed sets, so that each is exported at zero
// before anything is counted: increase() and rate() only see what a series gained after its
// first sample, and a first referral, acknowledgement or dead letter must not be lost to them.
// Metrics with an open label (a field path, a topic) are exported as counted, but for the topics
// the monitor reads.
std::vector<monitor::LabelValues> ZeroSeries(const MetricSpec& spec,
                                             const monitor::Labelling& labelling,
                                             const MonitorInputs& inputs) {
  if (spec.metric == Metric::kUndecodableRecords) {
    std::vector<monitor::LabelValues> series;
    for (const std::string& topic : inputs.All()) series.push_back({topic});
    return series;
  }
  std::vector<monitor::LabelValues> series = {{}};
  for (const std::string& label : spec.labels) {
    const std::vector<std::string> values = labelling.LabelValues(label);
    if (values.empty()) return {};
    std::vector<monitor::LabelValues> longer;
    longer.reserve(series.size() * values.size());
    for (const monitor::LabelValues& prefix : series) {
      for (const std::string& value : values) {
        monitor::LabelValues next = prefix;
        next.push_back(value);
        longer.push_back(std::move(next));
      }
    }
    series = std::move(longer);
  }
  return series;
}

prometheus::MetricFamily GaugeFamily(std::string name, std::string help) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = prometheus::MetricType::Gauge;
  return family;
}

}  // namespace

MonitorInputs MonitorInputs::Of(const config::v1::Topics& topics,
                                const monitor::Labelling& labelling) {
  return {.standardised = topics.standardised(),
          .feedback = topics.feedback(),
          .routed = labelling.RoutedTopics(),
          .dead_letters = {topics.dead_letters(), topics.routing_dead_letters()}};
}

std::vector<std::string> MonitorInputs::All() const {
  std::vector<std::string> all = routed;
  all.push_back(standardised);
  all.insert(all.end(), dead_letters.begin(), dead_letters.end());
  all.push_back(feedback);
  return all;
}

void ApplyRecord(monitor::Monitor& monitor, const MonitorInputs& inputs, const InRecord& in,
                 Mode mode) {
  if (std::find(inputs.dead_letters.begin(), inputs.dead_letters.end(), in.topic) !=
      inputs.dead_letters.end()) {
    const std::string* reason = in.FindHeader(kDlqReason);
    monitor.DeadLettered(reason != nullptr ? *reason : "", RecordTime(in), mode);
    return;
  }
  if (in.topic == inputs.feedback) {
    v1::FeedbackEvent event;
    if (DecodeRecord(in, event)) {
      monitor.Undecodable(in.topic, mode);
      return;
    }
    monitor.Feedback(event, mode);
    return;
  }
  v1::Referral referral;
  if (DecodeRecord(in, referral)) {
    monitor.Undecodable(in.topic, mode);
    return;
  }
  if (in.topic == inputs.standardised) {
    monitor.Standardised(referral, RecordTime(in), mode);
  } else {
    monitor.Routed(in.topic, in.partition, in.offset, referral, mode);
  }
}

MonitorProcessor::MonitorProcessor(const monitor::Labelling& labelling, MonitorInputs inputs,
                                   absl::Duration window, std::string state_topic,
                                   std::string state_key, const Clock& clock)
    : labelling_(labelling),
      inputs_(std::move(inputs)),
      state_topic_(std::move(state_topic)),
      state_key_(std::move(state_key)),
      clock_(clock),
      working_(labelling, window),
      committed_(labelling, window) {}

absl::Status MonitorProcessor::Restore(const v1::MonitorState& state) {
  if (state.format() != 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("monitor state format ", state.format(), " is not 1"));
  }
  if (absl::Status loaded = monitor::Tallies::FromProto(state, working_.mutable_tallies());
      !loaded.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("monitor state unreadable: ", loaded.message()));
  }
  working_positions_.clear();
  for (const v1::MonitorPosition& position : state.positions()) {
    working_positions_[PartitionId{position.topic(), position.partition()}] =
        position.next_offset();
  }
  return absl::OkStatus();
}

void MonitorProcessor::Replay(const InRecord& in) { ApplyRecord(working_, inputs_, in, Mode::kReplay); }

void MonitorProcessor::FinishReplay() {
  working_.Expire(clock_.Now());
  std::lock_guard<std::mutex> lock(mu_);
  committed_ = working_;
  committed_positions_ = working_positions_;
}

const absl::flat_hash_map<PartitionId, int64_t>& MonitorProcessor::positions() const {
  return working_positions_;
}

void MonitorProcessor::Process(const InRecord& in, std::vector<OutRecord>&) {
  ApplyRecord(working_, inputs_, in, Mode::kCount);
  int64_t& next = working_positions_[PartitionId{std::string(in.topic), in.partition}];
  next = std::max(next, in.offset + 1);
}

OutRecord MonitorProcessor::DeadLetter(const InRecord& in, absl::string_view reason,
                                       absl::string_view detail) {
  OutRecord out;
  out.topic = state_topic_;
  out.key = absl::StrCat(state_key_, ".dead-letter");
  out.value = absl::StrCat(reason, ": ", detail);
  out.headers = {{std::string(kDlqReason), std::string(reason)},
                 {std::string(kDlqSourceTopic), std::string(in.topic)},
                 {std::string(kDlqSourcePartition), absl::StrCat(in.partition)},
                 {std::string(kDlqSourceOffset), absl::StrCat(in.offset)}};
  return out;
}

void MonitorProcessor::BeforeCommit(std::vector<OutRecord>& out) {
  const absl::Time now = clock_.Now();
  working_.Expire(now);
  v1::MonitorState state;
  state.set_format(1);
  working_.tallies().ToProto(state);
  std::vector<std::pair<PartitionId, int64_t>> positions(working_positions_.begin(),
                                                         working_positions_.end());
  std::sort(positions.begin(), positions.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first.topic, a.first.partition) < std::tie(b.first.topic, b.first.partition);
  });
  for (const auto& [partition, next] : positions) {
    v1::MonitorPosition& position = *state.add_positions();
    position.set_topic(partition.topic);
    position.set_partition(partition.partition);
    position.set_next_offset(next);
  }
  *state.mutable_written_at() = ToProtoTimestamp(now);
  OutRecord record;
  record.topic = state_topic_;
  record.key = state_key_;
  record.value = state.SerializeAsString();
  record.headers = {{"content-type", "application/x-protobuf"}};
  out.push_back(std::move(record));
}

void MonitorProcessor::Committed() {
  std::lock_guard<std::mutex> lock(mu_);
  committed_ = working_;
  committed_positions_ = working_positions_;
}

void MonitorProcessor::Aborted() {
  std::lock_guard<std::mutex> lock(mu_);
  working_ = committed_;
  working_positions_ = committed_positions_;
}

size_t MonitorProcessor::remembered_copies() const {
  std::lock_guard<std::mutex> lock(mu_);
  return committed_.remembered_copies();
}

std::vector<prometheus::MetricFamily> MonitorProcessor::Collect(absl::Time now) const {
  std::vector<prometheus::MetricFamily> families;
  std::vector<monitor::QueueGauge> gauges;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const monitor::Tallies& tallies = committed_.tallies();
    for (const MetricSpec& spec : monitor::MetricSpecs()) {
      prometheus::MetricFamily family;
      // prometheus-cpp's serializer adds no suffix: the family is named as the series are.
      family.name = spec.name;
      family.help = spec.help;
      std::map<monitor::LabelValues, monitor::SeriesValue> series = tallies.Series(spec.metric);
      for (monitor::LabelValues& zero : ZeroSeries(spec, labelling_, inputs_)) {
        series.try_emplace(std::move(zero));
      }
      if (spec.type == MetricType::kCounter) {
        family.type = prometheus::MetricType::Counter;
        for (const auto& [labels, value] : series) {
          prometheus::ClientMetric metric;
          metric.label = Labels(spec, labels);
          metric.counter.value = value.value;
          family.metric.push_back(std::move(metric));
        }
      } else {
        family.type = prometheus::MetricType::Histogram;
        for (const auto& [labels, value] : series) {
          prometheus::ClientMetric metric;
          metric.label = Labels(spec, labels);
          uint64_t cumulative = 0;
          for (size_t i = 0; i < spec.bounds.size(); ++i) {
            cumulative += i < value.buckets.size() ? value.buckets[i] : 0;
            metric.histogram.bucket.push_back({cumulative, spec.bounds[i]});
          }
          metric.histogram.sample_count = value.count();
          metric.histogram.bucket.push_back(
              {metric.histogram.sample_count, std::numeric_limits<double>::infinity()});
          metric.histogram.sample_sum = value.sum;
          family.metric.push_back(std::move(metric));
        }
      }
      families.push_back(std::move(family));
    }
    gauges = committed_.Gauges(now);
  }
  prometheus::MetricFamily unacknowledged =
      GaugeFamily("referral_monitor_unacknowledged_referrals",
                  "Routed copies of referrals not yet acknowledged, within the replay window.");
  prometheus::MetricFamily oldest =
      GaugeFamily("referral_monitor_oldest_unacknowledged_seconds",
                  "Age of the oldest unacknowledged routed copy (0 when none).");
  prometheus::MetricFamily overdue =
      GaugeFamily("referral_monitor_overdue_unacknowledged_referrals",
                  "Unacknowledged routed copies past their decision_due_by.");
  std::map<std::vector<std::string>, double> overdue_by_queue;  // la, queue, queue_kind
  for (const monitor::QueueGauge& gauge : gauges) {
    const std::vector<prometheus::ClientMetric::Label> labels = {
        {"la", gauge.la},
        {"queue", gauge.queue},
        {"queue_kind", gauge.queue_kind},
        {"urgency", gauge.urgency}};
    prometheus::ClientMetric count;
    count.label = labels;
    count.gauge.value = static_cast<double>(gauge.unacknowledged);
    unacknowledged.metric.push_back(count);
    prometheus::ClientMetric age;
    age.label = labels;
    age.gauge.value = gauge.oldest_seconds;
    oldest.metric.push_back(std::move(age));
    overdue_by_queue[{gauge.la, gauge.queue, gauge.queue_kind}] +=
        static_cast<double>(gauge.overdue);
  }
  for (const auto& [labels, value] : overdue_by_queue) {
    prometheus::ClientMetric metric;
    metric.label = {{"la", labels[0]}, {"queue", labels[1]}, {"queue_kind", labels[2]}};
    metric.gauge.value = value;
    overdue.metric.push_back(std::move(metric));
  }
  families.push_back(std::move(unacknowledged));
  families.push_back(std::move(oldest));
  families.push_back(std::move(overdue));
  return families;
}

}  // namespace referral
