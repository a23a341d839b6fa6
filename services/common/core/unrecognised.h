// Enum values the gateway does not recognise: found in any decoded message by reflection, so that
// a value it does not know is reported and handled, never taken for an absent one (incident.proto,
// "Values the gateway does not recognise"). Pure.
#ifndef REFERRAL_SERVICES_COMMON_CORE_UNRECOGNISED_H_
#define REFERRAL_SERVICES_COMMON_CORE_UNRECOGNISED_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "referral/v1/referral.pb.h"

namespace referral {

// The number an enum field keeps when JSON gave it a name its enum does not define.
inline constexpr int kUnrecognisedEnumName = -1;

// An enum name a JSON decoder met that its enum does not define.
struct UnknownEnumName {
  std::string field_path;  // "persons[1].role"
  std::string name;        // "PERSON_ROLE_CHILDD"
};

// True when `number` is a value of `field`'s enum.
bool IsRecognised(const google::protobuf::FieldDescriptor& field, int number);

// Every enum field of `message`, recursively and in field order, holding a number its enum does
// not define: its path (proto field names, "persons[1].role") and its value, the name from
// `names` where the decoder met one at that path, else the number ("12").
std::vector<v1::UnrecognisedValue> FindUnrecognisedValues(
    const google::protobuf::Message& message, const std::vector<UnknownEnumName>& names = {});

// "persons[1].role" -> "persons.role": a path without indices, a closed set (a metric label).
std::string FieldPathLabel(absl::string_view field_path);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_CORE_UNRECOGNISED_H_
