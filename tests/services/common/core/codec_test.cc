#include "services/common/core/codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "referral/v1/incident.pb.h"

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
  EXPECT_EQ(ToJson(event), R"({"incidentId":"i1","incidentType":"INCIDENT_TYPE_MISSING_CHILD"})");
}

}  // namespace
}  // namespace referral
