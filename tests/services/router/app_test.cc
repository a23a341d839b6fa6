#include "services/router/app.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "referral/v1/referral.pb.h"
#include "services/common/config/config_file.h"
#include "services/common/config/setup.h"
#include "services/router/config.h"
#include "services/standardiser/config.h"
#include "services/common/core/codec.h"
#include "services/common/core/time_util.h"
#include "services/standardiser/core/standardise.h"
#include "tests/testing/service_doubles.h"
#include "tests/testing/test_setup.h"

namespace referral {
namespace {

using ::testing::ElementsAre;
using testing::At;
using testing::FixedClock;
using testing::HeaderValue;

const RouterSetup& DefaultRouterSetup() {
  static const RouterSetup* setup =
      new RouterSetup(*LoadRouterSetup(testing::DefaultConfigPath("router")));
  return *setup;
}

// The standardised referral of sample 01 (Bristol, E06000023, EDT avon).
v1::Referral BristolReferral() {
  const std::string json = *ReadFile(std::string(REFERRAL_SOURCE_DIR) +
                                     "/tests/data/incidents/01-domestic-abuse-complete.incident.json");
  const StandardiserSetup& standardiser_setup = testing::DefaultStandardiserSetup();
  const Standardiser standardiser(*standardiser_setup.directory, standardiser_setup.time_zone);
  return standardiser.Standardise(testing::IncidentFromJson(json)).referrals.at(0);
}

class RouterProcessorTest : public ::testing::Test {
 protected:
  RouterProcessorTest()
      : router_(*DefaultRouterSetup().directory, *DefaultRouterSetup().holidays, DefaultRouterSetup().topics, DefaultRouterSetup().time_zone),
        metrics_(registry_), dead_letters_(registry_) {}

  std::vector<OutRecord> Process(const std::string& value, const std::string& content_type,
                                 absl::Time now) {
    const FixedClock clock(now);
    RouterProcessor processor(router_, DefaultRouterSetup().topics, Encoding::kProtobuf, clock, metrics_, dead_letters_);
    InRecord in;
    in.topic = "referrals.standardised.v1";
    in.partition = 1;
    in.offset = 7;
    in.key = "KEY";
    in.value = value;
    in.headers.push_back({"content-type", content_type});
    std::vector<OutRecord> out;
    processor.Process(in, out);
    processor.Committed();  // as the loop does once the transaction commits
    return out;
  }

  Router router_;
  prometheus::Registry registry_;
  RouterMetrics metrics_;
  DeadLetterMetrics dead_letters_;
};

std::vector<std::string> Topics(const std::vector<OutRecord>& records) {
  std::vector<std::string> topics;
  for (const OutRecord& r : records) topics.push_back(r.topic);
  return topics;
}

TEST_F(RouterProcessorTest, OutOfHoursGoesToTheEdtAndTheFrontDoorAtClockTime) {
  const v1::Referral referral = BristolReferral();
  // Saturday 02:00 in London.
  const std::vector<OutRecord> out =
      Process(referral.SerializeAsString(), "application/x-protobuf", At("2026-11-28T02:00:00Z"));
  EXPECT_THAT(Topics(out),
              ElementsAre("referrals.edt.avon.v1", "referrals.frontdoor.E06000023.v1"));
  for (const OutRecord& record : out) {
    EXPECT_EQ(record.key, referral.referral_id());
    v1::Referral copy;
    ASSERT_TRUE(copy.ParseFromString(record.value));
    EXPECT_EQ(copy.routing().delivered_to(), record.topic);
    EXPECT_EQ(copy.routing().window(), v1::RoutingDecision::OUT_OF_HOURS);
    EXPECT_EQ(ToAbslTime(copy.routing().decided_at()), At("2026-11-28T02:00:00Z"));
    EXPECT_EQ(HeaderValue(record, "ce_id"), referral.referral_id() + ".r1." + record.topic);
    EXPECT_EQ(HeaderValue(record, "ce_type"), "uk.gov.referral.v1.routed");
    EXPECT_EQ(HeaderValue(record, "ce_time"), "2026-11-28T02:00:00.000Z");
  }
  EXPECT_EQ(metrics_.routed
                .Add({{"la", "E06000023"},
                      {"window", "out_of_hours"},
                      {"rule", "out_of_hours.edt_with_handover"}})
                .Value(),
            1);
}

TEST_F(RouterProcessorTest, InHoursGoesToTheFrontDoorOnlyAndReadsJson) {
  const std::vector<OutRecord> out = Process(*ToJson(BristolReferral()), "application/json",
                                             At("2026-11-25T10:00:00Z"));  // Wednesday
  EXPECT_THAT(Topics(out), ElementsAre("referrals.frontdoor.E06000023.v1"));
}

TEST_F(RouterProcessorTest, UnknownLaGoesToTriageWithATriageLabel) {
  v1::Referral referral = BristolReferral();
  referral.set_la_code("E09999999");  // not in the directory: never a metric label
  const std::vector<OutRecord> out =
      Process(referral.SerializeAsString(), "application/x-protobuf", At("2026-11-25T10:00:00Z"));
  EXPECT_THAT(Topics(out), ElementsAre("referrals.triage.v1"));
  EXPECT_EQ(metrics_.routed
                .Add({{"la", "triage"}, {"window", "in_hours"}, {"rule", "triage.la_not_in_directory"}})
                .Value(),
            1);
}

TEST_F(RouterProcessorTest, UnreadableRecordsGoToTheRoutingDeadLetters) {
  std::vector<OutRecord> out = Process("\xff\xff not protobuf", "application/x-protobuf",
                                       At("2026-11-25T10:00:00Z"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "referrals.dlq.v1");
  EXPECT_EQ(HeaderValue(out[0], "dlq_reason"), "undecodable");
  EXPECT_EQ(HeaderValue(out[0], "dlq_service"), "router");
  EXPECT_EQ(HeaderValue(out[0], "dlq_source_offset"), "7");

  out = Process("{}", "application/json", At("2026-11-25T10:00:00Z"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(HeaderValue(out[0], "dlq_reason"), "invalid");
  EXPECT_EQ(HeaderValue(out[0], "dlq_errors"), "referral_id: required");
}

}  // namespace
}  // namespace referral
