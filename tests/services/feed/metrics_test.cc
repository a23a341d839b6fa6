// The feed's counters at zero from the start (increase() ignores a series' first sample), and
// the decision outcome labels.
#include "services/feed/metrics.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/testing/metrics.h"

namespace referral {
namespace {

// The series of counter family `name`, each checked to be at zero, by their labels.
std::set<std::string> ZeroSeries(prometheus::Registry& registry, const std::string& name) {
  const auto series = testing::CounterSeries(registry, name);
  for (const auto& [labels, value] : series) EXPECT_EQ(value, 0) << name << " " << labels;
  return testing::Labels(series);
}

TEST(FeedMetricsTest, EveryQueueMethodAndOutcomeIsExportedAtZero) {
  prometheus::Registry registry;
  FeedMetrics metrics(registry);
  EXPECT_TRUE(ZeroSeries(registry, "referral_feed_acknowledgements_total").empty());
  metrics.ExportAtZero({"edt/avon", "frontdoor/E06000023"});
  EXPECT_EQ(ZeroSeries(registry, "referral_feed_deliveries_total"),
            (std::set<std::string>{"kind=first,queue=edt/avon", "kind=redelivery,queue=edt/avon",
                                   "kind=first,queue=frontdoor/E06000023",
                                   "kind=redelivery,queue=frontdoor/E06000023"}));
  EXPECT_EQ(ZeroSeries(registry, "referral_feed_acknowledgements_total"),
            (std::set<std::string>{"queue=edt/avon", "queue=frontdoor/E06000023"}));
  EXPECT_EQ(ZeroSeries(registry, "referral_feed_duplicates_skipped_total").size(), 2u);
  EXPECT_EQ(ZeroSeries(registry, "referral_feed_refusals_total").size(), 9u);  // 3 methods × 3
  EXPECT_EQ(ZeroSeries(registry, "referral_feed_decisions_total"),
            (std::set<std::string>{"outcome=no_further_action", "outcome=early_help",
                                   "outcome=s17_assessment", "outcome=s47_enquiry",
                                   "outcome=returned_for_more_information",
                                   "outcome=information_and_advice", "outcome=already_open"}));
}

TEST(FeedMetricsTest, DecisionOutcomeLabels) {
  EXPECT_EQ(DecisionOutcomeLabel(v1::DECISION_OUTCOME_S47_ENQUIRY), "s47_enquiry");
  EXPECT_EQ(DecisionOutcomeLabel(v1::DECISION_OUTCOME_NO_FURTHER_ACTION), "no_further_action");
}

}  // namespace
}  // namespace referral
