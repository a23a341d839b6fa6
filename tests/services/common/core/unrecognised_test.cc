// Enum values the gateway does not recognise: found in both encodings, with their field paths,
// never dropped.
#include "services/common/core/unrecognised.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/text_format.h"
#include "referral/v1/incident.pb.h"
#include "referral/v1/referral.pb.h"
#include "services/common/core/codec.h"

namespace referral {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Describe(const std::vector<v1::UnrecognisedValue>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) out.push_back(v.field_path() + "=" + v.value());
  return out;
}

TEST(UnrecognisedTest, NothingInAMessageOfKnownValues) {
  v1::IncidentEvent event;
  event.set_incident_type(v1::INCIDENT_TYPE_CHILD_NEGLECT);
  event.add_persons()->set_role(v1::PERSON_ROLE_CHILD);
  EXPECT_THAT(FindUnrecognisedValues(event), IsEmpty());
}

TEST(UnrecognisedTest, UnknownNumbersAnywhereWithTheirPathsInFieldOrder) {
  v1::IncidentEvent event;
  event.set_incident_type(static_cast<v1::IncidentType>(40));
  event.add_persons()->set_role(v1::PERSON_ROLE_CHILD);
  v1::Person& second = *event.add_persons();
  second.set_role(static_cast<v1::PersonRole>(12));
  second.mutable_voice()->set_not_spoken_reason(static_cast<v1::NotSpokenReason>(99));
  event.add_police_actions()->set_type(v1::POLICE_ACTION_TYPE_ARREST);
  event.add_police_actions()->set_type(static_cast<v1::PoliceActionType>(77));
  EXPECT_THAT(Describe(FindUnrecognisedValues(event)),
              ElementsAre("incident_type=40", "persons[1].role=12",
                          "persons[1].voice.not_spoken_reason=99", "police_actions[1].type=77"));
}

TEST(UnrecognisedTest, FoundAtEveryDepthAndInEveryTypeThatHoldsThem) {
  // Relationships sit two repeated levels down; the referral shares Person with the incident, so
  // a type is looked into the same way whichever message reached it first.
  v1::IncidentEvent event;
  v1::Person& person = *event.add_persons();
  person.add_relationships()->set_type(v1::RELATIONSHIP_TYPE_PARENT);
  person.add_relationships()->set_type(static_cast<v1::RelationshipType>(31));
  EXPECT_THAT(Describe(FindUnrecognisedValues(event)), ElementsAre("persons[0].relationships[1].type=31"));
  v1::Referral referral;
  referral.add_children()->mutable_voice()->set_not_spoken_reason(static_cast<v1::NotSpokenReason>(8));
  *referral.add_adults() = person;
  EXPECT_THAT(Describe(FindUnrecognisedValues(referral)),
              ElementsAre("children[0].voice.not_spoken_reason=8", "adults[0].relationships[1].type=31"));
}

TEST(UnrecognisedTest, ARecursiveTypeIsWalkedToItsDepth) {
  // google.protobuf.Value holds itself through ListValue: the enum below is found however the
  // recursion was first met.
  google::protobuf::Value value;
  google::protobuf::Value& inner = *value.mutable_list_value()->add_values();
  inner.mutable_list_value()->add_values()->set_null_value(static_cast<google::protobuf::NullValue>(7));
  EXPECT_THAT(Describe(FindUnrecognisedValues(value)),
              ElementsAre("list_value.values[0].list_value.values[0].null_value=7"));
  EXPECT_THAT(Describe(FindUnrecognisedValues(inner)), ElementsAre("list_value.values[0].null_value=7"));
}

TEST(UnrecognisedTest, EachSideOfTheHighestDefinedNumber) {
  // The walk looks small numbers up in a table of the enum's values: pin its edges.
  const int highest = v1::PersonRole_MAX;
  v1::IncidentEvent event;
  event.add_persons()->set_role(static_cast<v1::PersonRole>(highest));
  event.add_persons()->set_role(static_cast<v1::PersonRole>(highest + 1));
  event.add_persons()->set_role(static_cast<v1::PersonRole>(-5));
  event.add_persons()->set_role(static_cast<v1::PersonRole>(2147483647));
  EXPECT_THAT(Describe(FindUnrecognisedValues(event)),
              ElementsAre("persons[1].role=" + std::to_string(highest + 1), "persons[2].role=-5",
                          "persons[3].role=2147483647"));
}

TEST(UnrecognisedTest, NumbersOutsideTheTableAreAskedOfTheDescriptor) {
  // An enum defining a negative number and one above the table's range (1024), as a contract may.
  google::protobuf::FileDescriptorProto file;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"pb(
    name: "wide.proto" package: "t" syntax: "proto3"
    enum_type { name: "Wide" value { name: "WIDE_ZERO" number: 0 }
                value { name: "WIDE_NEG" number: -3 } value { name: "WIDE_BIG" number: 5000 } }
    message_type { name: "M" field { name: "w" number: 1 label: LABEL_REPEATED type: TYPE_ENUM
                                     type_name: ".t.Wide" } })pb", &file));
  google::protobuf::DescriptorPool pool;
  const google::protobuf::FileDescriptor* built = pool.BuildFile(file);
  ASSERT_NE(built, nullptr);
  google::protobuf::DynamicMessageFactory factory(&pool);
  std::unique_ptr<google::protobuf::Message> message(
      factory.GetPrototype(built->FindMessageTypeByName("M"))->New());
  const google::protobuf::FieldDescriptor* w = built->FindMessageTypeByName("M")->FindFieldByName("w");
  for (int number : {5000, -3, 5001, -4, 1024, 1025}) {
    message->GetReflection()->AddEnumValue(message.get(), w, number);
  }
  EXPECT_THAT(Describe(FindUnrecognisedValues(*message)),
              ElementsAre("w[2]=5001", "w[3]=-4", "w[4]=1024", "w[5]=1025"));
}

TEST(UnrecognisedTest, ANameTheDecoderMetIsReportedAsSent) {
  v1::IncidentEvent event;
  event.add_persons()->set_role(static_cast<v1::PersonRole>(kUnrecognisedEnumName));
  EXPECT_THAT(Describe(FindUnrecognisedValues(event, {{"persons[0].role", "PERSON_ROLE_CHILDD"}})),
              ElementsAre("persons[0].role=PERSON_ROLE_CHILDD"));
  // Without the decoder's name, the number.
  EXPECT_THAT(Describe(FindUnrecognisedValues(event)), ElementsAre("persons[0].role=-1"));
}

TEST(UnrecognisedTest, FieldPathLabelsDropIndices) {
  EXPECT_EQ(FieldPathLabel("persons[12].voice.not_spoken_reason"), "persons.voice.not_spoken_reason");
  EXPECT_EQ(FieldPathLabel("incident_type"), "incident_type");
  EXPECT_EQ(FieldPathLabel("issues[0]"), "issues");
}

TEST(DecodeUnrecognisedTest, AMisspeltNameInJsonIsKeptNotDropped) {
  v1::IncidentEvent event;
  std::vector<UnknownEnumName> names;
  ASSERT_TRUE(Decode(R"({"incidentId": "i1", "futureField": {"x": 1},
                         "incidentType": "INCIDENT_TYPE_DOMESTIC_VIOLENCE",
                         "persons": [{"role": "PERSON_ROLE_PARENT_CARER"},
                                     {"role": "PERSON_ROLE_CHILDD", "givenName": "A"}]})",
                     Encoding::kJson, event, &names)
                  .ok());
  EXPECT_EQ(event.incident_id(), "i1");
  EXPECT_EQ(event.incident_type(), kUnrecognisedEnumName);
  EXPECT_EQ(event.persons(0).role(), v1::PERSON_ROLE_PARENT_CARER);
  EXPECT_EQ(event.persons(1).role(), kUnrecognisedEnumName);
  EXPECT_EQ(event.persons(1).given_name(), "A");
  EXPECT_THAT(Describe(FindUnrecognisedValues(event, names)),
              ElementsAre("incident_type=INCIDENT_TYPE_DOMESTIC_VIOLENCE",
                          "persons[1].role=PERSON_ROLE_CHILDD"));
}

TEST(DecodeUnrecognisedTest, AnUnknownNumberInJsonStays) {
  v1::IncidentEvent event;
  ASSERT_TRUE(Decode(R"({"persons": [{"role": 12}], "risk": {"dashLevel": 7}})", Encoding::kJson,
                     event)
                  .ok());
  EXPECT_THAT(Describe(FindUnrecognisedValues(event)),
              ElementsAre("persons[0].role=12", "risk.dash_level=7"));
}

TEST(DecodeUnrecognisedTest, AnUnknownNumberInProtobufStays) {
  v1::IncidentEvent sent;
  sent.add_persons()->set_role(static_cast<v1::PersonRole>(12));
  v1::IncidentEvent event;
  ASSERT_TRUE(Decode(sent.SerializeAsString(), Encoding::kProtobuf, event).ok());
  EXPECT_THAT(Describe(FindUnrecognisedValues(event)), ElementsAre("persons[0].role=12"));
}

TEST(DecodeUnrecognisedTest, ARepeatedEnumKeepsItsUnknownNamesInPlace) {
  v1::Quality quality;
  std::vector<UnknownEnumName> names;
  ASSERT_TRUE(Decode(R"({"issues": ["QUALITY_ISSUE_LA_UNRESOLVED", "QUALITY_ISSUE_BOGUS", 2]})",
                     Encoding::kJson, quality, &names)
                  .ok());
  ASSERT_EQ(quality.issues_size(), 3);
  EXPECT_EQ(quality.issues(0), v1::QUALITY_ISSUE_LA_UNRESOLVED);
  EXPECT_EQ(quality.issues(1), kUnrecognisedEnumName);
  EXPECT_EQ(quality.issues(2), 2);
  EXPECT_THAT(Describe(FindUnrecognisedValues(quality, names)),
              ElementsAre("issues[1]=QUALITY_ISSUE_BOGUS"));
}

TEST(DecodeUnrecognisedTest, InvalidJsonIsStillRejected) {
  v1::IncidentEvent event;
  EXPECT_EQ(Decode(R"({"persons": [{"role": "PERSON_ROLE_CHILDD"})", Encoding::kJson, event).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Decode(R"({"persons": "not a list"})", Encoding::kJson, event).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace referral
