// What `referralctl tail` prints: any record gives a printable value.
#include "services/referralctl/record_printer.h"

#include <gtest/gtest.h>

#include "referral/v1/feedback.pb.h"
#include "referral/v1/monitor_state.pb.h"
#include "referral/v1/referral.pb.h"

namespace referral::ctl {
namespace {

TEST(RecordPrinterTest, AReferralIsPrintedAsItsJson) {
  v1::Referral referral;
  referral.set_referral_id("r-1");
  const nlohmann::json value = PrintableValue(
      "referrals.frontdoor.E06000023.v1", {{"content-type", "application/x-protobuf"}},
      referral.SerializeAsString());
  EXPECT_EQ(value, nlohmann::json({{"referralId", "r-1"}}));
}

// Issue 11: the feedback, audit and monitor state topics were read as referrals, so that
// `tail referrals.feedback.v1` printed an acknowledgement as an empty referral.
TEST(RecordPrinterTest, TheFeedsAndTheMonitorsTopicsArePrintedAsTheirOwnMessages) {
  v1::FeedbackEvent event;
  event.mutable_acknowledgement()->set_referral_id("r-1");
  EXPECT_EQ(PrintableValue("pfx.referrals.feedback.v1", {{"content-type", "application/x-protobuf"}},
                           event.SerializeAsString()),
            nlohmann::json({{"acknowledgement", {{"referralId", "r-1"}}}}));
  v1::Disclosure disclosure;
  disclosure.set_subscriber("bristol");
  EXPECT_EQ(PrintableValue("referrals.audit.v1", {{"content-type", "application/x-protobuf"}},
                           disclosure.SerializeAsString()),
            nlohmann::json({{"subscriber", "bristol"}}));
  v1::MonitorState state;
  state.set_format(1);
  EXPECT_EQ(PrintableValue("referrals.monitor.state.v1",
                           {{"content-type", "application/x-protobuf"}}, state.SerializeAsString()),
            nlohmann::json({{"format", 1}}));
}

// Issue 9: a 400,000-level nested JSON record on a dead-letter topic segfaulted `tail`.
TEST(RecordPrinterTest, NestingTooDeepToParseIsPrintedAsText) {
  const std::string deep = std::string(400000, '[') + std::string(400000, ']');
  const nlohmann::json value = PrintableValue("incidents.dlq.v1", {{"dlq_reason", "invalid"}}, deep);
  ASSERT_TRUE(value.is_string());
  EXPECT_EQ(value.get<std::string>().size(), 800000u);
  EXPECT_EQ(DumpLine(value).size(), 800002u);
  // Just within the limit, it is JSON.
  const std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(PrintableValue("other", {}, ok).is_array());
  const std::string over = std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  EXPECT_TRUE(PrintableValue("other", {}, over).is_string());
}

TEST(RecordPrinterTest, BracketsInsideStringsDoNotCount) {
  const std::string text = R"({"a": ")" + std::string(1000, '[') + R"("})";
  EXPECT_TRUE(PrintableValue("other", {}, text).is_object());
}

// Issue 9: a referral whose Timestamp had no JSON form made tail abort (exit 134).
TEST(RecordPrinterTest, AMessageWithNoJsonFormSaysWhyAndKeepsTheBytes) {
  v1::Referral referral;
  referral.mutable_occurred_at()->set_seconds(INT64_MAX);
  const std::string bytes = referral.SerializeAsString();
  const nlohmann::json value =
      PrintableValue("referrals.standardised.v1", {{"content-type", "application/x-protobuf"}}, bytes);
  ASSERT_TRUE(value.is_object());
  EXPECT_NE(value["unprintable"].get<std::string>().find("cannot encode referral.v1.Referral as JSON"),
            std::string::npos);
  EXPECT_EQ(value["text"].get<std::string>(), bytes);
  EXPECT_FALSE(DumpLine(value).empty());
}

TEST(RecordPrinterTest, BytesThatAreNeitherArePrintedAsText) {
  EXPECT_EQ(PrintableValue("other", {}, "\xff\xfe not json"), nlohmann::json("\xff\xfe not json"));
  // Invalid UTF-8 is replaced by U+FFFD, so the line is valid UTF-8.
  EXPECT_EQ(DumpLine(PrintableValue("other", {}, "\xff\xfe")), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST(RecordPrinterTest, TheLastContentTypeHeaderWinsAsInKafkaClients) {
  v1::Referral referral;
  referral.set_referral_id("r-2");
  const nlohmann::json value = PrintableValue(
      "referrals.triage.v1",
      {{"content-type", "application/json"}, {"content-type", "application/x-protobuf"}},
      referral.SerializeAsString());
  EXPECT_EQ(value, nlohmann::json({{"referralId", "r-2"}}));
}

}  // namespace
}  // namespace referral::ctl
