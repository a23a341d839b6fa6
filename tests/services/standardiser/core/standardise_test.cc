#include "services/standardiser/core/standardise.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
    return Standardiser(*setup.directory, setup.time_zone).Standardise(testing::IncidentFromJson(json));
  }
};

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
