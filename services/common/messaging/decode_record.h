// Decoding a consumed record by its `content-type` header (binary protobuf or JSON), with the
// dead-letter reason when it cannot be: one rule for every service that reads records.
#ifndef REFERRAL_SERVICES_COMMON_MESSAGING_DECODE_RECORD_H_
#define REFERRAL_SERVICES_COMMON_MESSAGING_DECODE_RECORD_H_

#include <optional>
#include <string>
#include <vector>

#include "google/protobuf/message.h"
#include "services/common/core/unrecognised.h"
#include "services/common/messaging/record.h"

namespace referral {

// Why a record could not be decoded: a dead-letter reason and its detail.
struct DecodeFailure {
  std::string reason;  // "unsupported_content_type" or "undecodable"
  std::string detail;  // "content-type: ..." or "value: ..."
};

// Decodes `in.value` into `message` in the encoding its (last) content-type header names; with
// none, JSON when the value starts with '{', else binary protobuf, and a failure says which was
// assumed.
// Enum names JSON gave that the contract does not define go to `unknown_names` (see Decode()).
// Returns the failure, or std::nullopt when `message` holds the record.
std::optional<DecodeFailure> DecodeRecord(const InRecord& in, google::protobuf::Message& message,
                                          std::vector<UnknownEnumName>* unknown_names = nullptr);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_MESSAGING_DECODE_RECORD_H_
