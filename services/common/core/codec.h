// Wire encodings of the contracts: binary protobuf or canonical proto3 JSON, told apart by the
// `content-type` header (DESIGN.md §3). The decoders are the gateway's first contact with
// outside bytes; tests/fuzz feeds them arbitrary input.
#ifndef REFERRAL_SERVICES_COMMON_CORE_CODEC_H_
#define REFERRAL_SERVICES_COMMON_CORE_CODEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include <vector>

#include "google/protobuf/message.h"
#include "services/common/core/unrecognised.h"

namespace referral {

inline constexpr absl::string_view kContentTypeProtobuf = "application/x-protobuf";
inline constexpr absl::string_view kContentTypeJson = "application/json";

enum class Encoding { kProtobuf, kJson };

// The encoding a `content-type` header value names (parameters such as "; charset=utf-8" are
// ignored). Returns kInvalidArgument for any other media type; an empty value means protobuf.
absl::StatusOr<Encoding> EncodingOf(absl::string_view content_type);

// Parses `bytes` into `message`. JSON ignores unknown fields, as binary protobuf does, so newer
// publishers can add fields; but an enum name the enum does not define is not dropped with
// them: its field keeps kUnrecognisedEnumName and the name is appended to `unknown_names` (when
// given) with its path. (Unknown enum numbers stay in their fields in both encodings;
// FindUnrecognisedValues() reports both.) Returns kInvalidArgument with the parser's reason,
// its field path where it gives one, and never a fragment of the input (it may be personal
// data, and the reason goes into dead-letter headers).
absl::Status Decode(absl::string_view bytes, Encoding encoding, google::protobuf::Message& message,
                    std::vector<UnknownEnumName>* unknown_names = nullptr);

// `message` in `encoding`: binary protobuf, or ToJson(). Returns kInvalidArgument naming the
// reason when it cannot be encoded (a Timestamp outside 0001..9999 has no JSON form).
absl::StatusOr<std::string> Encode(const google::protobuf::Message& message, Encoding encoding);

// The `content-type` header value of `encoding`.
absl::string_view ContentTypeOf(Encoding encoding);

// Canonical proto3 JSON on one line (lowerCamelCase names, enums as names, defaults omitted).
// Returns kInvalidArgument when the message has no JSON form (a Timestamp outside 0001..9999):
// never half a document.
absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message);

namespace internal {

// The reference JSON paths, protobuf's own converter with the strict reading: what Decode and
// ToJson use for whatever json_codec.h's fast reader and writer do not handle. Exposed for the
// tests and the fuzz target that hold the two to the same results.
absl::Status DecodeJsonReference(absl::string_view bytes, google::protobuf::Message& message,
                                 std::vector<UnknownEnumName>* unknown_names);
absl::StatusOr<std::string> ToJsonReference(const google::protobuf::Message& message);

}  // namespace internal
}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_CORE_CODEC_H_
