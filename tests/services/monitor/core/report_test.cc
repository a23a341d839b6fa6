#include "services/monitor/core/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace referral::monitor {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Tallies Sample() {
  Tallies tallies;
  tallies.Add(Metric::kReferrals, {"E06000023", "in_hours", "storm", "standard"}, 3);
  tallies.Add(Metric::kReferrals, {"E06000023", "out_of_hours", "storm", "immediate"}, 1);
  tallies.Observe(Metric::kCompleteness, {"E06000023", "in_hours", "storm"}, 0.5);
  tallies.Observe(Metric::kCompleteness, {"E06000023", "in_hours", "storm"}, 1);
  tallies.Add(Metric::kChildren, {"E06000023", "in_hours", "storm"}, 4);
  tallies.Add(Metric::kChildrenSpokenTo, {"E06000023", "in_hours", "storm"}, 3);
  tallies.Add(Metric::kResidentChildren, {"E06000023", "in_hours", "storm"}, 5);
  tallies.Add(Metric::kHouseholdChildrenListed, {"E06000023", "in_hours", "storm"}, 4);
  tallies.Add(Metric::kQualityIssues, {"E06000023", "in_hours", "storm", "la_unresolved"}, 2);
  tallies.Add(Metric::kReferrals, {"unresolved", "in_hours", "niche", "standard"}, 1);
  // Acknowledged after 10 min, 50 min and 2 days: the median is within the hour's bucket.
  for (double seconds : {600.0, 3000.0, 172800.0}) {
    tallies.Observe(Metric::kAcknowledgement, {"E06000023", "in_hours", "frontdoor", "standard"},
                    seconds);
  }
  tallies.Add(Metric::kAcknowledgedWithinOneWorkingDay,
              {"E06000023", "in_hours", "frontdoor", "standard"}, 2);
  return tallies;
}

TEST(ReportTest, RowsPerLaAndSourceSystemWithATotal) {
  const Report report = MakeReport(Sample(), {}, "2026-11-23", "2026-11-29");
  ASSERT_EQ(report.consistency.size(), 3u);
  const ConsistencyRow& bristol = report.consistency[0];
  EXPECT_EQ(bristol.la, "E06000023");
  EXPECT_EQ(bristol.referrals, 4);
  EXPECT_EQ(bristol.out_of_hours, 1);
  EXPECT_EQ(bristol.immediate, 1);
  EXPECT_EQ(bristol.completeness_sum, 1.5);
  EXPECT_EQ(bristol.issues.at("la_unresolved"), 2);
  const ConsistencyRow& total = report.consistency.back();
  EXPECT_EQ(total.la, "all");
  EXPECT_EQ(total.referrals, 5);
  ASSERT_EQ(report.timeliness.size(), 1u);
  EXPECT_EQ(report.timeliness[0].acknowledged, 3);
  EXPECT_EQ(report.timeliness[0].within_one_hour, 2);
  EXPECT_EQ(report.timeliness[0].within_one_working_day, 2);
  EXPECT_EQ(report.timeliness[0].median_seconds, 3600);
}

// The "all" row is the sum of every row in every column, so that inspectors' totals and the
// per-LA rows never disagree.
TEST(ReportTest, TheAllRowAddsUpEveryColumnOfEveryRow) {
  Tallies tallies;
  const LabelValues bristol = {"E06000023", "in_hours", "storm"};
  const LabelValues somerset = {"E06000066", "out_of_hours", "niche"};
  tallies.Add(Metric::kReferrals, {"E06000023", "in_hours", "storm", "immediate"}, 2);
  tallies.Add(Metric::kReferrals, {"E06000066", "out_of_hours", "niche", "standard"}, 3);
  int n = 1;
  for (Metric metric : {Metric::kChildren, Metric::kChildrenSpokenTo, Metric::kChildrenViewsRecorded,
                        Metric::kResidentChildren, Metric::kHouseholdChildrenListed,
                        Metric::kNoPoliceAction}) {
    tallies.Add(metric, bristol, n);
    tallies.Add(metric, somerset, 10 * n);
    ++n;
  }
  tallies.Observe(Metric::kCompleteness, bristol, 0.25);
  tallies.Observe(Metric::kCompleteness, somerset, 0.5);
  tallies.Add(Metric::kQualityIssues, {"E06000023", "in_hours", "storm", "la_unresolved"}, 1);
  tallies.Add(Metric::kQualityIssues, {"E06000066", "out_of_hours", "niche", "la_unresolved"}, 2);
  const Report report = MakeReport(tallies, {}, "a", "b");
  ASSERT_EQ(report.consistency.size(), 3u);
  const ConsistencyRow& all = report.consistency.back();
  EXPECT_EQ(all.la, "all");
  EXPECT_EQ(all.referrals, 5);
  EXPECT_EQ(all.out_of_hours, 3);
  EXPECT_EQ(all.immediate, 2);
  EXPECT_EQ(all.completeness_sum, 0.75);
  EXPECT_EQ(all.children, 11);
  EXPECT_EQ(all.spoken_to, 22);
  EXPECT_EQ(all.views_recorded, 33);
  EXPECT_EQ(all.resident_children, 44);
  EXPECT_EQ(all.household_children, 55);
  EXPECT_EQ(all.no_police_action, 66);
  EXPECT_EQ(all.issues.at("la_unresolved"), 3);
}

// Two acknowledgements: the median is the first one's bucket (10 min), where half of them are.
TEST(ReportTest, TheMedianOfAnEvenCountIsTheBucketWhereHalfAreReached) {
  Tallies tallies;
  for (double seconds : {600.0, 172800.0}) {
    tallies.Observe(Metric::kAcknowledgement, {"E06000023", "in_hours", "edt", "immediate"}, seconds);
  }
  EXPECT_EQ(MakeReport(tallies, {}, "a", "b").timeliness.at(0).median_seconds, 600);
}

TEST(ReportTest, ADayIsSaidAsOneDay) {
  Tallies tallies;
  tallies.Observe(Metric::kAcknowledgement, {"E06000023", "in_hours", "edt", "immediate"}, 86400);
  const std::string markdown = RenderMarkdown(MakeReport(tallies, {}, "a", "b"));
  EXPECT_THAT(markdown, HasSubstr("within 1 day"));
  EXPECT_THAT(markdown, Not(HasSubstr("within 1 days")));
  EXPECT_THAT(markdown, Not(HasSubstr("within 24 h")));
}

TEST(ReportTest, AMedianBeyondTheLastBucketIsSaidSo) {
  Tallies tallies;
  tallies.Observe(Metric::kAcknowledgement, {"E06000023", "in_hours", "edt", "immediate"},
                  8 * 86400);
  const Report report = MakeReport(tallies, {}, "a", "b");
  EXPECT_FALSE(report.timeliness.at(0).median_seconds.has_value());
  EXPECT_THAT(RenderMarkdown(report), HasSubstr("over 7 days"));
}

TEST(ReportTest, MarkdownShowsSharesAndNamesAndNotApplicableForNoChildren) {
  const std::string md = RenderMarkdown(
      MakeReport(Sample(), {}, "2026-11-23", "2026-11-29", {{"E06000023", "Bristol"}}));
  EXPECT_THAT(md, HasSubstr("| Bristol (E06000023) | storm | 4 | 25% | 1 | 38% | 4 | 75% | 0% | 80% | 0% |"));
  EXPECT_THAT(md, HasSubstr("| Unresolved (force triage) | niche | 1 | 0% | 0 | 0% | 0 | n/a | n/a | n/a | 0% |"));
  EXPECT_THAT(md, HasSubstr("| Bristol (E06000023) | frontdoor | 3 | 67% | 67% | within 1 h | 0 |"));
}

TEST(ReportTest, WhatIsNotYetAcknowledgedSitsBesideTheTimes) {
  const std::vector<QueueGauge> gauges = {
      {.la = "E06000023", .queue = "frontdoor/E06000023", .queue_kind = "frontdoor",
       .urgency = "standard", .unacknowledged = 2, .oldest_seconds = 7200},
      {.la = "E06000066", .queue = "edt/somerset", .queue_kind = "edt", .urgency = "immediate",
       .unacknowledged = 1, .oldest_seconds = 60},
      {.la = "E06000066", .queue = "frontdoor/E06000066", .queue_kind = "frontdoor",
       .urgency = "standard"}};  // nothing waiting: no row
  const Report report = MakeReport(Sample(), gauges, "a", "b");
  ASSERT_EQ(report.timeliness.size(), 2u);
  EXPECT_EQ(report.timeliness[0].la, "E06000023");
  EXPECT_EQ(report.timeliness[0].unacknowledged, 2);
  EXPECT_EQ(report.timeliness[1].la, "E06000066");
  EXPECT_EQ(report.timeliness[1].acknowledged, 0);
  EXPECT_EQ(report.timeliness[1].unacknowledged, 1);
  EXPECT_EQ(report.unacknowledged.size(), 2u);
  const std::string md = RenderMarkdown(report);
  EXPECT_THAT(md, HasSubstr("| E06000066 | edt | 0 | n/a | n/a | n/a | 1 |"));
  EXPECT_THAT(md, HasSubstr("## Decisions\n\n| LA | Queue | Outcome | Decisions |\n|---|---|---|---:|\n\nNone in the period.\n"));
}

TEST(ReportTest, CsvHasOneFigurePerLine) {
  const std::string csv = RenderCsv(MakeReport(Sample(), {}, "a", "b"));
  EXPECT_THAT(csv, HasSubstr("section,la,source_system,queue_kind,measure,value\n"));
  EXPECT_THAT(csv, HasSubstr("consistency,E06000023,storm,,referrals,4\n"));
  EXPECT_THAT(csv, HasSubstr("consistency,all,all,,referrals,5\n"));
  EXPECT_THAT(csv, HasSubstr("quality_issue,E06000023,storm,,la_unresolved,2\n"));
  EXPECT_THAT(csv, HasSubstr("timeliness,E06000023,,frontdoor,acknowledged,3\n"));
}

TEST(ReportTest, HtmlEscapesWhatItPrintsAndDrawsAChartPerLa) {
  const std::string html =
      RenderHtml(MakeReport(Sample(), {}, "<b>", "b", {{"E06000023", "Bristol & <Avon>"}}));
  EXPECT_THAT(html, HasSubstr("Bristol &amp; &lt;Avon&gt; (E06000023)"));
  EXPECT_THAT(html, Not(HasSubstr("<Avon>")));
  EXPECT_THAT(html, HasSubstr("&lt;b&gt;"));
  EXPECT_THAT(html, HasSubstr("aria-label=\"shares for E06000023\""));
  EXPECT_THAT(html, HasSubstr("aria-label=\"shares for unresolved\""));
}

}  // namespace
}  // namespace referral::monitor
