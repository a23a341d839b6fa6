#include "services/standardiser/core/quality.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/common/config/config_file.h"
#include "services/standardiser/core/standardise.h"
#include "tests/testing/test_setup.h"

namespace referral {
namespace {

using ::testing::DoubleEq;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Each test starts from the complete sample incident (no issues, 11 applicable checks), breaks
// one thing, and expects exactly the matching issue.
class QualityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto text = ReadFile(std::string(REFERRAL_SOURCE_DIR) +
                               "/tests/data/incidents/01-domestic-abuse-complete.incident.json");
    ASSERT_TRUE(text.ok());
    event_ = testing::IncidentFromJson(*text);
  }

  // Standardises event_ and returns the first referral's quality.
  v1::Quality Assess() {
    const StandardiserSetup& setup = testing::DefaultStandardiserSetup();
    const StandardiseOutcome outcome =
        Standardiser(*setup.directory, setup.time_zone).Standardise(event_);
    EXPECT_EQ(outcome.kind, StandardiseOutcome::Kind::kReferrals);
    return outcome.referrals.empty() ? v1::Quality() : outcome.referrals[0].quality();
  }

  v1::Person* Child(int n) {
    int seen = 0;
    for (v1::Person& p : *event_.mutable_persons()) {
      if (p.role() == v1::PERSON_ROLE_CHILD && seen++ == n) return &p;
    }
    ADD_FAILURE() << "no child " << n;
    return nullptr;
  }

  v1::IncidentEvent event_;
};

TEST_F(QualityTest, CompleteIncidentHasNoIssues) {
  const v1::Quality quality = Assess();
  EXPECT_THAT(quality.issues(), IsEmpty());
  EXPECT_THAT(quality.completeness(), DoubleEq(1.0));
}

TEST_F(QualityTest, ChildNotSpokenToWithoutReason) {
  Child(1)->mutable_voice()->Clear();
  Child(1)->mutable_voice()->set_seen(true);
  EXPECT_THAT(Assess().issues(), ElementsAre(v1::QUALITY_ISSUE_CHILD_NOT_SPOKEN_TO_NO_REASON));
}

TEST_F(QualityTest, MissingVoiceRecordCountsAsNotSpokenTo) {
  Child(0)->clear_voice();
  EXPECT_THAT(Assess().issues(), ElementsAre(v1::QUALITY_ISSUE_CHILD_NOT_SPOKEN_TO_NO_REASON));
}

TEST_F(QualityTest, ReasonForNotSpeakingSatisfiesTheCheck) {
  Child(1)->mutable_voice()->set_spoken_to(false);
  Child(1)->mutable_voice()->set_not_spoken_reason(v1::NOT_SPOKEN_REASON_ASLEEP);
  EXPECT_THAT(Assess().issues(), IsEmpty());
}

TEST_F(QualityTest, ViewsNotRecorded) {
  Child(0)->mutable_voice()->set_views("   ");
  const v1::Quality quality = Assess();
  EXPECT_THAT(quality.issues(), ElementsAre(v1::QUALITY_ISSUE_CHILD_VIEWS_NOT_RECORDED));
  EXPECT_THAT(quality.completeness(), DoubleEq(10.0 / 11.0));
}

TEST_F(QualityTest, ViewsCheckDoesNotApplyWhenNoChildWasSpokenTo) {
  for (int i = 0; i < 2; ++i) {
    Child(i)->mutable_voice()->set_spoken_to(false);
    Child(i)->mutable_voice()->set_views("");
    Child(i)->mutable_voice()->set_not_spoken_reason(v1::NOT_SPOKEN_REASON_TOO_YOUNG);
  }
  Child(0)->set_given_name("");  // one failure among the 10 applicable checks
  const v1::Quality quality = Assess();
  EXPECT_THAT(quality.issues(), ElementsAre(v1::QUALITY_ISSUE_CHILD_IDENTITY_INCOMPLETE));
  EXPECT_THAT(quality.completeness(), DoubleEq(9.0 / 10.0));
}

TEST_F(QualityTest, ResidentChildrenBeyondThoseListed) {
  event_.mutable_household()->set_resident_children_count(3);
  EXPECT_THAT(Assess().issues(), ElementsAre(v1::QUALITY_ISSUE_OTHER_CHILDREN_NOT_IDENTIFIED));
}

TEST_F(QualityTest, ResidentChildrenNotRecorded) {
  event_.clear_household();
  EXPECT_THAT(Assess().issues(), ElementsAre(v1::QUALITY_ISSUE_OTHER_CHILDREN_NOT_IDENTIFIED));
}

TEST_F(QualityTest, SuspectAccessUnknownOrUnrecorded) {
  for (auto access : {v1::ACCESS_TO_CHILDREN_UNKNOWN, v1::ACCESS_TO_CHILDREN_UNSPECIFIED}) {
    for (v1::Person& p : *event_.mutable_persons()) {
      if (p.role() == v1::PERSON_ROLE_SUSPECT) p.set_access_to_other_children(access);
    }
    EXPECT_THAT(Assess().issues(),
                ElementsAre(v1::QUALITY_ISSUE_PERPETRATOR_ACCESS_TO_CHILDREN_UNKNOWN));
  }
}

TEST_F(QualityTest, SuspectCheckDoesNotApplyWithoutSuspect) {
  auto* persons = event_.mutable_persons();
  persons->erase(std::remove_if(persons->begin(), persons->end(),
                                [](const v1::Person& p) { return p.role() == v1::PERSON_ROLE_SUSPECT; }),
                 persons->end());
  event_.clear_police_actions();
  const v1::Quality quality = Assess();
  EXPECT_THAT(quality.issues(), ElementsAre(v1::QUALITY_ISSUE_NO_POLICE_ACTION_RECORDED));
  EXPECT_THAT(quality.completeness(), DoubleEq(9.0 / 10.0));
}

TEST_F(QualityTest, ChildIdentityNeedsNamesDateOfBirthAndAddress) {
  Child(0)->clear_date_of_birth();
  Child(0)->set_age_years(9);
  EXPECT_THAT(Assess().issues(), ElementsAre(v1::QUALITY_ISSUE_CHILD_IDENTITY_INCOMPLETE));
  SetUp();
  Child(1)->mutable_home_address()->Clear();
  Child(1)->mutable_home_address()->set_la_code("E06000023");  // a code is not an address
  EXPECT_THAT(Assess().issues(), ElementsAre(v1::QUALITY_ISSUE_CHILD_IDENTITY_INCOMPLETE));
}

// Any one of a postcode, address lines or a UPRN makes a usable address; blanks do not.
TEST_F(QualityTest, AnAddressOfOnlyAUprnOrOnlyLinesOrOnlyAPostcodeIsAnAddress) {
  for (const char* only : {"uprn", "lines", "postcode"}) {
    SCOPED_TRACE(only);
    SetUp();
    v1::Address& address = *Child(1)->mutable_home_address();
    address.Clear();
    if (std::string(only) == "uprn") address.set_uprn("100121241798");
    if (std::string(only) == "lines") address.add_lines("7 Hill View");
    if (std::string(only) == "postcode") address.set_postcode("BS5 6XX");
    EXPECT_THAT(Assess().issues(), IsEmpty());
  }
  SetUp();
  v1::Address& blank = *Child(1)->mutable_home_address();
  blank.Clear();
  blank.set_uprn("  ");
  blank.set_postcode(" ");
  EXPECT_THAT(Assess().issues(), ElementsAre(v1::QUALITY_ISSUE_CHILD_IDENTITY_INCOMPLETE));
}

TEST_F(QualityTest, ParentCarerMissing) {
  for (v1::Person& p : *event_.mutable_persons()) {
    if (p.role() == v1::PERSON_ROLE_PARENT_CARER) p.set_role(v1::PERSON_ROLE_OTHER_ADULT);
  }
  EXPECT_THAT(Assess().issues(), ElementsAre(v1::QUALITY_ISSUE_PARENT_CARER_MISSING));
}

TEST_F(QualityTest, ReferrerNeedsIdNameAndAWayToCallBack) {
  event_.mutable_referrer()->clear_phone();
  EXPECT_THAT(Assess().issues(), IsEmpty());  // email is enough
  event_.mutable_referrer()->clear_email();
  EXPECT_THAT(Assess().issues(), ElementsAre(v1::QUALITY_ISSUE_REFERRER_CONTACT_MISSING));
  SetUp();
  event_.mutable_referrer()->clear_officer_id();
  EXPECT_THAT(Assess().issues(), ElementsAre(v1::QUALITY_ISSUE_REFERRER_CONTACT_MISSING));
}

TEST_F(QualityTest, LaUnresolved) {
  for (v1::Person& p : *event_.mutable_persons()) p.clear_home_address();
  event_.mutable_location()->set_postcode("ZZ99 9ZZ");
  for (int i = 0; i < 2; ++i) Child(i)->mutable_home_address()->add_lines("somewhere");
  EXPECT_THAT(Assess().issues(), ElementsAre(v1::QUALITY_ISSUE_LA_UNRESOLVED));
}

TEST_F(QualityTest, RiskNotAssessed) {
  event_.clear_risk();
  EXPECT_THAT(Assess().issues(), ElementsAre(v1::QUALITY_ISSUE_RISK_NOT_ASSESSED));
  SetUp();
  // Domestic abuse needs DASH, whatever the call grade.
  event_.mutable_risk()->set_dash_level(v1::Risk::DASH_LEVEL_UNSPECIFIED);
  EXPECT_THAT(Assess().issues(), ElementsAre(v1::QUALITY_ISSUE_RISK_NOT_ASSESSED));
  // Other incident types are assessed by a call grade alone.
  event_.set_incident_type(v1::INCIDENT_TYPE_CHILD_NEGLECT);
  EXPECT_THAT(Assess().issues(), IsEmpty());
}

TEST_F(QualityTest, InformationSharingNotRecorded) {
  event_.mutable_information_sharing()->set_lawful_basis(v1::LAWFUL_BASIS_UNSPECIFIED);
  EXPECT_THAT(Assess().issues(), ElementsAre(v1::QUALITY_ISSUE_INFORMATION_SHARING_NOT_RECORDED));
  SetUp();
  event_.mutable_information_sharing()->set_parents_informed(false);
  EXPECT_THAT(Assess().issues(), ElementsAre(v1::QUALITY_ISSUE_INFORMATION_SHARING_NOT_RECORDED));
  event_.mutable_information_sharing()->set_not_informed_reason("would alert the suspect");
  EXPECT_THAT(Assess().issues(), IsEmpty());
}

TEST_F(QualityTest, IssuesComeOutInEnumOrder) {
  event_.clear_referrer();
  event_.clear_household();
  event_.clear_police_actions();
  const v1::Quality quality = Assess();
  EXPECT_THAT(quality.issues(), ElementsAre(v1::QUALITY_ISSUE_OTHER_CHILDREN_NOT_IDENTIFIED,
                                            v1::QUALITY_ISSUE_NO_POLICE_ACTION_RECORDED,
                                            v1::QUALITY_ISSUE_REFERRER_CONTACT_MISSING));
  EXPECT_THAT(quality.completeness(), DoubleEq(8.0 / 11.0));
}

}  // namespace
}  // namespace referral
