#include "services/monitor/app.h"

#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "services/common/core/time_util.h"
#include "services/monitor/config.h"
#include "tests/testing/service_doubles.h"
#include "tests/testing/test_setup.h"

namespace referral {
namespace {

using testing::FixedClock;

const MonitorSetup& DefaultSetup() {
  static const MonitorSetup* setup =
      new MonitorSetup(*LoadMonitorSetup(testing::DefaultConfigPath("monitor")));
  return *setup;
}

const absl::Time kNow = absl::FromUnixSeconds(1764590400);

std::string RoutedValue(absl::string_view id) {
  v1::Referral referral;
  referral.set_referral_id(std::string(id));
  referral.set_revision(1);
  referral.set_la_code("E06000023");
  referral.mutable_incident()->set_source_system("storm");
  referral.set_urgency(v1::Referral::IMMEDIATE);
  referral.mutable_routing()->set_window(v1::RoutingDecision::OUT_OF_HOURS);
  *referral.mutable_routing()->mutable_decided_at() = ToProtoTimestamp(kNow - absl::Minutes(45));
  *referral.mutable_routing()->mutable_decision_due_by() = ToProtoTimestamp(kNow + absl::Hours(9));
  referral.mutable_quality()->set_completeness(0.9);
  return referral.SerializeAsString();
}

InRecord Record(absl::string_view topic, int64_t offset, const std::string& value,
                const std::string& content_type = "application/x-protobuf") {
  InRecord in;
  in.topic = topic;
  in.partition = 0;
  in.offset = offset;
  in.value = value;
  in.headers = {{"content-type", content_type}};
  return in;
}

const prometheus::MetricFamily* Family(const std::vector<prometheus::MetricFamily>& families,
                                       absl::string_view name) {
  for (const prometheus::MetricFamily& family : families) {
    if (family.name == name) return &family;
  }
  return nullptr;
}

double CounterSum(const std::vector<prometheus::MetricFamily>& families, absl::string_view name) {
  const prometheus::MetricFamily* family = Family(families, name);
  double sum = 0;
  if (family != nullptr) {
    for (const prometheus::ClientMetric& metric : family->metric) sum += metric.counter.value;
  }
  return sum;
}

class MonitorProcessorTest : public ::testing::Test {
 protected:
  MonitorProcessorTest()
      : clock_(kNow),
        processor_(*DefaultSetup().labelling, MonitorInputs::Of(DefaultSetup().topics, *DefaultSetup().labelling),
                   absl::Hours(336), "referrals.monitor.state.v1", "referral-monitor", clock_) {
    processor_.FinishReplay();
  }

  void Process(const InRecord& in) {
    std::vector<OutRecord> out;
    processor_.Process(in, out);
    EXPECT_TRUE(out.empty());
  }

  FixedClock clock_;
  MonitorProcessor processor_;
};

TEST_F(MonitorProcessorTest, ExportsOnlyWhatCommitted) {
  const std::string value = RoutedValue("R1");
  Process(Record("referrals.edt.avon.v1", 0, value));
  EXPECT_EQ(CounterSum(processor_.Collect(kNow), "referral_monitor_referrals_total"), 0);
  processor_.Committed();
  EXPECT_EQ(CounterSum(processor_.Collect(kNow), "referral_monitor_referrals_total"), 1);
}

TEST_F(MonitorProcessorTest, AnAbortForgetsWhatTheTransactionCountedAndRemembered) {
  const std::string value = RoutedValue("R1");
  Process(Record("referrals.edt.avon.v1", 0, value));
  processor_.Aborted();
  // The same record again after the rewind counts, once.
  Process(Record("referrals.edt.avon.v1", 0, value));
  processor_.Committed();
  EXPECT_EQ(CounterSum(processor_.Collect(kNow), "referral_monitor_referrals_total"), 1);
}

TEST_F(MonitorProcessorTest, TheStateRecordRestoresTheCountsAndPositions) {
  const std::string value = RoutedValue("R1");
  Process(Record("referrals.edt.avon.v1", 6, value));
  Process(Record("incidents.dlq.v1", 2, "x", "application/json"));
  std::vector<OutRecord> out;
  processor_.BeforeCommit(out);
  processor_.Committed();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "referrals.monitor.state.v1");
  EXPECT_EQ(out[0].key, "referral-monitor");
  v1::MonitorState state;
  ASSERT_TRUE(state.ParseFromString(out[0].value));
  ASSERT_EQ(state.positions_size(), 2);
  EXPECT_EQ(state.positions(0).topic(), "incidents.dlq.v1");
  EXPECT_EQ(state.positions(0).next_offset(), 3);
  EXPECT_EQ(state.positions(1).topic(), "referrals.edt.avon.v1");
  EXPECT_EQ(state.positions(1).next_offset(), 7);

  MonitorProcessor restarted(*DefaultSetup().labelling,
                             MonitorInputs::Of(DefaultSetup().topics, *DefaultSetup().labelling),
                             absl::Hours(336), "referrals.monitor.state.v1", "referral-monitor",
                             clock_);
  ASSERT_TRUE(restarted.Restore(state).ok());
  EXPECT_EQ(restarted.positions().size(), 2u);
  // The window before the positions is replayed: remembered, not counted again.
  restarted.Replay(Record("referrals.edt.avon.v1", 6, value));
  restarted.FinishReplay();
  const std::vector<prometheus::MetricFamily> families = restarted.Collect(kNow);
  EXPECT_EQ(CounterSum(families, "referral_monitor_referrals_total"), 1);
  EXPECT_EQ(CounterSum(families, "referral_monitor_dead_letters_total"), 1);
  EXPECT_EQ(restarted.remembered_copies(), 1u);

  v1::MonitorState wrong = state;
  wrong.set_format(2);
  EXPECT_EQ(restarted.Restore(wrong).code(), absl::StatusCode::kFailedPrecondition);
}

// increase() only counts what a series gains after its first sample: every series of the closed
// label sets is there at zero before its first count.
TEST_F(MonitorProcessorTest, ExportsEveryClosedSeriesAtZeroBeforeItCounts) {
  const std::vector<prometheus::MetricFamily> families = processor_.Collect(kNow);
  auto has = [&](absl::string_view name, std::vector<std::string> values) {
    const prometheus::MetricFamily* family = Family(families, name);
    if (family == nullptr) return false;
    for (const prometheus::ClientMetric& metric : family->metric) {
      std::vector<std::string> got;
      for (const auto& label : metric.label) got.push_back(label.value);
      if (got == values) return metric.counter.value == 0 && metric.histogram.sample_count == 0;
    }
    return false;
  };
  // 6 LAs (5 and "unresolved") x 2 windows x 4 source systems (3 and "other") x 2 urgencies.
  EXPECT_EQ(Family(families, "referral_monitor_referrals_total")->metric.size(), 96u);
  EXPECT_TRUE(has("referral_monitor_referrals_total", {"E06000066", "in_hours", "other", "standard"}));
  EXPECT_TRUE(has("referral_monitor_quality_issues_total",
                  {"unresolved", "out_of_hours", "niche", "risk_not_assessed"}));
  EXPECT_TRUE(has("referral_monitor_acknowledgement_seconds", {"E06000023", "out_of_hours", "edt", "immediate"}));
  EXPECT_TRUE(has("referral_monitor_decisions_total", {"E06000025", "frontdoor", "s47_enquiry"}));
  EXPECT_TRUE(has("referral_monitor_dead_letters_total", {"too_large"}));
  EXPECT_FALSE(has("referral_monitor_referrals_total", {"E06000066", "in_hours", "other", "unspecified"}));
  EXPECT_FALSE(has("referral_monitor_quality_issues_total",
                   {"unresolved", "out_of_hours", "niche", "unspecified"}));
  // An open label (a field path) has no zero series.
  EXPECT_TRUE(Family(families, "referral_monitor_unrecognised_values_total")->metric.empty());
}

TEST_F(MonitorProcessorTest, UnreadableRecordsAreCountedByTopic) {
  const std::string truncated("\x0a\xff", 2);  // field 1, 255 bytes long, which are not there
  Process(Record("referrals.feedback.v1", 0, truncated));
  Process(Record("referrals.edt.avon.v1", 0, "{", "application/json"));
  processor_.Committed();
  const std::vector<prometheus::MetricFamily> families = processor_.Collect(kNow);
  const prometheus::MetricFamily* family =
      Family(families, "referral_monitor_undecodable_records_total");
  ASSERT_NE(family, nullptr);
  double feedback = -1;
  for (const prometheus::ClientMetric& metric : family->metric) {
    if (metric.label.at(0).value == "referrals.feedback.v1") feedback = metric.counter.value;
  }
  EXPECT_EQ(feedback, 1);
  EXPECT_EQ(CounterSum(families, "referral_monitor_undecodable_records_total"), 2);
}

TEST_F(MonitorProcessorTest, ExportsHistogramsCumulativelyAndGaugesAtScrapeTime) {
  Process(Record("referrals.edt.avon.v1", 0, RoutedValue("R1")));
  processor_.Committed();
  const std::vector<prometheus::MetricFamily> families = processor_.Collect(kNow);
  const prometheus::MetricFamily* completeness =
      Family(families, "referral_monitor_referral_completeness_ratio");
  ASSERT_NE(completeness, nullptr);
  const prometheus::ClientMetric* counted = nullptr;
  for (const prometheus::ClientMetric& metric : completeness->metric) {
    if (metric.label[0].value == "E06000023" && metric.label[1].value == "out_of_hours" &&
        metric.label[2].value == "storm") {
      counted = &metric;
    } else {
      EXPECT_EQ(metric.histogram.sample_count, 0u);  // the others are there, at zero
    }
  }
  ASSERT_NE(counted, nullptr);
  const auto& buckets = counted->histogram.bucket;
  ASSERT_EQ(buckets.size(), 9u);  // 8 bounds and +Inf
  EXPECT_EQ(buckets[3].cumulative_count, 0u);  // le 0.8
  EXPECT_EQ(buckets[4].cumulative_count, 1u);  // le 0.9
  EXPECT_EQ(buckets[8].cumulative_count, 1u);  // +Inf
  EXPECT_TRUE(std::isinf(buckets[8].upper_bound));

  const prometheus::MetricFamily* oldest =
      Family(families, "referral_monitor_oldest_unacknowledged_seconds");
  ASSERT_NE(oldest, nullptr);
  double edt_immediate = -1;
  for (const prometheus::ClientMetric& metric : oldest->metric) {
    if (metric.label[0].value == "E06000023" && metric.label[1].value == "edt/avon" &&
        metric.label[3].value == "immediate") {
      edt_immediate = metric.gauge.value;
    }
  }
  EXPECT_EQ(edt_immediate, 45 * 60);
  EXPECT_EQ(processor_.Collect(kNow + absl::Minutes(1))[0].name,
            "referral_monitor_referrals_total");
}

}  // namespace
}  // namespace referral
