#include "services/common/core/topics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace referral {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(TopicsTest, DefaultsAreTheContractNames) {
  const config::v1::Topics topics = WithDefaults({});
  EXPECT_EQ(topics.incidents(), "incidents.v1");
  EXPECT_EQ(topics.dead_letters(), "incidents.dlq.v1");
  EXPECT_EQ(topics.standardised(), "referrals.standardised.v1");
  EXPECT_EQ(topics.triage(), "referrals.triage.v1");
  EXPECT_EQ(topics.routing_dead_letters(), "referrals.dlq.v1");
  EXPECT_EQ(FrontDoorTopic(topics, "E06000023"), "referrals.frontdoor.E06000023.v1");
  EXPECT_EQ(EdtTopic(topics, "avon"), "referrals.edt.avon.v1");
  EXPECT_THAT(ValidateTopics(topics), IsEmpty());
}

TEST(TopicsTest, ConfiguredNamesWinAndTemplatesAreChecked) {
  config::v1::Topics configured;
  configured.set_incidents("test.incidents");
  configured.set_front_door_template("fd");
  configured.set_edt_template("edt.{edt}.{edt}");
  const config::v1::Topics topics = WithDefaults(configured);
  EXPECT_EQ(topics.incidents(), "test.incidents");
  EXPECT_THAT(ValidateTopics(topics),
              ElementsAre(FieldError{"topics.front_door_template", "must contain {la} once"},
                          FieldError{"topics.edt_template", "must contain {edt} once"}));
}

TEST(RoutedTopicsTest, EachFrontDoorAndEdtOnceAndTriageButNotTheDeadLetters) {
  config::v1::Directory directory;
  for (const auto& [gss, edt] : std::vector<std::pair<std::string, std::string>>{
           {"E06000022", "avon"}, {"E06000023", "avon"}, {"E06000066", ""}}) {
    auto* la = directory.add_local_authorities();
    la->set_gss_code(gss);
    la->set_edt_id(edt);
  }
  EXPECT_THAT(RoutedTopics(WithDefaults({}), directory),
              ::testing::ElementsAre("referrals.edt.avon.v1", "referrals.frontdoor.E06000022.v1",
                                     "referrals.frontdoor.E06000023.v1",
                                     "referrals.frontdoor.E06000066.v1", "referrals.triage.v1"));
}

}  // namespace
}  // namespace referral
