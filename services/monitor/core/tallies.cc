#include "services/monitor/core/tallies.h"

#include <algorithm>
#include <cstdlib>
#include <numeric>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace referral::monitor {
namespace {

const std::vector<std::string> kReferralLabels = {"la", "window", "source_system"};

std::vector<std::string> With(std::vector<std::string> labels, std::string more) {
  labels.push_back(std::move(more));
  return labels;
}

std::vector<MetricSpec> MakeSpecs() {
  using enum Metric;
  const MetricType counter = MetricType::kCounter;
  const MetricType histogram = MetricType::kHistogram;
  std::vector<MetricSpec> specs = {
      {kReferrals, counter, "referral_monitor_referrals_total", With(kReferralLabels, "urgency"),
       {}, "Referrals routed, each counted once at the first revision seen."},
      {kReferralUpdates, counter, "referral_monitor_referral_updates_total", kReferralLabels, {},
       "Later revisions of referrals already counted."},
      {kCompleteness, histogram, "referral_monitor_referral_completeness_ratio", kReferralLabels,
       {0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1},
       "Completeness of each referral as made (quality.completeness, 0 to 1)."},
      {kQualityIssues, counter, "referral_monitor_quality_issues_total",
       With(kReferralLabels, "issue"), {}, "Referrals with each quality issue."},
      {kChildren, counter, "referral_monitor_children_total", kReferralLabels, {},
       "Children listed on referrals."},
      {kChildrenSpokenTo, counter, "referral_monitor_children_spoken_to_total", kReferralLabels,
       {}, "Children listed on referrals who were spoken to."},
      {kChildrenViewsRecorded, counter, "referral_monitor_children_views_recorded_total",
       kReferralLabels, {}, "Children listed on referrals whose views are recorded."},
      {kResidentChildren, counter, "referral_monitor_resident_children_total", kReferralLabels,
       {}, "Children the referred households are said to have (resident_children_count, where "
           "recorded)."},
      {kHouseholdChildrenListed, counter, "referral_monitor_household_children_listed_total",
       kReferralLabels, {},
       "Children listed on referrals whose household's resident children are recorded (to "
       "compare with referral_monitor_resident_children_total)."},
      {kNoPoliceAction, counter, "referral_monitor_no_police_action_total", kReferralLabels, {},
       "Referrals with no police safeguarding action recorded."},
      {kUnrecognisedValues, counter, "referral_monitor_unrecognised_values_total",
       {"la", "source_system", "field"}, {},
       "Values kept on referrals but not recognised, by field (indexes removed)."},
      {kIncidentToReferral, histogram, "referral_monitor_incident_to_referral_seconds",
       kReferralLabels,
       {1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400, 259200, 604800},
       "Time from the incident being reported to the referral being routed."},
      {kAcknowledgement, histogram, "referral_monitor_acknowledgement_seconds",
       {"la", "window", "queue_kind", "urgency"},
       {60, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 57600, 86400, 172800, 259200, 604800},
       "Time from routing to the first acknowledgement of each routed copy."},
      {kAcknowledgedWithinOneWorkingDay, counter,
       "referral_monitor_acknowledged_within_one_working_day_total",
       {"la", "window", "queue_kind", "urgency"}, {},
       "Acknowledgements at or before the referral's decision_due_by (one working day on the "
       "LA's calendar)."},
      {kDecisions, counter, "referral_monitor_decisions_total", {"la", "queue_kind", "outcome"},
       {}, "Decisions recorded by local authorities, by outcome."},
      {kStandardised, counter, "referral_monitor_standardised_total", {"source_system"}, {},
       "Referral revisions out of the standardiser, each counted once."},
      {kDeadLetters, counter, "referral_monitor_dead_letters_total", {"reason"}, {},
       "Records on the dead-letter topics, by reason."},
      {kUnmatchedAcknowledgements, counter, "referral_monitor_unmatched_acknowledgements_total",
       {"queue_kind"}, {},
       "Acknowledgements of a routed copy the monitor does not remember (older than its replay "
       "window)."},
      {kUndecodableRecords, counter, "referral_monitor_undecodable_records_total", {"topic"}, {},
       "Records the monitor could not read."},
  };
  return specs;
}

}  // namespace

const std::vector<MetricSpec>& MetricSpecs() {
  static const std::vector<MetricSpec>* const specs = new std::vector<MetricSpec>(MakeSpecs());
  return *specs;
}

const MetricSpec& SpecOf(Metric metric) { return MetricSpecs()[static_cast<int>(metric)]; }

uint64_t SeriesValue::count() const {
  return std::accumulate(buckets.begin(), buckets.end(), uint64_t{0});
}

bool operator==(const SeriesValue& a, const SeriesValue& b) {
  return a.value == b.value && a.buckets == b.buckets && a.sum == b.sum;
}

Tallies::Tallies() : series_(kMetricCount) {}

void Tallies::Add(Metric metric, const LabelValues& labels, double by) {
  const MetricSpec& spec = SpecOf(metric);
  if (spec.type != MetricType::kCounter || labels.size() != spec.labels.size()) std::abort();
  series_[static_cast<int>(metric)][labels].value += by;
}

void Tallies::Observe(Metric metric, const LabelValues& labels, double value) {
  const MetricSpec& spec = SpecOf(metric);
  if (spec.type != MetricType::kHistogram || labels.size() != spec.labels.size()) std::abort();
  SeriesValue& series = series_[static_cast<int>(metric)][labels];
  if (series.buckets.empty()) series.buckets.assign(spec.bounds.size() + 1, 0);
  // Prometheus buckets are upper-inclusive: a value equal to a bound falls in that bound's bucket.
  const size_t bucket = static_cast<size_t>(
      std::lower_bound(spec.bounds.begin(), spec.bounds.end(), value) - spec.bounds.begin());
  ++series.buckets[bucket];
  series.sum += value;
}

const std::map<LabelValues, SeriesValue>& Tallies::Series(Metric metric) const {
  return series_[static_cast<int>(metric)];
}

double Tallies::Value(Metric metric, const LabelValues& labels) const {
  const auto& series = Series(metric);
  const auto it = series.find(labels);
  return it == series.end() ? 0 : it->second.value;
}

double Tallies::Total(Metric metric, absl::string_view label, absl::string_view value) const {
  const MetricSpec& spec = SpecOf(metric);
  int index = -1;
  if (!label.empty()) {
    const auto it = std::find(spec.labels.begin(), spec.labels.end(), label);
    if (it == spec.labels.end()) return 0;
    index = static_cast<int>(it - spec.labels.begin());
  }
  double total = 0;
  for (const auto& [labels, series] : Series(metric)) {
    if (index >= 0 && labels[static_cast<size_t>(index)] != value) continue;
    total += spec.type == MetricType::kCounter ? series.value : static_cast<double>(series.count());
  }
  return total;
}

void Tallies::ToProto(v1::MonitorState& state) const {
  for (const MetricSpec& spec : MetricSpecs()) {
    for (const auto& [labels, value] : Series(spec.metric)) {
      v1::MonitorSeries& out = *state.add_series();
      out.set_name(spec.name);
      for (const std::string& label : labels) out.add_label_values(label);
      if (spec.type == MetricType::kCounter) {
        out.set_value(value.value);
      } else {
        for (uint64_t bucket : value.buckets) out.add_bucket_counts(bucket);
        out.set_sum(value.sum);
      }
    }
  }
}

absl::Status Tallies::FromProto(const v1::MonitorState& state, Tallies& tallies) {
  absl::flat_hash_map<std::string, const MetricSpec*> by_name;
  for (const MetricSpec& spec : MetricSpecs()) by_name[spec.name] = &spec;
  Tallies loaded;
  for (int i = 0; i < state.series_size(); ++i) {
    const v1::MonitorSeries& in = state.series(i);
    const auto spec = by_name.find(in.name());
    if (spec == by_name.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("series[", i, "].name: unknown metric \"", in.name(), "\""));
    }
    if (static_cast<size_t>(in.label_values_size()) != spec->second->labels.size()) {
      return absl::InvalidArgumentError(absl::StrCat("series[", i, "].label_values: ", in.name(),
                                                     " has ", spec->second->labels.size(),
                                                     " labels, not ", in.label_values_size()));
    }
    SeriesValue& value = loaded.series_[static_cast<int>(spec->second->metric)][LabelValues(
        in.label_values().begin(), in.label_values().end())];
    if (spec->second->type == MetricType::kCounter) {
      value.value = in.value();
      continue;
    }
    if (static_cast<size_t>(in.bucket_counts_size()) != spec->second->bounds.size() + 1) {
      return absl::InvalidArgumentError(absl::StrCat("series[", i, "].bucket_counts: ",
                                                     in.name(), " has ",
                                                     spec->second->bounds.size() + 1,
                                                     " buckets, not ", in.bucket_counts_size()));
    }
    value.buckets.assign(in.bucket_counts().begin(), in.bucket_counts().end());
    value.sum = in.sum();
  }
  tallies = std::move(loaded);
  return absl::OkStatus();
}

}  // namespace referral::monitor
