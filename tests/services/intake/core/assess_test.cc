// The intake's assessment of a submitted incident, against the shipped default configuration
// (deploy/config/intake.yaml: the five Avon and Somerset LAs, Mon-Thu 08:45-17:00, Fri
// 08:45-16:30, Europe/London). November 2026 is GMT (local = UTC): Wednesday 25, Friday 27,
// Saturday 28, Monday 30. Expected referral ids and quality come from the golden files of
// tests/data/incidents, which the standardiser's golden test holds to.
#include "services/intake/core/assess.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "referral/v1/intake.pb.h"
#include "services/common/config/config_file.h"
#include "services/common/core/codec.h"
#include "services/common/core/time_util.h"
#include "services/intake/config.h"
#include "tests/testing/test_setup.h"

namespace referral {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::At;
using v1::RoutingDecision;

constexpr char kBristolReferral[] = "cdacdc46-df52-515d-bd7b-57d4e4f55b0f";  // sample 01

const IntakeSetup& DefaultIntakeSetup() {
  static const IntakeSetup* setup = [] {
    absl::StatusOr<IntakeSetup> loaded = LoadIntakeSetup(testing::DefaultConfigPath("intake"));
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.status();
      std::abort();
    }
    return new IntakeSetup(*std::move(loaded));
  }();
  return *setup;
}

v1::IncidentEvent Sample(const std::string& name) {
  return testing::IncidentFromJson(*ReadFile(std::string(REFERRAL_SOURCE_DIR) +
                                             "/tests/data/incidents/" + name + ".incident.json"));
}

std::vector<std::string> Lines(const std::string& name) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(*ReadFile(std::string(REFERRAL_SOURCE_DIR) +
                                                         "/tests/data/incidents/" + name),
                                               '\n', absl::SkipEmpty())) {
    lines.emplace_back(line);
  }
  return lines;
}

std::vector<std::string> Violations(const Assessment& assessment) {
  std::vector<std::string> out;
  for (const FieldError& error : assessment.violations) out.push_back(error.ToString());
  return out;
}

std::vector<std::string> Queues(const v1::ReferralPreview& preview) {
  return {preview.queues().begin(), preview.queues().end()};
}

class AssessTest : public ::testing::Test {
 protected:
  explicit AssessTest(size_t max_referral_bytes = 0)
      : setup_(DefaultIntakeSetup()),
        standardiser_(*setup_.directory, setup_.time_zone,
                      IntakeStandardiserOptions(setup_.config)),
        router_(*setup_.directory, *setup_.holidays, setup_.topics, setup_.time_zone) {
    assessor_ = std::make_unique<Assessor>(
        standardiser_, router_, *setup_.directory, setup_.topics,
        max_referral_bytes > 0 ? max_referral_bytes : IntakeMaxReferralBytes(setup_.config));
  }

  Assessment Assess(const v1::IncidentEvent& event, absl::Time now) {
    absl::StatusOr<Assessment> assessment = assessor_->Assess(event, now);
    EXPECT_TRUE(assessment.ok()) << assessment.status();
    return assessment.ok() ? *std::move(assessment) : Assessment{};
  }

  const IntakeSetup& setup_;
  const Standardiser standardiser_;
  const Router router_;
  std::unique_ptr<Assessor> assessor_;
};

TEST_F(AssessTest, ValidIncidentInHoursPreviewsTheFrontDoorWithEveryField) {
  const absl::Time now = At("2026-11-25T10:00:00Z");
  const Assessment assessment = Assess(Sample("01-domestic-abuse-complete"), now);
  ASSERT_THAT(assessment.violations, IsEmpty());
  const v1::SubmitResponse& response = assessment.response;
  EXPECT_EQ(response.event_id(), "evt-2026-0001");
  EXPECT_EQ(response.no_referral_reason(), v1::NO_REFERRAL_REASON_UNSPECIFIED);
  EXPECT_THAT(response.quality_issues(), IsEmpty());
  ASSERT_EQ(response.referrals_size(), 1);
  const v1::ReferralPreview& preview = response.referrals(0);
  EXPECT_EQ(preview.referral_id(), kBristolReferral);
  EXPECT_EQ(preview.revision(), 1u);
  EXPECT_EQ(preview.la_code(), "E06000023");
  EXPECT_THAT(Queues(preview), ElementsAre("frontdoor/E06000023"));
  EXPECT_EQ(preview.window(), RoutingDecision::IN_HOURS);
  EXPECT_EQ(preview.window_reason(), RoutingDecision::WINDOW_REASON_OFFICE_HOURS);
  EXPECT_EQ(ToAbslTime(preview.decided_at()), now);
  EXPECT_EQ(ToAbslTime(preview.decision_due_by()), At("2026-11-26T10:00:00Z"));
  EXPECT_EQ(preview.rule_id(), "in_hours.front_door");
  EXPECT_EQ(preview.urgency(), v1::Referral::STANDARD);
  EXPECT_EQ(preview.quality().completeness(), 1.0);
  EXPECT_THAT(preview.quality().issues(), IsEmpty());
}

TEST_F(AssessTest, OutOfHoursPreviewsTheEdtFirstThenTheFrontDoorHandover) {
  const Assessment assessment =
      Assess(Sample("01-domestic-abuse-complete"), At("2026-11-28T02:00:00Z"));
  ASSERT_EQ(assessment.response.referrals_size(), 1);
  const v1::ReferralPreview& preview = assessment.response.referrals(0);
  EXPECT_THAT(Queues(preview), ElementsAre("edt/avon", "frontdoor/E06000023"));
  EXPECT_EQ(preview.window(), RoutingDecision::OUT_OF_HOURS);
  EXPECT_EQ(preview.window_reason(), RoutingDecision::WINDOW_REASON_NON_WORKING_DAY);
  // The close of the next working day: Monday 30 November, 17:00.
  EXPECT_EQ(ToAbslTime(preview.decision_due_by()), At("2026-11-30T17:00:00Z"));
  EXPECT_EQ(preview.rule_id(), "out_of_hours.edt_with_handover");
}

// Opening (08:45) is in hours, the second before it is not; closing (17:00) is out of hours,
// the second before it is in.
TEST_F(AssessTest, WindowEdgesFallWhereTheRouterPutsThem) {
  const v1::IncidentEvent event = Sample("01-domestic-abuse-complete");
  struct Case {
    const char* at;
    RoutingDecision::Window window;
    RoutingDecision::WindowReason reason;
  };
  for (const Case& c : {
           Case{"2026-11-25T08:44:59Z", RoutingDecision::OUT_OF_HOURS,
                RoutingDecision::WINDOW_REASON_OUTSIDE_OFFICE_HOURS},
           Case{"2026-11-25T08:45:00Z", RoutingDecision::IN_HOURS,
                RoutingDecision::WINDOW_REASON_OFFICE_HOURS},
           Case{"2026-11-25T16:59:59Z", RoutingDecision::IN_HOURS,
                RoutingDecision::WINDOW_REASON_OFFICE_HOURS},
           Case{"2026-11-25T17:00:00Z", RoutingDecision::OUT_OF_HOURS,
                RoutingDecision::WINDOW_REASON_OUTSIDE_OFFICE_HOURS},
           // Friday closes at 16:30.
           Case{"2026-11-27T16:29:59Z", RoutingDecision::IN_HOURS,
                RoutingDecision::WINDOW_REASON_OFFICE_HOURS},
           Case{"2026-11-27T16:30:00Z", RoutingDecision::OUT_OF_HOURS,
                RoutingDecision::WINDOW_REASON_OUTSIDE_OFFICE_HOURS},
       }) {
    SCOPED_TRACE(c.at);
    const Assessment assessment = Assess(event, At(c.at));
    ASSERT_EQ(assessment.response.referrals_size(), 1);
    EXPECT_EQ(assessment.response.referrals(0).window(), c.window);
    EXPECT_EQ(assessment.response.referrals(0).window_reason(), c.reason);
    EXPECT_EQ(assessment.response.referrals(0).queues(0),
              c.window == RoutingDecision::IN_HOURS ? "frontdoor/E06000023" : "edt/avon");
  }
}

TEST_F(AssessTest, ImmediateReferralCarriesItsUrgencyAndQuality) {
  const Assessment assessment =
      Assess(Sample("03-child-abuse-immediate"), At("2026-11-25T10:00:00Z"));
  ASSERT_EQ(assessment.response.referrals_size(), 1);
  const v1::ReferralPreview& preview = assessment.response.referrals(0);
  EXPECT_EQ(preview.referral_id(), "4a354dfd-5ef2-554c-8b51-0377dc9ca1b3");
  EXPECT_EQ(preview.la_code(), "E06000025");
  EXPECT_EQ(preview.urgency(), v1::Referral::IMMEDIATE);
  EXPECT_DOUBLE_EQ(preview.quality().completeness(), 9.0 / 11.0);
  EXPECT_THAT(preview.quality().issues(),
              ElementsAre(v1::QUALITY_ISSUE_CHILD_VIEWS_NOT_RECORDED,
                          v1::QUALITY_ISSUE_PERPETRATOR_ACCESS_TO_CHILDREN_UNKNOWN));
  EXPECT_THAT(assessment.response.quality_issues(),
              ElementsAre(v1::QUALITY_ISSUE_CHILD_VIEWS_NOT_RECORDED,
                          v1::QUALITY_ISSUE_PERPETRATOR_ACCESS_TO_CHILDREN_UNKNOWN));
}

TEST_F(AssessTest, NoLaGoesToTriageWithLaUnresolved) {
  const Assessment assessment =
      Assess(Sample("08-concern-for-welfare-la-unresolved"), At("2026-11-25T10:00:00Z"));
  ASSERT_EQ(assessment.response.referrals_size(), 1);
  const v1::ReferralPreview& preview = assessment.response.referrals(0);
  EXPECT_EQ(preview.la_code(), "");
  EXPECT_THAT(Queues(preview), ElementsAre("triage"));
  EXPECT_EQ(preview.rule_id(), "triage.la_unresolved");
  EXPECT_THAT(assessment.response.quality_issues(),
              ElementsAre(v1::QUALITY_ISSUE_LA_UNRESOLVED, v1::QUALITY_ISSUE_RISK_NOT_ASSESSED,
                          v1::QUALITY_ISSUE_INFORMATION_SHARING_NOT_RECORDED));
}

TEST_F(AssessTest, LaOutsideTheDirectoryKeepsItsCodeAndGoesToTriage) {
  const Assessment assessment =
      Assess(Sample("16-la-outside-directory"), At("2026-11-28T02:00:00Z"));
  ASSERT_EQ(assessment.response.referrals_size(), 1);
  const v1::ReferralPreview& preview = assessment.response.referrals(0);
  EXPECT_EQ(preview.la_code(), "E06000001");
  EXPECT_THAT(Queues(preview), ElementsAre("triage"));
  EXPECT_EQ(preview.rule_id(), "triage.la_not_in_directory");
}

// Two LAs: one preview each in the standardiser's order; the response's issues are the union
// of theirs, in enum order, each once.
TEST_F(AssessTest, TwoLasGiveTwoPreviewsAndTheUnionOfTheirIssues) {
  v1::IncidentEvent event = Sample("09-household-two-las");
  const Assessment plain = Assess(event, At("2026-11-28T02:00:00Z"));
  ASSERT_EQ(plain.response.referrals_size(), 2);
  EXPECT_EQ(plain.response.referrals(0).referral_id(), "a29224ec-723c-5780-8ec0-fd5d394064e5");
  EXPECT_EQ(plain.response.referrals(0).la_code(), "E06000023");
  EXPECT_EQ(plain.response.referrals(1).referral_id(), "11991336-a7ad-551c-8d10-e4fd10ca44d1");
  EXPECT_EQ(plain.response.referrals(1).la_code(), "E06000022");
  EXPECT_THAT(Queues(plain.response.referrals(1)), ElementsAre("edt/avon", "frontdoor/E06000022"));
  EXPECT_THAT(plain.response.quality_issues(),
              ElementsAre(v1::QUALITY_ISSUE_OTHER_CHILDREN_NOT_IDENTIFIED));

  // Without the Bath child's given name, only the Bath referral lacks the child's identity.
  for (v1::Person& person : *event.mutable_persons()) {
    if (person.role() == v1::PERSON_ROLE_CHILD &&
        absl::StartsWith(person.home_address().postcode(), "BA")) {
      person.clear_given_name();
    }
  }
  const Assessment changed = Assess(event, At("2026-11-28T02:00:00Z"));
  ASSERT_EQ(changed.response.referrals_size(), 2);
  EXPECT_THAT(changed.response.referrals(0).quality().issues(),
              ElementsAre(v1::QUALITY_ISSUE_OTHER_CHILDREN_NOT_IDENTIFIED));
  EXPECT_THAT(changed.response.referrals(1).quality().issues(),
              ElementsAre(v1::QUALITY_ISSUE_OTHER_CHILDREN_NOT_IDENTIFIED,
                          v1::QUALITY_ISSUE_CHILD_IDENTITY_INCOMPLETE));
  EXPECT_THAT(changed.response.quality_issues(),
              ElementsAre(v1::QUALITY_ISSUE_OTHER_CHILDREN_NOT_IDENTIFIED,
                          v1::QUALITY_ISSUE_CHILD_IDENTITY_INCOMPLETE));
}

TEST_F(AssessTest, ValidIncidentWithoutAChildIsAcceptedWithTheReason) {
  const Assessment no_child = Assess(Sample("11-skipped-no-child"), At("2026-11-25T10:00:00Z"));
  EXPECT_THAT(no_child.violations, IsEmpty());
  EXPECT_EQ(no_child.response.no_referral_reason(), v1::NO_REFERRAL_REASON_NO_CHILD);
  EXPECT_THAT(no_child.response.referrals(), IsEmpty());
  EXPECT_THAT(no_child.response.quality_issues(), IsEmpty());
  EXPECT_FALSE(no_child.response.event_id().empty());

  const Assessment other = Assess(Sample("12-skipped-other-type"), At("2026-11-25T10:00:00Z"));
  EXPECT_THAT(other.violations, IsEmpty());
  EXPECT_EQ(other.response.no_referral_reason(), v1::NO_REFERRAL_REASON_OTHER_TYPE_NO_RISK);
  EXPECT_THAT(other.response.referrals(), IsEmpty());

  // The boundary: the same OTHER incident with immediate risk makes a referral.
  v1::IncidentEvent risky = Sample("12-skipped-other-type");
  risky.mutable_risk()->set_immediate_risk(true);
  const Assessment referred = Assess(risky, At("2026-11-25T10:00:00Z"));
  EXPECT_EQ(referred.response.no_referral_reason(), v1::NO_REFERRAL_REASON_UNSPECIFIED);
  EXPECT_EQ(referred.response.referrals_size(), 1);
}

// The violations are exactly the standardiser's errors (its golden .errors.txt files).
TEST_F(AssessTest, InvalidIncidentsGiveEveryValidationErrorWithItsPath) {
  for (const char* name : {"13-invalid-dates", "14-invalid-missing-ids"}) {
    SCOPED_TRACE(name);
    const Assessment assessment = Assess(Sample(name), At("2026-11-25T10:00:00Z"));
    EXPECT_EQ(Violations(assessment), Lines(std::string(name) + ".errors.txt"));
    EXPECT_THAT(assessment.response.referrals(), IsEmpty());
    EXPECT_TRUE(assessment.response.event_id().empty());
  }
}

TEST_F(AssessTest, EachKindOfValidationErrorAloneMakesTheIncidentInvalid) {
  const absl::Time now = At("2026-11-25T10:00:00Z");
  ASSERT_THAT(Assess(Sample("01-domestic-abuse-complete"), now).violations, IsEmpty());
  struct Case {
    const char* what;
    void (*spoil)(v1::IncidentEvent&);
    const char* want;
  };
  for (const Case& c : {
           Case{"no event id", [](v1::IncidentEvent& e) { e.clear_event_id(); },
                "event_id: required"},
           Case{"no incident id", [](v1::IncidentEvent& e) { e.clear_incident_id(); },
                "incident_id: required"},
           Case{"no force", [](v1::IncidentEvent& e) { e.clear_force_code(); },
                "force_code: required"},
           Case{"no occurred_at", [](v1::IncidentEvent& e) { e.clear_occurred_at(); },
                "occurred_at: required"},
           Case{"occurred_at out of range",
                [](v1::IncidentEvent& e) { e.mutable_occurred_at()->set_seconds(4102444800); },
                "occurred_at: outside 1900-01-01T00:00:00Z to 2099-12-31T23:59:59Z"},
           Case{"reported before occurred",
                [](v1::IncidentEvent& e) {
                  e.mutable_reported_at()->set_seconds(e.occurred_at().seconds() - 1);
                },
                "reported_at: before occurred_at"},
           Case{"date of birth not a date",
                [](v1::IncidentEvent& e) { e.mutable_persons(3)->set_date_of_birth("2017-02-30"); },
                "persons[3].date_of_birth: not a date (want YYYY-MM-DD)"},
           Case{"born after the incident",
                [](v1::IncidentEvent& e) { e.mutable_persons(4)->set_date_of_birth("2026-11-21"); },
                "persons[4].date_of_birth: after occurred_at"},
           Case{"age over 125",
                [](v1::IncidentEvent& e) { e.mutable_persons(1)->set_age_years(126); },
                "persons[1].age_years: over 125"},
           Case{"duplicate person_ref",
                [](v1::IncidentEvent& e) { e.mutable_persons(1)->set_person_ref("p1"); },
                "persons[1].person_ref: duplicate of persons[0]"},
           Case{"relationship to nobody",
                [](v1::IncidentEvent& e) {
                  e.mutable_persons(2)->mutable_relationships(0)->set_person_ref("zz");
                },
                "persons[2].relationships[0].person_ref: names no person of this incident"},
           Case{"police action a day early",
                [](v1::IncidentEvent& e) {
                  e.mutable_police_actions(0)->mutable_taken_at()->set_seconds(
                      e.occurred_at().seconds() - 24 * 3600 - 1);
                },
                "police_actions[0].taken_at: more than 24 hours before occurred_at"},
       }) {
    SCOPED_TRACE(c.what);
    v1::IncidentEvent event = Sample("01-domestic-abuse-complete");
    c.spoil(event);
    const Assessment assessment = Assess(event, now);
    EXPECT_THAT(Violations(assessment), ElementsAre(c.want));
    EXPECT_THAT(assessment.response.referrals(), IsEmpty());
  }
}

// Valid values sit on the other side of each boundary: 125 years, 24 hours before.
TEST_F(AssessTest, LimitsThemselvesAreValid) {
  v1::IncidentEvent event = Sample("01-domestic-abuse-complete");
  event.mutable_persons(1)->set_age_years(125);
  event.mutable_police_actions(0)->mutable_taken_at()->set_seconds(event.occurred_at().seconds() -
                                                                   24 * 3600);
  event.mutable_reported_at()->set_seconds(event.occurred_at().seconds());
  event.mutable_reported_at()->set_nanos(event.occurred_at().nanos());
  EXPECT_THAT(Assess(event, At("2026-11-25T10:00:00Z")).violations, IsEmpty());
}

// An enum value this version does not define is a violation wherever it is, though the
// standardiser would take the incident.
TEST_F(AssessTest, UnrecognisedEnumValuesInSeveralFieldsAreEachAViolation) {
  const absl::Time now = At("2026-11-25T10:00:00Z");
  v1::IncidentEvent event = Sample("01-domestic-abuse-complete");
  event.set_incident_type(static_cast<v1::IncidentType>(99));
  event.mutable_persons(2)->set_access_to_other_children(static_cast<v1::AccessToChildren>(7));
  event.mutable_persons(3)->set_role(static_cast<v1::PersonRole>(42));
  event.mutable_persons(3)->mutable_voice()->set_not_spoken_reason(
      static_cast<v1::NotSpokenReason>(77));
  event.mutable_risk()->set_dash_level(static_cast<v1::Risk::DashLevel>(9));
  event.mutable_police_actions(1)->set_type(static_cast<v1::PoliceActionType>(50));
  event.mutable_information_sharing()->set_lawful_basis(static_cast<v1::LawfulBasis>(12));
  const StandardiseOutcome standardised = standardiser_.Standardise(event);
  ASSERT_EQ(standardised.kind, StandardiseOutcome::Kind::kReferrals);  // the standardiser keeps it

  const Assessment assessment = Assess(event, now);
  EXPECT_THAT(Violations(assessment),
              ElementsAre("incident_type: unrecognised value 99",
                          "persons[2].access_to_other_children: unrecognised value 7",
                          "persons[3].role: unrecognised value 42",
                          "persons[3].voice.not_spoken_reason: unrecognised value 77",
                          "risk.dash_level: unrecognised value 9",
                          "police_actions[1].type: unrecognised value 50",
                          "information_sharing.lawful_basis: unrecognised value 12"));
  EXPECT_THAT(assessment.response.referrals(), IsEmpty());
}

TEST_F(AssessTest, OneUnrecognisedValueIsEnoughAndTheLastDefinedValueIsFine) {
  const absl::Time now = At("2026-11-25T10:00:00Z");
  v1::IncidentEvent event = Sample("01-domestic-abuse-complete");
  event.mutable_persons(0)->set_sex(v1::SEX_OTHER);  // the highest value Sex defines
  EXPECT_THAT(Assess(event, now).violations, IsEmpty());
  event.mutable_persons(0)->set_sex(static_cast<v1::Sex>(v1::SEX_OTHER + 1));
  EXPECT_THAT(Violations(Assess(event, now)), ElementsAre("persons[0].sex: unrecognised value 4"));
}

// Validation errors first, then unrecognised values, every one of both.
TEST_F(AssessTest, ValidationErrorsAndUnrecognisedValuesAreReportedTogether) {
  v1::IncidentEvent event = Sample("01-domestic-abuse-complete");
  event.clear_event_id();
  event.mutable_persons(4)->set_date_of_birth("not a date");
  event.mutable_persons(0)->mutable_relationships(1)->set_type(
      static_cast<v1::RelationshipType>(31));
  EXPECT_THAT(Violations(Assess(event, At("2026-11-25T10:00:00Z"))),
              ElementsAre("event_id: required",
                          "persons[4].date_of_birth: not a date (want YYYY-MM-DD)",
                          "persons[0].relationships[1].type: unrecognised value 31"));
}

TEST_F(AssessTest, QueueOfNamesEveryRoutedTopicAndPassesOthersThrough) {
  EXPECT_EQ(assessor_->QueueOf("referrals.frontdoor.E06000066.v1"), "frontdoor/E06000066");
  EXPECT_EQ(assessor_->QueueOf("referrals.edt.somerset.v1"), "edt/somerset");
  EXPECT_EQ(assessor_->QueueOf("referrals.triage.v1"), "triage");
  EXPECT_EQ(assessor_->QueueOf("referrals.frontdoor.E06000001.v1"),
            "referrals.frontdoor.E06000001.v1");
}

// The size of sample 01's referral, the larger of its encodings.
size_t ReferralBytes(const Standardiser& standardiser) {
  const v1::Referral referral =
      standardiser.Standardise(Sample("01-domestic-abuse-complete")).referrals.at(0);
  return std::max(referral.ByteSizeLong(), ToJson(referral)->size());
}

class SmallReferralLimitTest : public AssessTest {
 protected:
  explicit SmallReferralLimitTest(size_t limit) : AssessTest(limit) {}
};

class ReferralAtTheLimitTest : public SmallReferralLimitTest {
 protected:
  ReferralAtTheLimitTest()
      : SmallReferralLimitTest(ReferralBytes(Standardiser(
            *DefaultIntakeSetup().directory, DefaultIntakeSetup().time_zone))) {}
};

class ReferralOverTheLimitTest : public SmallReferralLimitTest {
 protected:
  ReferralOverTheLimitTest()
      : SmallReferralLimitTest(ReferralBytes(Standardiser(
                                   *DefaultIntakeSetup().directory,
                                   DefaultIntakeSetup().time_zone)) -
                               1) {}
};

TEST_F(ReferralAtTheLimitTest, IsAccepted) {
  EXPECT_THAT(Assess(Sample("01-domestic-abuse-complete"), At("2026-11-25T10:00:00Z")).violations,
              IsEmpty());
}

TEST_F(ReferralOverTheLimitTest, IsAViolationOfTheWholeIncident) {
  const Assessment assessment =
      Assess(Sample("01-domestic-abuse-complete"), At("2026-11-25T10:00:00Z"));
  ASSERT_EQ(assessment.violations.size(), 1u);
  EXPECT_EQ(assessment.violations[0].path, "");
  EXPECT_THAT(assessment.violations[0].message,
              HasSubstr("a referral built from it would be"));
  EXPECT_THAT(assessment.response.referrals(), IsEmpty());
}

}  // namespace
}  // namespace referral
