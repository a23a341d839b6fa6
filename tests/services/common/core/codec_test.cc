#include "services/common/core/codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "referral/v1/incident.pb.h"
#include "referral/v1/referral.pb.h"

namespace referral {
namespace {

using ::testing::HasSubstr;

TEST(EncodingOfTest, ContentTypes) {
  EXPECT_EQ(*EncodingOf("application/json"), Encoding::kJson);
  EXPECT_EQ(*EncodingOf("Application/JSON; charset=utf-8"), Encoding::kJson);
  EXPECT_EQ(*EncodingOf("application/x-protobuf"), Encoding::kProtobuf);
  EXPECT_EQ(*EncodingOf(""), Encoding::kProtobuf);
  const auto xml = EncodingOf("text/xml");
  ASSERT_FALSE(xml.ok());
  EXPECT_THAT(xml.status().message(), HasSubstr("content-type: unsupported \"text/xml\""));
}

TEST(DecodeTest, JsonAndProtobufGiveTheSameMessage) {
  v1::IncidentEvent from_json;
  ASSERT_TRUE(Decode(R"({"incidentId": "i1", "revision": "3", "futureField": 1})", Encoding::kJson,
                     from_json)
                  .ok());
  EXPECT_EQ(from_json.incident_id(), "i1");
  EXPECT_EQ(from_json.revision(), 3u);
  v1::IncidentEvent from_binary;
  ASSERT_TRUE(Decode(from_json.SerializeAsString(), Encoding::kProtobuf, from_binary).ok());
  EXPECT_EQ(from_binary.incident_id(), "i1");
}

// Issue 9: dlq_errors quoted fragments of the record ("Alice Smith") from the JSON parser.
TEST(DecodeTest, JsonErrorsGiveThePathAndRuleButNeverQuoteTheInput) {
  v1::IncidentEvent event;
  const absl::Status wrong_type =
      Decode(R"({"eventId": "e", "persons": "Alice Smith"})", Encoding::kJson, event);
  EXPECT_EQ(wrong_type.message(), "invalid JSON: persons: invalid value for referral.v1.Person");
  const absl::Status bad_time =
      Decode(R"({"eventId": "e", "occurredAt": "Alice Smith"})", Encoding::kJson, event);
  EXPECT_EQ(bad_time.message(),
            "invalid JSON: occurred_at: invalid value for google.protobuf.Timestamp");
  const absl::Status syntax =
      Decode(R"({"eventId": "evt", "persons": [{"givenName": "Alice Smith", "x": }]})",
             Encoding::kJson, event);
  EXPECT_EQ(std::string(syntax.message()), "invalid JSON: syntax error at byte 66");
  for (const absl::Status& status : {wrong_type, bad_time, syntax}) {
    EXPECT_THAT(status.message(), ::testing::Not(HasSubstr("Alice")));
  }
}

// Issue 9: raw NUL bytes inside JSON strings were accepted; `lines: [["a"], "b"]` was flattened;
// with duplicate keys the last incidentId won but a second "persons" kept the first list.
TEST(DecodeTest, JsonIsReadStrictlyWithThePathOfWhatIsWrong) {
  v1::IncidentEvent event;
  EXPECT_EQ(std::string(Decode(std::string("{\"incidentId\": \"a\0b\"}", 21), Encoding::kJson, event).message()),
            "invalid JSON: syntax error at byte 18");
  EXPECT_EQ(Decode(R"({"incidentId": "a", "incidentId": "b"})", Encoding::kJson, event).message(),
            "invalid JSON: incident_id: given twice");
  EXPECT_EQ(Decode(R"({"persons": [], "persons": [{"personRef": "x"}]})", Encoding::kJson, event)
                .message(),
            "invalid JSON: persons: given twice");
  EXPECT_EQ(Decode(R"({"persons": [{"personRef": "a"}, {"personRef": "b", "personRef": "c"}]})",
                   Encoding::kJson, event)
                .message(),
            "invalid JSON: persons[1].person_ref: given twice");
  EXPECT_EQ(Decode(R"({"location": {"lines": [["a"], "b"]}})", Encoding::kJson, event).message(),
            "invalid JSON: location.lines[0]: a list inside a list");
  const std::string deep = R"({"x": )" + std::string(100, '[') + std::string(100, ']') + "}";
  EXPECT_EQ(Decode(deep, Encoding::kJson, event).message(),
            "invalid JSON: x[0]: a list inside a list");
  // The same keys in different objects, an escaped NUL and lists of objects are fine.
  ASSERT_TRUE(Decode(R"({"persons": [{"personRef": "a"}, {"personRef": "b"}],
                         "narrative": "a\u0000b", "location": {"lines": ["1", "2"]}})",
                     Encoding::kJson, event)
                  .ok());
  EXPECT_EQ(event.persons_size(), 2);
  EXPECT_EQ(event.location().lines_size(), 2);
}

TEST(DecodeTest, NestingDeeperThanSixtyFourLevelsIsRefused) {
  v1::IncidentEvent event;
  std::string deep;
  for (int i = 0; i < 70; ++i) deep += R"({"a": )";
  deep += "1" + std::string(70, '}');
  EXPECT_THAT(Decode(deep, Encoding::kJson, event).message(),
              HasSubstr("nested deeper than 64 levels"));
}

TEST(DecodeTest, RejectsGarbage) {
  v1::IncidentEvent event;
  const absl::Status json = Decode("{not json", Encoding::kJson, event);
  EXPECT_EQ(json.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(json.message(), HasSubstr("invalid JSON"));
  const absl::Status binary = Decode("\xff\xff\xff", Encoding::kProtobuf, event);
  EXPECT_EQ(binary.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(binary.message(), HasSubstr("referral.v1.IncidentEvent"));
}

TEST(ToJsonTest, CanonicalMapping) {
  v1::IncidentEvent event;
  event.set_incident_id("i1");
  event.set_incident_type(v1::INCIDENT_TYPE_MISSING_CHILD);
  EXPECT_EQ(*ToJson(event), R"({"incidentId":"i1","incidentType":"INCIDENT_TYPE_MISSING_CHILD"})");
}

// Issue 9: a Timestamp outside the JSON range gave a truncated document that counted as written.
TEST(ToJsonTest, AMessageWithNoJsonFormIsAnErrorNotHalfADocument) {
  v1::Referral referral;
  referral.set_referral_id("r-1");
  referral.mutable_occurred_at()->set_seconds(INT64_MAX);
  const absl::StatusOr<std::string> json = ToJson(referral);
  EXPECT_EQ(json.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(json.status().message(), HasSubstr("cannot encode referral.v1.Referral as JSON"));
  EXPECT_EQ(Encode(referral, Encoding::kJson).status().code(), absl::StatusCode::kInvalidArgument);
  // Binary protobuf has no such limit.
  EXPECT_TRUE(Encode(referral, Encoding::kProtobuf).ok());
  // The last valid second (9999-12-31T23:59:59Z) still encodes; one past it does not.
  referral.mutable_occurred_at()->set_seconds(253402300799);
  EXPECT_TRUE(ToJson(referral).ok());
  referral.mutable_occurred_at()->set_seconds(253402300800);
  EXPECT_FALSE(ToJson(referral).ok());
}

}  // namespace
}  // namespace referral

namespace referral {
namespace {

TEST(EncodeTest, RoundTripsThroughDecodeInBothEncodings) {
  v1::Referral referral;
  referral.set_referral_id("r-1");
  referral.set_la_code("E06000023");
  for (Encoding encoding : {Encoding::kProtobuf, Encoding::kJson}) {
    const std::string bytes = *Encode(referral, encoding);
    absl::StatusOr<Encoding> named = EncodingOf(ContentTypeOf(encoding));
    ASSERT_TRUE(named.ok());
    EXPECT_EQ(*named, encoding);
    v1::Referral decoded;
    ASSERT_TRUE(Decode(bytes, encoding, decoded).ok());
    EXPECT_EQ(decoded.referral_id(), "r-1");
    EXPECT_EQ(decoded.la_code(), "E06000023");
  }
  EXPECT_EQ(*Encode(referral, Encoding::kJson), R"({"referralId":"r-1","laCode":"E06000023"})");
}

}  // namespace
}  // namespace referral
