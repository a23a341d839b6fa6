#include "services/standardiser/app.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "absl/strings/str_cat.h"

#include <memory>
#include <string>
#include <vector>

#include "referral/v1/referral.pb.h"
#include "services/common/config/config_file.h"
#include "services/common/core/codec.h"
#include "tests/testing/metrics.h"
#include "tests/testing/service_doubles.h"
#include "tests/testing/test_setup.h"

namespace referral {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::At;
using testing::FixedClock;
using testing::HeaderValue;
using testing::DefaultStandardiserSetup;

std::string Sample(const std::string& name) {
  return *ReadFile(std::string(REFERRAL_SOURCE_DIR) + "/tests/data/incidents/" + name +
                   ".incident.json");
}

std::vector<std::string> HeaderNames(const OutRecord& record) {
  std::vector<std::string> names;
  for (const Header& h : record.headers) names.push_back(h.name);
  return names;
}

// A record of incidents.v1 viewing `value` (which must outlive it) with `content_type`.
InRecord JsonIncident(const std::string& value,
                      std::vector<Header> headers = {{"content-type", "application/json"}}) {
  InRecord in;
  in.topic = "incidents.v1";
  in.value = value;
  in.headers = std::move(headers);
  return in;
}

class StandardiserProcessorTest : public ::testing::Test {
 protected:
  StandardiserProcessorTest()
      : standardiser_(*DefaultStandardiserSetup().directory, DefaultStandardiserSetup().time_zone),
        clock_(At("2026-11-27T10:00:00Z")),
        metrics_(registry_), dead_letters_(registry_) {}

  std::vector<OutRecord> Process(const std::string& value, const std::string& content_type,
                                 Encoding output = Encoding::kProtobuf) {
    StandardiserProcessor processor(standardiser_, DefaultStandardiserSetup().topics, output,
                                    clock_, metrics_, dead_letters_);
    InRecord in;
    in.topic = "incidents.v1";
    in.partition = 2;
    in.offset = 41;
    in.key = "ASP-KEY";
    in.value = value;
    if (!content_type.empty()) in.headers.push_back({"content-type", content_type});
    std::vector<OutRecord> out;
    processor.Process(in, out);
    processor.Committed();  // as the loop does once the transaction commits
    return out;
  }

  Standardiser standardiser_;
  FixedClock clock_;
  prometheus::Registry registry_;
  StandardiserMetrics metrics_;
  DeadLetterMetrics dead_letters_;
};

TEST_F(StandardiserProcessorTest, JsonIncidentBecomesOneProtobufReferralKeyedByReferralId) {
  const std::vector<OutRecord> out =
      Process(Sample("01-domestic-abuse-complete"), "application/json");
  ASSERT_EQ(out.size(), 1u);
  const OutRecord& record = out[0];
  EXPECT_EQ(record.topic, "referrals.standardised.v1");
  v1::Referral referral;
  ASSERT_TRUE(referral.ParseFromString(record.value));
  EXPECT_EQ(record.key, referral.referral_id());
  EXPECT_EQ(referral.incident().incident_id(), "ASP-2026-11-00001");
  EXPECT_THAT(HeaderNames(record), ElementsAre("content-type", "ce_specversion", "ce_id",
                                               "ce_source", "ce_type", "ce_time"));
  EXPECT_EQ(HeaderValue(record, "content-type"), "application/x-protobuf");
  EXPECT_EQ(HeaderValue(record, "ce_specversion"), "1.0");
  EXPECT_EQ(HeaderValue(record, "ce_id"), referral.referral_id() + ".r1");
  EXPECT_EQ(HeaderValue(record, "ce_source"), "/referral-gateway/standardiser");
  EXPECT_EQ(HeaderValue(record, "ce_type"), "uk.gov.referral.v1.standardised");
  EXPECT_EQ(HeaderValue(record, "ce_time"), "2026-11-27T10:00:00.000Z");
  EXPECT_EQ(metrics_.incidents.Add({{"outcome", "referred"}}).Value(), 1);
  EXPECT_EQ(metrics_.referrals.Value(), 1);
}

TEST_F(StandardiserProcessorTest, UnrecognisedValuesAreReferredListedAndCountedByFieldPath) {
  const std::string json = R"({"eventId": "e1", "incidentId": "INC-9", "forceCode": "ASP",
      "occurredAt": "2026-11-20T21:40:00Z", "incidentType": "INCIDENT_TYPE_DOMESTIC_VIOLENCE",
      "location": {"postcode": "BS5 6XX"},
      "persons": [{"personRef": "a", "role": "PERSON_ROLE_CHILDD"},
                  {"personRef": "b", "role": "PERSON_ROLE_CHILDD"}]})";
  const std::vector<OutRecord> out = Process(json, "application/json");
  ASSERT_EQ(out.size(), 1u);
  v1::Referral referral;
  ASSERT_TRUE(referral.ParseFromString(out[0].value));
  EXPECT_EQ(referral.children_size(), 2);
  EXPECT_EQ(referral.unrecognised_values_size(), 3);
  EXPECT_EQ(metrics_.unrecognised.Add({{"field", "persons.role"}}).Value(), 2);
  EXPECT_EQ(metrics_.unrecognised.Add({{"field", "incident_type"}}).Value(), 1);
  // Labels are field paths only, never the value sent.
  for (const auto& family : registry_.Collect()) {
    for (const auto& metric : family.metric) {
      for (const auto& label : metric.label) {
        EXPECT_EQ(label.value.find("CHILDD"), std::string::npos) << family.name;
      }
    }
  }
}

// increase() ignores a series' first sample: each skip reason is there at zero from the start.
TEST_F(StandardiserProcessorTest, EverySkipReasonIsExportedAtZeroFromTheStart) {
  const auto series = testing::CounterSeries(registry_, "referral_incidents_skipped_total");
  for (const auto& [labels, value] : series) EXPECT_EQ(value, 0) << labels;
  EXPECT_EQ(testing::Labels(series),
            (std::set<std::string>{"reason=no_child", "reason=other_type_no_risk"}));
}

// Issue 9: `referred` counted attempts (11 for 8 incidents after an abort).
TEST_F(StandardiserProcessorTest, OutcomesCountOnlyWhenTheirTransactionCommits) {
  StandardiserProcessor processor(standardiser_, DefaultStandardiserSetup().topics,
                                  Encoding::kProtobuf, clock_, metrics_, dead_letters_);
  const std::string json = Sample("01-domestic-abuse-complete");
  const InRecord in = JsonIncident(json);
  InRecord bad = in;
  bad.value = "{";
  std::vector<OutRecord> out;
  processor.Process(in, out);
  processor.Process(bad, out);
  EXPECT_EQ(metrics_.incidents_referred.Value(), 0);  // nothing committed yet
  processor.Aborted();                                // the transaction aborted
  processor.Process(in, out);                         // ... and the records came again
  processor.Process(bad, out);
  processor.Committed();
  EXPECT_EQ(metrics_.incidents_referred.Value(), 1);
  EXPECT_EQ(metrics_.referrals.Value(), 1);
  EXPECT_EQ(metrics_.incidents_rejected.Value(), 1);
  EXPECT_EQ(dead_letters_.For("undecodable").Value(), 1);
  processor.Committed();  // nothing pending: nothing more
  EXPECT_EQ(metrics_.incidents_referred.Value(), 1);
}

// Issue 9: a referral of about 999,600 bytes was written, but neither its routed copy nor the
// router's dead letter fitted, so it never reached the LA. A referral larger than
// max_referral_bytes in either encoding is not produced: the incident is dead-lettered whole.
TEST_F(StandardiserProcessorTest, AReferralTooLargeToDeliverIsNotProducedTheIncidentIsDeadLettered) {
  const std::string json = Sample("01-domestic-abuse-complete");
  const InRecord in = JsonIncident(json);
  std::vector<OutRecord> out;
  StandardiserProcessor unlimited(standardiser_, DefaultStandardiserSetup().topics,
                                  Encoding::kProtobuf, clock_, metrics_, dead_letters_, 10'000'000);
  unlimited.Process(in, out);
  ASSERT_EQ(out.size(), 1u);
  v1::Referral referral;
  ASSERT_TRUE(referral.ParseFromString(out[0].value));
  const size_t json_size = ToJson(referral)->size();
  ASSERT_GT(json_size, out[0].value.size());  // JSON is the larger encoding here

  // Exactly the JSON size: produced. One byte less: the JSON form would not fit downstream.
  out.clear();
  StandardiserProcessor at_limit(standardiser_, DefaultStandardiserSetup().topics,
                                 Encoding::kProtobuf, clock_, metrics_, dead_letters_, json_size);
  at_limit.Process(in, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "referrals.standardised.v1");
  out.clear();
  StandardiserProcessor below(standardiser_, DefaultStandardiserSetup().topics, Encoding::kProtobuf,
                              clock_, metrics_, dead_letters_, json_size - 1);
  below.Process(in, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "incidents.dlq.v1");
  EXPECT_EQ(out[0].value, json);
  EXPECT_EQ(HeaderValue(out[0], "dlq_reason"), "too_large");
  EXPECT_EQ(HeaderValue(out[0], "dlq_errors"),
            absl::StrCat("referral: ", referral.ByteSizeLong(), " bytes (", json_size,
                         " as JSON) exceeds max_referral_bytes ", json_size - 1,
                         "; it could not be delivered to its LA"));
}

TEST_F(StandardiserProcessorTest, ProtobufInputWithoutContentTypeAndJsonOutput) {
  const v1::IncidentEvent event = testing::IncidentFromJson(Sample("09-household-two-las"));
  const std::vector<OutRecord> out = Process(event.SerializeAsString(), "", Encoding::kJson);
  ASSERT_EQ(out.size(), 2u);  // one referral per LA
  for (const OutRecord& record : out) {
    EXPECT_EQ(HeaderValue(record, "content-type"), "application/json");
    v1::Referral referral;
    ASSERT_TRUE(Decode(record.value, Encoding::kJson, referral).ok());
    EXPECT_EQ(record.key, referral.referral_id());
  }
  EXPECT_NE(out[0].key, out[1].key);
}

TEST_F(StandardiserProcessorTest, MalformedJsonIsDeadLetteredWithItsSource) {
  const std::vector<OutRecord> out = Process("{\"eventId\": ", "application/json");
  ASSERT_EQ(out.size(), 1u);
  const OutRecord& letter = out[0];
  EXPECT_EQ(letter.topic, "incidents.dlq.v1");
  EXPECT_EQ(letter.key, "ASP-KEY");
  EXPECT_EQ(letter.value, "{\"eventId\": ");
  EXPECT_THAT(HeaderNames(letter),
              ElementsAre("content-type", "ce_specversion", "ce_id", "ce_source", "ce_type",
                          "dlq_reason", "dlq_errors", "dlq_service", "dlq_source_topic",
                          "dlq_source_partition", "dlq_source_offset"));
  EXPECT_EQ(HeaderValue(letter, "ce_id"), "incidents.v1/2/41/dead_letter");
  EXPECT_EQ(HeaderValue(letter, "ce_type"), "uk.gov.referral.v1.dead_letter");
  EXPECT_EQ(HeaderValue(letter, "dlq_reason"), "undecodable");
  EXPECT_THAT(HeaderValue(letter, "dlq_errors"), HasSubstr("value: invalid JSON"));
  EXPECT_EQ(HeaderValue(letter, "dlq_service"), "standardiser");
  EXPECT_EQ(HeaderValue(letter, "dlq_source_topic"), "incidents.v1");
  EXPECT_EQ(HeaderValue(letter, "dlq_source_partition"), "2");
  EXPECT_EQ(HeaderValue(letter, "dlq_source_offset"), "41");
  EXPECT_EQ(dead_letters_.For("undecodable").Value(), 1);
}

TEST_F(StandardiserProcessorTest, UnsupportedContentTypeIsDeadLettered) {
  const std::vector<OutRecord> out = Process("<incident/>", "text/xml");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(HeaderValue(out[0], "dlq_reason"), "unsupported_content_type");
  EXPECT_EQ(HeaderValue(out[0], "dlq_errors"),
            "content-type: unsupported \"text/xml\" (want application/x-protobuf or application/json)");
}

// Issue 9: a JSON body with no content-type was dead-lettered as "not a valid binary
// IncidentEvent" without saying protobuf was assumed.
TEST_F(StandardiserProcessorTest, JsonWithoutAContentTypeIsReadAsJson) {
  const std::vector<OutRecord> out = Process("  " + Sample("01-domestic-abuse-complete"), "");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "referrals.standardised.v1");
}

TEST_F(StandardiserProcessorTest, AFailureWithoutAContentTypeSaysWhatWasAssumed) {
  std::vector<OutRecord> out = Process("{\"eventId\": ", "");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(HeaderValue(out[0], "dlq_errors"),
            "value: no content-type; read as JSON since it starts with '{': invalid JSON: "
            "syntax error at byte 13");
  out = Process("\xff\xff\xff", "");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(HeaderValue(out[0], "dlq_errors"),
            "value: no content-type; read as binary protobuf: not a valid binary "
            "referral.v1.IncidentEvent");
}

// Issue 9: with two content-type headers the first won, where Java clients take the last.
TEST_F(StandardiserProcessorTest, TheLastContentTypeHeaderWins) {
  StandardiserProcessor processor(standardiser_, DefaultStandardiserSetup().topics,
                                  Encoding::kProtobuf, clock_, metrics_, dead_letters_);
  const std::string json = Sample("01-domestic-abuse-complete");
  const InRecord in = JsonIncident(
      json, {{"content-type", "application/x-protobuf"}, {"content-type", "application/json"}});
  std::vector<OutRecord> out;
  processor.Process(in, out);
  processor.Committed();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "referrals.standardised.v1");
}

TEST_F(StandardiserProcessorTest, StructuredModeCloudEventsAreRefusedSayingWhatToSend) {
  const std::vector<OutRecord> out =
      Process(R"({"specversion": "1.0", "data": {}})", "application/cloudevents+json");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(HeaderValue(out[0], "dlq_reason"), "unsupported_content_type");
  EXPECT_EQ(HeaderValue(out[0], "dlq_errors"),
            "content-type: structured-mode CloudEvents (application/cloudevents+json) are not "
            "supported; send binary mode: the event in the value, ce_* headers, content-type "
            "application/json or application/x-protobuf");
}

TEST_F(StandardiserProcessorTest, InvalidIncidentIsDeadLetteredWithEveryFieldError) {
  const std::vector<OutRecord> out = Process(Sample("14-invalid-missing-ids"), "application/json");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(HeaderValue(out[0], "dlq_reason"), "invalid");
  const std::string expected = *ReadFile(std::string(REFERRAL_SOURCE_DIR) +
                                         "/tests/data/incidents/14-invalid-missing-ids.errors.txt");
  EXPECT_EQ(HeaderValue(out[0], "dlq_errors") + "\n", expected);
}

TEST_F(StandardiserProcessorTest, SkippedIncidentProducesNothingAndIsCounted) {
  EXPECT_TRUE(Process(Sample("11-skipped-no-child"), "application/json").empty());
  EXPECT_EQ(metrics_.skipped.Add({{"reason", "no_child"}}).Value(), 1);
  EXPECT_EQ(metrics_.incidents.Add({{"outcome", "skipped"}}).Value(), 1);
}

TEST_F(StandardiserProcessorTest, QualityIssuesAreCountedByIssue) {
  Process(Sample("02-child-neglect-voice-missing"), "application/json");
  EXPECT_GE(metrics_.quality_issues.Add({{"issue", "child_not_spoken_to_no_reason"}}).Value(), 1);
}

TEST_F(StandardiserProcessorTest, DeadLetterForUnproducibleOutput) {
  StandardiserProcessor processor(standardiser_, DefaultStandardiserSetup().topics,
                                  Encoding::kProtobuf, clock_, metrics_, dead_letters_);
  InRecord in;
  in.topic = "incidents.v1";
  in.key = "K";
  in.value = "bytes";
  const OutRecord letter = processor.DeadLetter(in, "produce_failed", "produce to x: too large");
  EXPECT_EQ(letter.topic, "incidents.dlq.v1");
  EXPECT_EQ(HeaderValue(letter, "dlq_reason"), "produce_failed");
  EXPECT_EQ(HeaderValue(letter, "dlq_errors"), "produce to x: too large");
}

}  // namespace
}  // namespace referral
