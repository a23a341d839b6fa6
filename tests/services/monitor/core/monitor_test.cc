#include "services/monitor/core/monitor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "services/common/core/time_util.h"
#include "services/monitor/config.h"
#include "tests/testing/test_setup.h"

namespace referral::monitor {
namespace {

using ::testing::ElementsAre;

constexpr absl::string_view kBristol = "E06000023";
constexpr absl::string_view kFrontDoor = "referrals.frontdoor.E06000023.v1";
constexpr absl::string_view kEdt = "referrals.edt.avon.v1";
constexpr absl::string_view kTriage = "referrals.triage.v1";

const MonitorSetup& DefaultSetup() {
  static const MonitorSetup* setup =
      new MonitorSetup(*LoadMonitorSetup(testing::DefaultConfigPath("monitor")));
  return *setup;
}

const absl::Time kRoutedAt = absl::FromUnixSeconds(1764590400);  // 2025-12-01T12:00:00Z

v1::Referral Copy(absl::string_view id = "R1", uint64_t revision = 1) {
  v1::Referral referral;
  referral.set_referral_id(std::string(id));
  referral.set_revision(revision);
  referral.set_la_code(std::string(kBristol));
  referral.mutable_incident()->set_source_system("storm");
  referral.set_urgency(v1::Referral::IMMEDIATE);
  *referral.mutable_reported_at() = ToProtoTimestamp(kRoutedAt - absl::Seconds(40));
  referral.mutable_routing()->set_window(v1::RoutingDecision::OUT_OF_HOURS);
  *referral.mutable_routing()->mutable_decided_at() = ToProtoTimestamp(kRoutedAt);
  *referral.mutable_routing()->mutable_decision_due_by() =
      ToProtoTimestamp(kRoutedAt + absl::Hours(20));
  referral.mutable_quality()->set_completeness(0.8);
  return referral;
}

v1::FeedbackEvent Ack(absl::string_view queue, absl::string_view topic, int64_t offset,
                      absl::Time at, absl::string_view id = "R1", uint64_t revision = 1) {
  v1::FeedbackEvent event;
  v1::Acknowledgement& ack = *event.mutable_acknowledgement();
  ack.set_referral_id(std::string(id));
  ack.set_revision(revision);
  ack.set_queue(std::string(queue));
  ack.mutable_position()->set_topic(std::string(topic));
  ack.mutable_position()->set_partition(0);
  ack.mutable_position()->set_offset(offset);
  *ack.mutable_acknowledged_at() = ToProtoTimestamp(at);
  return event;
}

class MonitorTest : public ::testing::Test {
 protected:
  Monitor monitor_{*DefaultSetup().labelling, absl::Hours(336)};
  const Tallies& tallies() { return monitor_.tallies(); }
};

TEST_F(MonitorTest, CountsAReferralOnceAcrossItsCopiesAndResubmissions) {
  monitor_.Routed(kEdt, 0, 10, Copy(), Mode::kCount);
  monitor_.Routed(kFrontDoor, 0, 4, Copy(), Mode::kCount);  // the handover copy
  monitor_.Routed(kEdt, 0, 11, Copy(), Mode::kCount);       // routed again after a resubmission
  EXPECT_EQ(tallies().Value(Metric::kReferrals, {"E06000023", "out_of_hours", "storm", "immediate"}), 1);
  EXPECT_EQ(tallies().Total(Metric::kReferralUpdates), 0);
  monitor_.Routed(kEdt, 0, 12, Copy("R1", 2), Mode::kCount);
  EXPECT_EQ(tallies().Total(Metric::kReferrals), 1);
  EXPECT_EQ(tallies().Value(Metric::kReferralUpdates, {"E06000023", "out_of_hours", "storm"}), 1);
  monitor_.Routed(kEdt, 0, 13, Copy("R2", 1), Mode::kCount);
  EXPECT_EQ(tallies().Total(Metric::kReferrals), 2);
}

TEST_F(MonitorTest, LabelsComeOnlyFromClosedSets) {
  v1::Referral unknown = Copy("R9");
  unknown.set_la_code("E99999999");
  unknown.mutable_incident()->set_source_system("Jane Smith's laptop");
  unknown.set_urgency(v1::Referral::URGENCY_UNSPECIFIED);
  unknown.mutable_routing()->set_window(v1::RoutingDecision::IN_HOURS);
  monitor_.Routed(kTriage, 0, 0, unknown, Mode::kCount);
  EXPECT_EQ(tallies().Value(Metric::kReferrals, {"unresolved", "in_hours", "other", "unspecified"}), 1);
  v1::Referral standard = Copy("R10");
  standard.set_urgency(v1::Referral::STANDARD);
  standard.mutable_incident()->set_source_system("niche");
  monitor_.Routed(kFrontDoor, 0, 1, standard, Mode::kCount);
  EXPECT_EQ(tallies().Value(Metric::kReferrals, {"E06000023", "out_of_hours", "niche", "standard"}), 1);
}

TEST_F(MonitorTest, CountsTheChildrenAndWhatWasRecordedOfThem) {
  v1::Referral referral = Copy();
  v1::Person& spoken = *referral.add_children();
  spoken.mutable_voice()->set_spoken_to(true);
  spoken.mutable_voice()->set_views("I want to stay with my nan");
  v1::Person& spoken_no_views = *referral.add_children();
  spoken_no_views.mutable_voice()->set_spoken_to(true);
  referral.add_children();  // not spoken to
  referral.mutable_household()->set_resident_children_count(4);
  referral.mutable_quality()->add_issues(v1::QUALITY_ISSUE_OTHER_CHILDREN_NOT_IDENTIFIED);
  referral.mutable_quality()->add_issues(v1::QUALITY_ISSUE_OTHER_CHILDREN_NOT_IDENTIFIED);
  referral.mutable_quality()->add_issues(v1::QUALITY_ISSUE_NO_POLICE_ACTION_RECORDED);
  monitor_.Routed(kEdt, 0, 0, referral, Mode::kCount);
  const LabelValues labels = {"E06000023", "out_of_hours", "storm"};
  EXPECT_EQ(tallies().Value(Metric::kChildren, labels), 3);
  EXPECT_EQ(tallies().Value(Metric::kChildrenSpokenTo, labels), 2);
  EXPECT_EQ(tallies().Value(Metric::kChildrenViewsRecorded, labels), 1);
  EXPECT_EQ(tallies().Value(Metric::kResidentChildren, labels), 4);
  EXPECT_EQ(tallies().Value(Metric::kHouseholdChildrenListed, labels), 3);
  EXPECT_EQ(tallies().Value(Metric::kQualityIssues,
                            {"E06000023", "out_of_hours", "storm", "other_children_not_identified"}),
            1);  // listed twice, one referral
  EXPECT_EQ(tallies().Value(Metric::kQualityIssues,
                            {"E06000023", "out_of_hours", "storm", "no_police_action_recorded"}),
            1);
}

// Siblings identified = children listed / resident children, both only where the household's
// children are recorded: otherwise a referral without the count adds to one side only.
TEST_F(MonitorTest, HouseholdsWithoutARecordedCountAreLeftOutOfSiblingsIdentified) {
  v1::Referral unrecorded = Copy("R1");
  unrecorded.add_children();
  unrecorded.add_children();
  v1::Referral none = Copy("R2");
  none.add_children();
  none.mutable_household()->set_resident_children_count(0);  // recorded: none live there
  monitor_.Routed(kEdt, 0, 0, unrecorded, Mode::kCount);
  monitor_.Routed(kEdt, 0, 1, none, Mode::kCount);
  const LabelValues labels = {"E06000023", "out_of_hours", "storm"};
  EXPECT_EQ(tallies().Value(Metric::kChildren, labels), 3);
  EXPECT_EQ(tallies().Value(Metric::kHouseholdChildrenListed, labels), 1);
  EXPECT_EQ(tallies().Value(Metric::kResidentChildren, labels), 0);
}

TEST_F(MonitorTest, NoPoliceActionIsCountedOnlyWhenNoneIsRecorded) {
  monitor_.Routed(kEdt, 0, 0, Copy("R1"), Mode::kCount);
  v1::Referral acted = Copy("R2");
  acted.add_police_actions();
  monitor_.Routed(kEdt, 0, 1, acted, Mode::kCount);
  EXPECT_EQ(tallies().Value(Metric::kNoPoliceAction, {"E06000023", "out_of_hours", "storm"}), 1);
}

TEST_F(MonitorTest, HistogramBoundsAreUpperInclusive) {
  v1::Referral at_bound = Copy("R1");
  at_bound.mutable_quality()->set_completeness(0.99);
  v1::Referral complete = Copy("R2");
  complete.mutable_quality()->set_completeness(1.0);
  monitor_.Routed(kEdt, 0, 0, at_bound, Mode::kCount);
  monitor_.Routed(kEdt, 0, 1, complete, Mode::kCount);
  const SeriesValue& series =
      tallies().Series(Metric::kCompleteness).at({"E06000023", "out_of_hours", "storm"});
  // Bounds 0.5 0.6 0.7 0.8 0.9 0.95 0.99 1, then the overflow.
  EXPECT_THAT(series.buckets, ElementsAre(0, 0, 0, 0, 0, 0, 1, 1, 0));
  EXPECT_DOUBLE_EQ(series.sum, 1.99);
  // Reported 40 s before routing: in the 60 s bucket, not the 30 s one.
  const SeriesValue& latency =
      tallies().Series(Metric::kIncidentToReferral).at({"E06000023", "out_of_hours", "storm"});
  EXPECT_EQ(latency.buckets[3], 0u);
  EXPECT_EQ(latency.buckets[4], 2u);
}

TEST_F(MonitorTest, AcknowledgementWithinOneWorkingDayIncludesTheDueMoment) {
  v1::Referral on_time = Copy("R1");
  v1::Referral late = Copy("R2");
  monitor_.Routed(kEdt, 0, 0, on_time, Mode::kCount);
  monitor_.Routed(kEdt, 0, 1, late, Mode::kCount);
  const absl::Time due = kRoutedAt + absl::Hours(20);
  monitor_.Feedback(Ack("edt/avon", kEdt, 0, due, "R1"), Mode::kCount);
  monitor_.Feedback(Ack("edt/avon", kEdt, 1, due + absl::Seconds(1), "R2"), Mode::kCount);
  const LabelValues labels = {"E06000023", "out_of_hours", "edt", "immediate"};
  EXPECT_EQ(tallies().Value(Metric::kAcknowledgedWithinOneWorkingDay, labels), 1);
  EXPECT_EQ(tallies().Series(Metric::kAcknowledgement).at(labels).count(), 2u);
}

TEST_F(MonitorTest, TheFirstAcknowledgementOfACopyCountsAndLaterOnesDoNot) {
  monitor_.Routed(kEdt, 0, 0, Copy(), Mode::kCount);
  monitor_.Feedback(Ack("edt/avon", kEdt, 0, kRoutedAt + absl::Minutes(20)), Mode::kCount);
  monitor_.Feedback(Ack("edt/avon", kEdt, 0, kRoutedAt + absl::Hours(30)), Mode::kCount);
  const SeriesValue& series = tallies().Series(Metric::kAcknowledgement)
                                  .at({"E06000023", "out_of_hours", "edt", "immediate"});
  EXPECT_EQ(series.count(), 1u);
  EXPECT_DOUBLE_EQ(series.sum, 1200);
}

TEST_F(MonitorTest, AnAcknowledgementReadBeforeItsCopyCountsWhenTheCopyArrives) {
  monitor_.Feedback(Ack("edt/avon", kEdt, 5, kRoutedAt + absl::Minutes(10)), Mode::kCount);
  EXPECT_EQ(tallies().Total(Metric::kAcknowledgement), 0);
  EXPECT_EQ(tallies().Total(Metric::kUnmatchedAcknowledgements), 0);
  monitor_.Routed(kEdt, 0, 5, Copy(), Mode::kCount);
  EXPECT_EQ(tallies().Total(Metric::kAcknowledgement), 1);
  const std::vector<QueueGauge> gauges = monitor_.Gauges(kRoutedAt + absl::Hours(1));
  for (const QueueGauge& gauge : gauges) EXPECT_EQ(gauge.unacknowledged, 0) << gauge.queue;
}

TEST_F(MonitorTest, AnAcknowledgementOfACopyBeforeTheWindowIsUnmatched) {
  monitor_.Routed(kEdt, 0, 9, Copy("R2"), Mode::kCount);  // the monitor has passed offset 3
  monitor_.Feedback(Ack("edt/avon", kEdt, 3, kRoutedAt), Mode::kCount);
  EXPECT_EQ(tallies().Value(Metric::kUnmatchedAcknowledgements, {"edt"}), 1);
  EXPECT_EQ(tallies().Total(Metric::kAcknowledgement), 0);
}

// The monitor has read the routed topic up to offset 4: an acknowledgement of offset 5 is of a
// copy still to come, one of offset 4 or below of a copy already passed.
TEST_F(MonitorTest, AnAcknowledgementOfTheNextOffsetWaitsForItsCopyAndOfAPassedOneIsUnmatched) {
  monitor_.Routed(kEdt, 0, 4, Copy("R2"), Mode::kCount);
  monitor_.Feedback(Ack("edt/avon", kEdt, 5, kRoutedAt + absl::Minutes(10), "R1"), Mode::kCount);
  EXPECT_EQ(tallies().Total(Metric::kUnmatchedAcknowledgements), 0);
  monitor_.Routed(kEdt, 0, 5, Copy("R1"), Mode::kCount);
  EXPECT_EQ(tallies().Total(Metric::kAcknowledgement), 1);
  monitor_.Feedback(Ack("edt/avon", kEdt, 5, kRoutedAt, "R9"), Mode::kCount);
  EXPECT_EQ(tallies().Value(Metric::kUnmatchedAcknowledgements, {"edt"}), 1);
}

TEST_F(MonitorTest, ReplayRemembersWithoutCounting) {
  monitor_.Routed(kEdt, 0, 0, Copy(), Mode::kReplay);
  monitor_.Standardised(Copy(), kRoutedAt, Mode::kReplay);
  monitor_.DeadLettered("invalid", kRoutedAt, Mode::kReplay);
  EXPECT_EQ(tallies().Total(Metric::kReferrals), 0);
  EXPECT_EQ(tallies().Total(Metric::kStandardised), 0);
  EXPECT_EQ(tallies().Total(Metric::kDeadLetters), 0);
  // What was replayed is remembered: the same copy again is not a new referral, and its
  // acknowledgement, read live, is timed from the replayed routing.
  monitor_.Routed(kFrontDoor, 0, 0, Copy(), Mode::kCount);
  monitor_.Standardised(Copy(), kRoutedAt, Mode::kCount);
  EXPECT_EQ(tallies().Total(Metric::kReferrals), 0);
  EXPECT_EQ(tallies().Total(Metric::kStandardised), 0);
  monitor_.Feedback(Ack("edt/avon", kEdt, 0, kRoutedAt + absl::Minutes(5)), Mode::kCount);
  EXPECT_EQ(tallies().Total(Metric::kAcknowledgement), 1);
}

TEST_F(MonitorTest, GaugesShowWhatWaitsAndWhatIsPastItsDueTime) {
  monitor_.Routed(kEdt, 0, 0, Copy("R1"), Mode::kCount);
  v1::Referral later = Copy("R2");
  *later.mutable_routing()->mutable_decided_at() = ToProtoTimestamp(kRoutedAt + absl::Minutes(10));
  *later.mutable_routing()->mutable_decision_due_by() =
      ToProtoTimestamp(kRoutedAt + absl::Hours(21));
  monitor_.Routed(kEdt, 0, 1, later, Mode::kCount);
  const absl::Time due = kRoutedAt + absl::Hours(20);
  auto edt_immediate = [&](absl::Time now) {
    for (const QueueGauge& gauge : monitor_.Gauges(now)) {
      if (gauge.queue == "edt/avon" && gauge.la == kBristol && gauge.urgency == "immediate") {
        return gauge;
      }
    }
    return QueueGauge{};
  };
  QueueGauge gauge = edt_immediate(kRoutedAt + absl::Minutes(31));
  EXPECT_EQ(gauge.unacknowledged, 2);
  EXPECT_DOUBLE_EQ(gauge.oldest_seconds, 31 * 60);
  EXPECT_EQ(gauge.overdue, 0);
  EXPECT_EQ(edt_immediate(due).overdue, 0);  // due at that moment, not past it
  EXPECT_EQ(edt_immediate(due + absl::Seconds(1)).overdue, 1);
  EXPECT_EQ(edt_immediate(due + absl::Hours(1) + absl::Seconds(1)).overdue, 2);
  // Every queue of the directory has its rows, at zero when nothing waits.
  int somerset_rows = 0;
  for (const QueueGauge& row : monitor_.Gauges(kRoutedAt)) {
    if (row.queue == "edt/somerset") {
      ++somerset_rows;
      EXPECT_EQ(row.la, "E06000066");
      EXPECT_EQ(row.unacknowledged, 0);
      EXPECT_EQ(row.oldest_seconds, 0);
    }
  }
  EXPECT_EQ(somerset_rows, 2);  // immediate and standard
}

TEST_F(MonitorTest, ForgetsWhatWasRoutedBeforeTheWindow) {
  monitor_.Routed(kEdt, 0, 0, Copy(), Mode::kCount);
  monitor_.Expire(kRoutedAt + absl::Hours(336));  // exactly the window: still remembered
  EXPECT_EQ(monitor_.remembered_copies(), 1u);
  monitor_.Expire(kRoutedAt + absl::Hours(336) + absl::Seconds(1));
  EXPECT_EQ(monitor_.remembered_copies(), 0u);
  monitor_.Routed(kEdt, 0, 1, Copy(), Mode::kCount);  // beyond the window it counts as new
  EXPECT_EQ(tallies().Total(Metric::kReferrals), 2);
}

// What the monitor remembers to recognise a second sight of something lasts exactly the window:
// at its edge the referral, the standardised record and an acknowledgement waiting for its copy
// are still remembered; a second later they are gone.
TEST_F(MonitorTest, AReferralRoutedExactlyAWindowAgoIsStillNotNew) {
  monitor_.Routed(kEdt, 0, 0, Copy(), Mode::kCount);
  monitor_.Expire(kRoutedAt + absl::Hours(336));
  monitor_.Routed(kFrontDoor, 0, 0, Copy(), Mode::kCount);  // its handover copy, read late
  EXPECT_EQ(tallies().Total(Metric::kReferrals), 1);
}

TEST_F(MonitorTest, AStandardisedReferralIsRememberedForExactlyTheWindow) {
  monitor_.Standardised(Copy(), kRoutedAt, Mode::kCount);
  monitor_.Expire(kRoutedAt + absl::Hours(336));
  monitor_.Standardised(Copy(), kRoutedAt, Mode::kCount);
  EXPECT_EQ(tallies().Total(Metric::kStandardised), 1);
  monitor_.Expire(kRoutedAt + absl::Hours(336) + absl::Seconds(1));
  monitor_.Standardised(Copy(), kRoutedAt, Mode::kCount);
  EXPECT_EQ(tallies().Total(Metric::kStandardised), 2);
}

TEST_F(MonitorTest, AnAcknowledgementWaitingForItsCopyIsKeptForExactlyTheWindow) {
  monitor_.Feedback(Ack("edt/avon", kEdt, 5, kRoutedAt, "R1"), Mode::kCount);
  monitor_.Expire(kRoutedAt + absl::Hours(336));
  monitor_.Routed(kEdt, 0, 5, Copy("R1"), Mode::kCount);
  EXPECT_EQ(tallies().Total(Metric::kAcknowledgement), 1);
  monitor_.Feedback(Ack("edt/avon", kEdt, 6, kRoutedAt, "R2"), Mode::kCount);
  monitor_.Expire(kRoutedAt + absl::Hours(336) + absl::Seconds(1));
  monitor_.Routed(kEdt, 0, 6, Copy("R2"), Mode::kCount);
  EXPECT_EQ(tallies().Total(Metric::kAcknowledgement), 1);
}

TEST_F(MonitorTest, DecisionsCountByOutcomeUnderTheCopysLa) {
  monitor_.Routed(kEdt, 0, 0, Copy(), Mode::kCount);
  v1::FeedbackEvent event;
  v1::Decision& decision = *event.mutable_decision();
  decision.set_referral_id("R1");
  decision.set_revision(1);
  decision.set_queue("edt/avon");
  decision.set_outcome(v1::DECISION_OUTCOME_S47_ENQUIRY);
  monitor_.Feedback(event, Mode::kCount);
  EXPECT_EQ(tallies().Value(Metric::kDecisions, {"E06000023", "edt", "s47_enquiry"}), 1);
  decision.set_referral_id("R-unknown");
  decision.set_queue("frontdoor/E06000025");
  decision.set_outcome(v1::DECISION_OUTCOME_EARLY_HELP);
  monitor_.Feedback(event, Mode::kCount);
  EXPECT_EQ(tallies().Value(Metric::kDecisions, {"E06000025", "frontdoor", "early_help"}), 1);
}

TEST_F(MonitorTest, AReportPeriodCountsReferralsRoutedInItAndTheirAcknowledgements) {
  Monitor report(*DefaultSetup().labelling, absl::Hours(336),
                 Period{.from = kRoutedAt, .to = kRoutedAt + absl::Hours(1)});
  v1::Referral before = Copy("R0");
  *before.mutable_routing()->mutable_decided_at() = ToProtoTimestamp(kRoutedAt - absl::Seconds(1));
  v1::Referral at_end = Copy("R2");
  *at_end.mutable_routing()->mutable_decided_at() = ToProtoTimestamp(kRoutedAt + absl::Hours(1));
  report.Routed(kEdt, 0, 0, before, Mode::kCount);
  report.Routed(kEdt, 0, 1, Copy("R1"), Mode::kCount);  // at the start: in
  report.Routed(kEdt, 0, 2, at_end, Mode::kCount);       // at the end: out
  EXPECT_EQ(report.tallies().Total(Metric::kReferrals), 1);
  report.Feedback(Ack("edt/avon", kEdt, 0, kRoutedAt + absl::Minutes(5), "R0"), Mode::kCount);
  report.Feedback(Ack("edt/avon", kEdt, 1, kRoutedAt + absl::Minutes(5), "R1"), Mode::kCount);
  EXPECT_EQ(report.tallies().Total(Metric::kAcknowledgement), 1);
}

// Everything else a report counts keeps to the period too: decisions on a copy routed before it
// (or, for a copy the monitor never saw, decided outside it), what is still unacknowledged, and
// standardised referrals and dead letters by their own times, [from, to).
TEST_F(MonitorTest, AReportPeriodKeepsDecisionsGaugesStandardisedAndDeadLettersToItself) {
  const absl::Time from = kRoutedAt;
  const absl::Time to = kRoutedAt + absl::Hours(1);
  Monitor report(*DefaultSetup().labelling, absl::Hours(336), Period{.from = from, .to = to});
  v1::Referral before = Copy("R0");
  *before.mutable_routing()->mutable_decided_at() = ToProtoTimestamp(from - absl::Seconds(1));
  report.Routed(kEdt, 0, 0, before, Mode::kCount);
  report.Routed(kEdt, 0, 1, Copy("R1"), Mode::kCount);
  auto decide = [&](absl::string_view id, absl::Time at) {
    v1::FeedbackEvent event;
    v1::Decision& decision = *event.mutable_decision();
    decision.set_referral_id(std::string(id));
    decision.set_revision(1);
    decision.set_queue("edt/avon");
    decision.set_outcome(v1::DECISION_OUTCOME_S47_ENQUIRY);
    *decision.mutable_decided_at() = ToProtoTimestamp(at);
    report.Feedback(event, Mode::kCount);
  };
  decide("R0", from + absl::Minutes(5));  // its copy was routed before the period
  EXPECT_EQ(report.tallies().Total(Metric::kDecisions), 0);
  decide("R-unseen", to);  // no copy seen; decided at the period's end: out
  EXPECT_EQ(report.tallies().Total(Metric::kDecisions), 0);
  decide("R-unseen-2", from);  // decided at its start: in
  EXPECT_EQ(report.tallies().Total(Metric::kDecisions), 1);

  int64_t unacknowledged = 0;
  for (const QueueGauge& gauge : report.Gauges(to + absl::Hours(1))) unacknowledged += gauge.unacknowledged;
  EXPECT_EQ(unacknowledged, 1);  // R1; R0 was routed before the period

  report.Standardised(Copy("S0"), from - absl::Seconds(1), Mode::kCount);
  EXPECT_EQ(report.tallies().Total(Metric::kStandardised), 0);
  report.Standardised(Copy("S1"), from, Mode::kCount);
  EXPECT_EQ(report.tallies().Total(Metric::kStandardised), 1);
  report.DeadLettered("invalid", from - absl::Seconds(1), Mode::kCount);
  report.DeadLettered("invalid", to, Mode::kCount);
  EXPECT_EQ(report.tallies().Total(Metric::kDeadLetters), 0);
  report.DeadLettered("invalid", from, Mode::kCount);
  EXPECT_EQ(report.tallies().Total(Metric::kDeadLetters), 1);
}

TEST(LabelTest, FieldPathsLoseTheirIndexesAndAnythingElseIsOther) {
  EXPECT_EQ(FieldLabel("persons[2].role"), "persons.role");
  EXPECT_EQ(FieldLabel("incident_type"), "incident_type");
  EXPECT_EQ(FieldLabel("persons[x].role"), "other");
  EXPECT_EQ(FieldLabel("persons[2.role"), "other");
  EXPECT_EQ(FieldLabel("persons].role"), "other");
  EXPECT_EQ(FieldLabel("name: Jane"), "other");
  EXPECT_EQ(FieldLabel(""), "other");
  EXPECT_EQ(FieldLabel(std::string(64, 'a')), std::string(64, 'a'));
  EXPECT_EQ(FieldLabel(std::string(65, 'a')), "other");
}

TEST(LabelTest, EnumsAndReasons) {
  EXPECT_EQ(IssueLabel(v1::QUALITY_ISSUE_LA_UNRESOLVED), "la_unresolved");
  EXPECT_EQ(IssueLabel(static_cast<v1::QualityIssue>(99)), "other");
  EXPECT_EQ(OutcomeLabel(v1::DECISION_OUTCOME_NO_FURTHER_ACTION), "no_further_action");
  EXPECT_EQ(ReasonLabel("unroutable"), "unroutable");
  EXPECT_EQ(ReasonLabel("Unroutable"), "other");
  EXPECT_EQ(WindowLabel(v1::RoutingDecision::WINDOW_UNSPECIFIED), "unspecified");
}

TEST(LabellingTest, RefusesSourceSystemsThatAreNotLabelNames) {
  const MonitorSetup& setup = DefaultSetup();
  EXPECT_TRUE(Labelling::Make(setup.directory->config(), setup.topics, {"storm", "a-b_9"}).ok());
  for (const std::string& bad : std::vector<std::string>{"", "Storm", "other", std::string(33, 'a'), "st orm"}) {
    const absl::StatusOr<Labelling> made =
        Labelling::Make(setup.directory->config(), setup.topics, {"storm", bad});
    EXPECT_EQ(made.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(made.status().message()), ::testing::HasSubstr("source_systems[1]"));
  }
  EXPECT_FALSE(Labelling::Make(setup.directory->config(), setup.topics, {"storm", "storm"}).ok());
  EXPECT_TRUE(Labelling::Make(setup.directory->config(), setup.topics, {std::string(32, 'a')}).ok());
}

TEST(TalliesTest, RoundTripsThroughTheStateRecordAndRefusesWhatItCannotRead) {
  Tallies tallies;
  tallies.Add(Metric::kDeadLetters, {"invalid"}, 3);
  tallies.Observe(Metric::kCompleteness, {"E06000023", "in_hours", "storm"}, 0.7);
  v1::MonitorState state;
  tallies.ToProto(state);
  Tallies loaded;
  ASSERT_TRUE(Tallies::FromProto(state, loaded).ok());
  EXPECT_EQ(loaded, tallies);

  v1::MonitorState unknown = state;
  unknown.mutable_series(0)->set_name("referral_monitor_made_up_total");
  EXPECT_EQ(Tallies::FromProto(unknown, loaded).code(), absl::StatusCode::kInvalidArgument);
  v1::MonitorState labels = state;
  labels.mutable_series(0)->add_label_values("extra");
  EXPECT_EQ(Tallies::FromProto(labels, loaded).code(), absl::StatusCode::kInvalidArgument);
  v1::MonitorState buckets = state;
  for (int i = 0; i < buckets.series_size(); ++i) {
    if (buckets.series(i).bucket_counts_size() > 0) buckets.mutable_series(i)->add_bucket_counts(1);
  }
  EXPECT_EQ(Tallies::FromProto(buckets, loaded).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(loaded, tallies);  // a refused state leaves what was there
}

}  // namespace
}  // namespace referral::monitor
