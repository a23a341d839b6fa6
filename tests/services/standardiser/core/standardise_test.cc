#include "services/standardiser/core/standardise.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/common/core/codec.h"
#include "services/standardiser/core/referral_id.h"
#include "tests/testing/test_setup.h"

namespace referral {
namespace {

using ::testing::ElementsAre;
using Kind = StandardiseOutcome::Kind;

class StandardiseTest : public ::testing::Test {
 protected:
  StandardiseOutcome Run(const std::string& json) {
    const StandardiserSetup& setup = testing::DefaultStandardiserSetup();
    v1::IncidentEvent event;
    std::vector<UnknownEnumName> names;
    const absl::Status decoded = Decode(json, Encoding::kJson, event, &names);
    EXPECT_TRUE(decoded.ok()) << decoded;
    return Standardiser(*setup.directory, setup.time_zone).Standardise(event, names);
  }
};

std::vector<std::string> Unrecognised(const StandardiseOutcome& outcome) {
  std::vector<std::string> out;
  for (const auto& v : outcome.unrecognised) out.push_back(v.field_path() + "=" + v.value());
  return out;
}

bool HasIssue(const v1::Referral& referral, v1::QualityIssue issue) {
  return std::find(referral.quality().issues().begin(), referral.quality().issues().end(), issue) !=
         referral.quality().issues().end();
}

// An incident with one Bristol child plus whatever `extra` adds to the top level.
std::string Incident(const std::string& type, const std::string& persons,
                     const std::string& extra = "") {
  return R"({"eventId": "e1", "incidentId": "INC-1", "forceCode": "ASP",
      "occurredAt": "2026-11-20T21:40:00Z", "incidentType": ")" + type + R"(",
      "location": {"postcode": "BS5 6XX"}, "persons": [)" + persons + "]" + extra + "}";
}

TEST_F(StandardiseTest, ChildByRoleMakesOneReferralForLocationLa) {
  const StandardiseOutcome outcome =
      Run(Incident("INCIDENT_TYPE_CHILD_NEGLECT", R"({"personRef": "c", "role": "PERSON_ROLE_CHILD"})"));
  ASSERT_EQ(outcome.kind, Kind::kReferrals);
  ASSERT_EQ(outcome.referrals.size(), 1u);
  const v1::Referral& referral = outcome.referrals[0];
  EXPECT_EQ(referral.la_code(), "E06000023");
  EXPECT_EQ(referral.referral_id(), ReferralId("ASP", "INC-1", "E06000023"));
  EXPECT_THAT(referral.concerns(), ElementsAre("16A"));
  EXPECT_EQ(referral.urgency(), v1::Referral::STANDARD);
  EXPECT_EQ(referral.children_size(), 1);
  EXPECT_EQ(referral.incident().incident_id(), "INC-1");
}

TEST_F(StandardiseTest, AgeDecidesChildhoodWhenRoleIsNotChild) {
  // 18th birthday the day after the incident: still a child. On the day: an adult.
  const StandardiseOutcome child = Run(Incident("INCIDENT_TYPE_CHILD_ABUSE",
      R"({"role": "PERSON_ROLE_ADULT_VICTIM", "dateOfBirth": "2008-11-21"})"));
  ASSERT_EQ(child.kind, Kind::kReferrals);
  EXPECT_EQ(child.referrals[0].children_size(), 1);

  const StandardiseOutcome adult = Run(Incident("INCIDENT_TYPE_CHILD_ABUSE",
      R"({"role": "PERSON_ROLE_ADULT_VICTIM", "dateOfBirth": "2008-11-20"})"));
  ASSERT_EQ(adult.kind, Kind::kSkipped);
  EXPECT_EQ(adult.skip_reason, SkipReason::kNoChild);

  const StandardiseOutcome by_age =
      Run(Incident("INCIDENT_TYPE_MISSING_CHILD", R"({"ageYears": 17})"));
  ASSERT_EQ(by_age.kind, Kind::kReferrals);
  EXPECT_THAT(by_age.referrals[0].concerns(), ElementsAre("10A"));
}

// With no date of birth, the age decides: 17 is a child, 18 an adult.
TEST_F(StandardiseTest, AnAgeOf18WithoutADateOfBirthIsAnAdultAnd17AChild) {
  const StandardiseOutcome seventeen = Run(Incident("INCIDENT_TYPE_CHILD_ABUSE",
      R"({"role": "PERSON_ROLE_ADULT_VICTIM", "ageYears": 17})"));
  ASSERT_EQ(seventeen.kind, Kind::kReferrals);
  EXPECT_EQ(seventeen.referrals[0].children_size(), 1);
  const StandardiseOutcome eighteen = Run(Incident("INCIDENT_TYPE_CHILD_ABUSE",
      R"({"role": "PERSON_ROLE_ADULT_VICTIM", "ageYears": 18})"));
  ASSERT_EQ(eighteen.kind, Kind::kSkipped);
  EXPECT_EQ(eighteen.skip_reason, SkipReason::kNoChild);
}

// Childhood is decided on the incident's date in Europe/London. 2026-06-14T23:30Z is 00:30 BST
// on 15 June: someone born on 15 June 2008 turned 18 that day, though the UTC date is the 14th.
TEST_F(StandardiseTest, ChildhoodEndsOnTheLocalDateOfThe18thBirthdayJustAfterMidnightInSummer) {
  auto at_half_past_midnight_bst = [](const std::string& date_of_birth) {
    return R"({"eventId": "e1", "incidentId": "INC-1", "forceCode": "ASP",
        "occurredAt": "2026-06-14T23:30:00Z", "incidentType": "INCIDENT_TYPE_CHILD_ABUSE",
        "location": {"postcode": "BS5 6XX"},
        "persons": [{"role": "PERSON_ROLE_ADULT_VICTIM", "dateOfBirth": ")" + date_of_birth + R"("}]})";
  };
  const StandardiseOutcome birthday = Run(at_half_past_midnight_bst("2008-06-15"));
  ASSERT_EQ(birthday.kind, Kind::kSkipped);  // 18 on the local date: an adult
  EXPECT_EQ(birthday.skip_reason, SkipReason::kNoChild);
  const StandardiseOutcome day_before = Run(at_half_past_midnight_bst("2008-06-16"));
  ASSERT_EQ(day_before.kind, Kind::kReferrals);  // 18 tomorrow: still a child
  EXPECT_EQ(day_before.referrals[0].children_size(), 1);
}

// Issue 9: a misspelt role with no date of birth was "skipped: no_child": the child was never
// referred.
TEST_F(StandardiseTest, AnUnrecognisedRoleWithoutAnAgeIsAPossibleChildAndIsFlagged) {
  const StandardiseOutcome outcome = Run(Incident("INCIDENT_TYPE_CHILD_NEGLECT",
      R"({"personRef": "c", "role": "PERSON_ROLE_CHILDD"})"));
  ASSERT_EQ(outcome.kind, Kind::kReferrals);
  const v1::Referral& referral = outcome.referrals[0];
  ASSERT_EQ(referral.children_size(), 1);
  EXPECT_EQ(referral.children(0).role(), kUnrecognisedEnumName);
  ASSERT_EQ(referral.unrecognised_values_size(), 1);
  EXPECT_EQ(referral.unrecognised_values(0).field_path(), "persons[0].role");
  EXPECT_EQ(referral.unrecognised_values(0).value(), "PERSON_ROLE_CHILDD");
  EXPECT_THAT(Unrecognised(outcome), ElementsAre("persons[0].role=PERSON_ROLE_CHILDD"));
  // It could be the suspect: the suspect check applies and cannot pass.
  EXPECT_TRUE(HasIssue(referral, v1::QUALITY_ISSUE_PERPETRATOR_ACCESS_TO_CHILDREN_UNKNOWN));
}

TEST_F(StandardiseTest, AnUnrecognisedRoleOfSomeoneAnAdultByAgeIsNotAChild) {
  const StandardiseOutcome outcome = Run(Incident("INCIDENT_TYPE_CHILD_NEGLECT",
      R"({"role": "PERSON_ROLE_CHILD"}, {"role": "PERSON_ROLE_SUSPCT", "ageYears": 18},
         {"role": 42, "dateOfBirth": "1990-01-01"})"));
  ASSERT_EQ(outcome.kind, Kind::kReferrals);
  EXPECT_EQ(outcome.referrals[0].children_size(), 1);
  EXPECT_EQ(outcome.referrals[0].adults_size(), 2);
  EXPECT_THAT(Unrecognised(outcome),
              ElementsAre("persons[1].role=PERSON_ROLE_SUSPCT", "persons[2].role=42"));
  // With only an unrecognised role of an adult and no child, still nobody to refer.
  EXPECT_EQ(Run(Incident("INCIDENT_TYPE_CHILD_NEGLECT", R"({"role": 42, "ageYears": 40})")).kind,
            Kind::kSkipped);
}

TEST_F(StandardiseTest, AKnownRoleOrUnspecifiedRoleWithoutAnAgeIsStillNotAChild) {
  EXPECT_EQ(Run(Incident("INCIDENT_TYPE_CHILD_NEGLECT", R"({"role": "PERSON_ROLE_PARENT_CARER"})")).kind,
            Kind::kSkipped);
  EXPECT_EQ(Run(Incident("INCIDENT_TYPE_CHILD_NEGLECT", R"({"personRef": "x"})")).kind,
            Kind::kSkipped);
}

// Issue 9: a misspelt incident type became unspecified and the DASH check silently stopped
// applying.
TEST_F(StandardiseTest, AnUnrecognisedIncidentTypeIsReferredAsOtherConcernsWithRiskUnassessed) {
  const StandardiseOutcome outcome = Run(Incident("INCIDENT_TYPE_DOMESTIC_VIOLENCE",
      R"({"role": "PERSON_ROLE_CHILD"})", R"(, "risk": {"dashLevel": "DASH_LEVEL_STANDARD",
      "callGrade": "P2"})"));
  ASSERT_EQ(outcome.kind, Kind::kReferrals);
  const v1::Referral& referral = outcome.referrals[0];
  EXPECT_THAT(referral.concerns(), ElementsAre("20"));
  EXPECT_EQ(referral.incident().incident_type(), kUnrecognisedEnumName);
  EXPECT_TRUE(HasIssue(referral, v1::QUALITY_ISSUE_RISK_NOT_ASSESSED));
  EXPECT_THAT(Unrecognised(outcome), ElementsAre("incident_type=INCIDENT_TYPE_DOMESTIC_VIOLENCE"));
  // The same incident with a known type passes that check.
  const StandardiseOutcome known = Run(Incident("INCIDENT_TYPE_CHILD_NEGLECT",
      R"({"role": "PERSON_ROLE_CHILD"})", R"(, "risk": {"dashLevel": "DASH_LEVEL_STANDARD",
      "callGrade": "P2"})"));
  EXPECT_FALSE(HasIssue(known.referrals[0], v1::QUALITY_ISSUE_RISK_NOT_ASSESSED));
  EXPECT_TRUE(known.unrecognised.empty());
}

TEST_F(StandardiseTest, AnUnrecognisedDashLevelOrPoliceActionMakesTheReferralImmediate) {
  const std::string child = R"({"role": "PERSON_ROLE_CHILD"})";
  EXPECT_EQ(Run(Incident("INCIDENT_TYPE_CHILD_NEGLECT", child,
                         R"(, "risk": {"dashLevel": "DASH_LEVEL_HIGHEST"})"))
                .referrals[0].urgency(),
            v1::Referral::IMMEDIATE);
  EXPECT_EQ(Run(Incident("INCIDENT_TYPE_CHILD_NEGLECT", child,
                         R"(, "policeActions": [{"type": "POLICE_ACTION_TYPE_POLICE_PROTECTON"}])"))
                .referrals[0].urgency(),
            v1::Referral::IMMEDIATE);
  EXPECT_EQ(Run(Incident("INCIDENT_TYPE_CHILD_NEGLECT", child,
                         R"(, "risk": {"dashLevel": "DASH_LEVEL_STANDARD"},
                            "policeActions": [{"type": "POLICE_ACTION_TYPE_ARREST"}])"))
                .referrals[0].urgency(),
            v1::Referral::STANDARD);
}

TEST_F(StandardiseTest, UnrecognisedValuesFailTheChecksThatDependOnThem) {
  const StandardiseOutcome outcome = Run(Incident("INCIDENT_TYPE_CHILD_NEGLECT",
      R"({"role": "PERSON_ROLE_CHILD", "voice": {"seen": true, "notSpokenReason": "ASLEPE"}},
         {"role": "PERSON_ROLE_SUSPECT", "accessToOtherChildren": 9})",
      R"(, "informationSharing": {"parentsInformed": true, "lawfulBasis": 77})"));
  ASSERT_EQ(outcome.kind, Kind::kReferrals);
  const v1::Referral& referral = outcome.referrals[0];
  EXPECT_TRUE(HasIssue(referral, v1::QUALITY_ISSUE_CHILD_NOT_SPOKEN_TO_NO_REASON));
  EXPECT_TRUE(HasIssue(referral, v1::QUALITY_ISSUE_PERPETRATOR_ACCESS_TO_CHILDREN_UNKNOWN));
  EXPECT_TRUE(HasIssue(referral, v1::QUALITY_ISSUE_INFORMATION_SHARING_NOT_RECORDED));
  EXPECT_THAT(Unrecognised(outcome),
              ElementsAre("persons[0].voice.not_spoken_reason=ASLEPE",
                          "persons[1].access_to_other_children=9",
                          "information_sharing.lawful_basis=77"));
  // The same values recognised pass those checks.
  const StandardiseOutcome known = Run(Incident("INCIDENT_TYPE_CHILD_NEGLECT",
      R"({"role": "PERSON_ROLE_CHILD", "voice": {"seen": true, "notSpokenReason": "NOT_SPOKEN_REASON_ASLEEP"}},
         {"role": "PERSON_ROLE_SUSPECT", "accessToOtherChildren": "ACCESS_TO_CHILDREN_NO"})",
      R"(, "informationSharing": {"parentsInformed": true, "lawfulBasis": "LAWFUL_BASIS_SAFEGUARDING"})"));
  ASSERT_EQ(known.kind, Kind::kReferrals);
  EXPECT_FALSE(HasIssue(known.referrals[0], v1::QUALITY_ISSUE_CHILD_NOT_SPOKEN_TO_NO_REASON));
  EXPECT_FALSE(HasIssue(known.referrals[0], v1::QUALITY_ISSUE_PERPETRATOR_ACCESS_TO_CHILDREN_UNKNOWN));
  EXPECT_FALSE(HasIssue(known.referrals[0], v1::QUALITY_ISSUE_INFORMATION_SHARING_NOT_RECORDED));
}

// Issue 9: a long narrative made a referral too large to deliver; it is cut, said so, and the
// whole text stays in the incident.
TEST_F(StandardiseTest, ALongNarrativeIsCutAtACharacterAndSaysHowMuchWasLeftOut) {
  const StandardiserSetup& setup = testing::DefaultStandardiserSetup();
  v1::IncidentEvent event;
  ASSERT_TRUE(Decode(Incident("INCIDENT_TYPE_CHILD_NEGLECT", R"({"role": "PERSON_ROLE_CHILD"})"),
                     Encoding::kJson, event).ok());
  const Standardiser standardiser(*setup.directory, setup.time_zone, {.max_narrative_bytes = 10});
  event.set_narrative("abcdefghij");  // exactly the limit: whole
  StandardiseOutcome outcome = standardiser.Standardise(event);
  EXPECT_EQ(outcome.referrals[0].narrative(), "abcdefghij");
  EXPECT_EQ(outcome.referrals[0].narrative_truncated_bytes(), 0u);
  event.set_narrative("abcdefghi\xC3\xA9xyz");  // "é" straddles the limit: cut before it
  outcome = standardiser.Standardise(event);
  EXPECT_EQ(outcome.referrals[0].narrative(), "abcdefghi");
  EXPECT_EQ(outcome.referrals[0].narrative_truncated_bytes(), 5u);
}

TEST(CutAtCharacterTest, NeverInsideACharacter) {
  EXPECT_EQ(CutAtCharacter("abc", 5), "abc");
  EXPECT_EQ(CutAtCharacter("abc", 2), "ab");
  EXPECT_EQ(CutAtCharacter("\xE2\x82\xAC\xE2\x82\xAC", 4), "\xE2\x82\xAC");  // two euro signs
  EXPECT_EQ(CutAtCharacter("\xE2\x82\xAC", 2), "");
  EXPECT_EQ(CutAtCharacter("", 0), "");
}

TEST_F(StandardiseTest, OtherTypeNeedsImmediateRisk) {
  const std::string child = R"({"role": "PERSON_ROLE_CHILD"})";
  EXPECT_EQ(Run(Incident("INCIDENT_TYPE_OTHER", child)).skip_reason, SkipReason::kOtherTypeNoRisk);
  const StandardiseOutcome at_risk =
      Run(Incident("INCIDENT_TYPE_OTHER", child, R"(, "risk": {"immediateRisk": true})"));
  ASSERT_EQ(at_risk.kind, Kind::kReferrals);
  EXPECT_EQ(at_risk.referrals[0].urgency(), v1::Referral::IMMEDIATE);
  EXPECT_THAT(at_risk.referrals[0].concerns(), ElementsAre("20"));
}

TEST_F(StandardiseTest, UnclassifiedIncidentWithChildIsReferredNotLost) {
  const StandardiseOutcome outcome =
      Run(Incident("INCIDENT_TYPE_UNSPECIFIED", R"({"role": "PERSON_ROLE_CHILD"})"));
  ASSERT_EQ(outcome.kind, Kind::kReferrals);
  EXPECT_THAT(outcome.referrals[0].concerns(), ElementsAre("20"));
}

TEST_F(StandardiseTest, ChildrenSplitByHomeLaThenLocation) {
  const StandardiseOutcome outcome = Run(Incident("INCIDENT_TYPE_DOMESTIC_ABUSE", R"(
      {"personRef": "a", "role": "PERSON_ROLE_CHILD", "homeAddress": {"postcode": "TA1 1AA"}},
      {"personRef": "b", "role": "PERSON_ROLE_CHILD"},
      {"personRef": "c", "role": "PERSON_ROLE_CHILD", "homeAddress": {"laCode": "e06000066"}},
      {"personRef": "d", "role": "PERSON_ROLE_PARENT_CARER"})"));
  ASSERT_EQ(outcome.kind, Kind::kReferrals);
  ASSERT_EQ(outcome.referrals.size(), 2u);
  EXPECT_EQ(outcome.referrals[0].la_code(), "E06000066");
  ASSERT_EQ(outcome.referrals[0].children_size(), 2);
  EXPECT_EQ(outcome.referrals[0].children(0).person_ref(), "a");
  EXPECT_EQ(outcome.referrals[0].children(1).person_ref(), "c");
  EXPECT_EQ(outcome.referrals[1].la_code(), "E06000023");
  EXPECT_EQ(outcome.referrals[1].children(0).person_ref(), "b");
  for (const v1::Referral& referral : outcome.referrals) {
    EXPECT_EQ(referral.incident_children_count(), 3u);
    ASSERT_EQ(referral.adults_size(), 1);
    EXPECT_EQ(referral.adults(0).person_ref(), "d");
  }
  EXPECT_NE(outcome.referrals[0].referral_id(), outcome.referrals[1].referral_id());
}

TEST_F(StandardiseTest, AnOutcomesReferralsShareOneArenaAndSurviveAMove) {
  // One arena per outcome, not a heap allocation per field (ReferralList); a moved list keeps it.
  StandardiseOutcome outcome = Run(Incident("INCIDENT_TYPE_DOMESTIC_ABUSE", R"(
      {"personRef": "a", "role": "PERSON_ROLE_CHILD", "homeAddress": {"postcode": "TA1 1AA"}},
      {"personRef": "b", "role": "PERSON_ROLE_CHILD"})"));
  ASSERT_EQ(outcome.referrals.size(), 2u);
  google::protobuf::Arena* arena = outcome.referrals[0].GetArena();
  EXPECT_NE(arena, nullptr);
  EXPECT_EQ(outcome.referrals[1].GetArena(), arena);
  const ReferralList moved = std::move(outcome.referrals);
  ASSERT_EQ(moved.size(), 2u);
  EXPECT_EQ(moved[1].GetArena(), arena);
  EXPECT_EQ(moved[1].children(0).person_ref(), "b");
  EXPECT_TRUE(outcome.referrals.empty());  // NOLINT(bugprone-use-after-move): moved from, empty
  EXPECT_EQ(outcome.referrals.begin(), outcome.referrals.end());
}

TEST_F(StandardiseTest, NoLaAnywhereGivesUnresolvedReferral) {
  const StandardiseOutcome outcome = Run(R"({"eventId": "e", "incidentId": "i", "forceCode": "ASP",
      "occurredAt": "2026-11-20T21:40:00Z", "incidentType": "INCIDENT_TYPE_CHILD_NEGLECT",
      "location": {"postcode": "not a postcode"}, "persons": [{"role": "PERSON_ROLE_CHILD"}]})");
  ASSERT_EQ(outcome.kind, Kind::kReferrals);
  EXPECT_EQ(outcome.referrals[0].la_code(), "");
  EXPECT_EQ(outcome.referrals[0].referral_id(), ReferralId("ASP", "i", ""));
}

TEST_F(StandardiseTest, UrgencyFromPoliceProtectionOrDashHigh) {
  const std::string child = R"({"role": "PERSON_ROLE_CHILD"})";
  EXPECT_EQ(Run(Incident("INCIDENT_TYPE_CHILD_ABUSE", child,
                         R"(, "policeActions": [{"type": "POLICE_ACTION_TYPE_POLICE_PROTECTION"}])"))
                .referrals[0].urgency(),
            v1::Referral::IMMEDIATE);
  EXPECT_EQ(Run(Incident("INCIDENT_TYPE_DOMESTIC_ABUSE", child,
                         R"(, "risk": {"dashLevel": "DASH_LEVEL_HIGH"})"))
                .referrals[0].urgency(),
            v1::Referral::IMMEDIATE);
  EXPECT_EQ(Run(Incident("INCIDENT_TYPE_DOMESTIC_ABUSE", child,
                         R"(, "risk": {"dashLevel": "DASH_LEVEL_MEDIUM"})"))
                .referrals[0].urgency(),
            v1::Referral::STANDARD);
}

TEST_F(StandardiseTest, ConcernCodesFollowSuspectAgeAndVictim) {
  const std::string child = R"({"personRef": "c", "role": "PERSON_ROLE_CHILD"})";
  const std::string child_suspect = R"({"role": "PERSON_ROLE_SUSPECT", "ageYears": 15})";
  const std::string adult_suspect = R"({"role": "PERSON_ROLE_SUSPECT", "ageYears": 30})";
  EXPECT_THAT(Run(Incident("INCIDENT_TYPE_SEXUAL_OFFENCE", child + "," + child_suspect)).referrals[0].concerns(),
              ElementsAre("19B"));
  EXPECT_THAT(Run(Incident("INCIDENT_TYPE_SEXUAL_OFFENCE", child + "," + adult_suspect)).referrals[0].concerns(),
              ElementsAre("19C"));
  EXPECT_THAT(Run(Incident("INCIDENT_TYPE_CHILD_ABUSE", child + "," + child_suspect)).referrals[0].concerns(),
              ElementsAre("18B"));
  EXPECT_THAT(Run(Incident("INCIDENT_TYPE_CHILD_ABUSE", child)).referrals[0].concerns(),
              ElementsAre("18C"));
  EXPECT_THAT(Run(Incident("INCIDENT_TYPE_DOMESTIC_ABUSE", child)).referrals[0].concerns(),
              ElementsAre("3A"));
  EXPECT_THAT(Run(Incident("INCIDENT_TYPE_DOMESTIC_ABUSE",
                           child + R"(, {"role": "PERSON_ROLE_ADULT_VICTIM"})"))
                  .referrals[0].concerns(),
              ElementsAre("3C"));
  EXPECT_THAT(Run(Incident("INCIDENT_TYPE_DOMESTIC_ABUSE",
                           child + R"(, {"role": "PERSON_ROLE_ADULT_VICTIM", "relationships":
                               [{"personRef": "c", "type": "RELATIONSHIP_TYPE_PARENT"}]})"))
                  .referrals[0].concerns(),
              ElementsAre("3B"));
  EXPECT_THAT(Run(Incident("INCIDENT_TYPE_ONLINE_CHILD_EXPLOITATION", child)).referrals[0].concerns(),
              ElementsAre("11A"));
  EXPECT_THAT(Run(Incident("INCIDENT_TYPE_CHILD_CRIMINAL_EXPLOITATION", child)).referrals[0].concerns(),
              ElementsAre("24A"));
  EXPECT_THAT(Run(Incident("INCIDENT_TYPE_CONCERN_FOR_WELFARE", child)).referrals[0].concerns(),
              ElementsAre("20"));
}

TEST_F(StandardiseTest, InvalidEventIsRejectedWithErrors) {
  const StandardiseOutcome outcome = Run(R"({"incidentId": "i"})");
  ASSERT_EQ(outcome.kind, Kind::kRejected);
  EXPECT_EQ(outcome.errors.size(), 3u);  // event_id, force_code, occurred_at
  EXPECT_TRUE(outcome.referrals.empty());
}

TEST_F(StandardiseTest, SameEventGivesSameReferral) {
  const std::string json = Incident("INCIDENT_TYPE_CHILD_NEGLECT", R"({"role": "PERSON_ROLE_CHILD"})");
  EXPECT_EQ(Run(json).referrals[0].SerializeAsString(), Run(json).referrals[0].SerializeAsString());
}

}  // namespace
}  // namespace referral
