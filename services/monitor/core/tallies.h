// The monitor's counts as plain data: every counter and histogram of the monitor's metric table
// (MonitorMetric), by label values. The monitor exports them to Prometheus, commits them to its
// state topic, and `referralctl report` prints them; all three read the same Tallies.
#ifndef REFERRAL_SERVICES_MONITOR_CORE_TALLIES_H_
#define REFERRAL_SERVICES_MONITOR_CORE_TALLIES_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "referral/v1/monitor_state.pb.h"

namespace referral::monitor {

enum class MetricType { kCounter, kHistogram };

// The counters and histograms the monitor counts (services/monitor/README.md has the table).
enum class Metric {
  kReferrals,
  kReferralUpdates,
  kCompleteness,
  kQualityIssues,
  kChildren,
  kChildrenSpokenTo,
  kChildrenViewsRecorded,
  kResidentChildren,
  kHouseholdChildrenListed,
  kNoPoliceAction,
  kUnrecognisedValues,
  kIncidentToReferral,
  kAcknowledgement,
  kAcknowledgedWithinOneWorkingDay,
  kDecisions,
  kStandardised,
  kDeadLetters,
  kUnmatchedAcknowledgements,
  kUndecodableRecords,
};
inline constexpr int kMetricCount = static_cast<int>(Metric::kUndecodableRecords) + 1;

struct MetricSpec {
  Metric metric;
  MetricType type;
  std::string name;                 // "referral_monitor_referrals_total"
  std::vector<std::string> labels;  // in order
  std::vector<double> bounds;       // a histogram's bucket upper bounds, ascending
  std::string help;
};

// The table of every metric, indexed by Metric.
const std::vector<MetricSpec>& MetricSpecs();
const MetricSpec& SpecOf(Metric metric);

// One series' numbers.
struct SeriesValue {
  double value = 0;                    // counter
  std::vector<uint64_t> buckets;       // histogram: per bound, then overflow (not cumulative)
  double sum = 0;                      // histogram
  uint64_t count() const;              // histogram observations
};

using LabelValues = std::vector<std::string>;

class Tallies {
 public:
  Tallies();

  // Adds `by` to a counter. `labels` must match the metric's labels in number (checked).
  void Add(Metric metric, const LabelValues& labels, double by = 1);
  // Records one histogram observation.
  void Observe(Metric metric, const LabelValues& labels, double value);

  // The series of `metric`, ordered by label values.
  const std::map<LabelValues, SeriesValue>& Series(Metric metric) const;
  // A counter's value (0 when absent).
  double Value(Metric metric, const LabelValues& labels) const;
  // The sum of a counter, or of a histogram's observation counts, over the series whose label
  // `label` is `value` (every series when `label` is empty).
  double Total(Metric metric, absl::string_view label = "", absl::string_view value = "") const;

  // Series as the state topic stores them, and back. FromProto refuses (kInvalidArgument) a
  // series of a metric it does not know or with the wrong number of labels or buckets: counts
  // it cannot read are not silently dropped.
  void ToProto(v1::MonitorState& state) const;
  static absl::Status FromProto(const v1::MonitorState& state, Tallies& tallies);

  bool operator==(const Tallies& other) const = default;

 private:
  std::vector<std::map<LabelValues, SeriesValue>> series_;  // indexed by Metric
};

bool operator==(const SeriesValue& a, const SeriesValue& b);

}  // namespace referral::monitor

#endif  // REFERRAL_SERVICES_MONITOR_CORE_TALLIES_H_
