// Wire encodings of the contracts: binary protobuf or canonical proto3 JSON, told apart by the
// `content-type` header (DESIGN.md §3). The decoders are the gateway's first contact with
// outside bytes; tests/fuzz feeds them arbitrary input.
#ifndef REFERRAL_SERVICES_COMMON_CORE_CODEC_H_
#define REFERRAL_SERVICES_COMMON_CORE_CODEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace referral {

inline constexpr absl::string_view kContentTypeProtobuf = "application/x-protobuf";
inline constexpr absl::string_view kContentTypeJson = "application/json";

enum class Encoding { kProtobuf, kJson };

// The encoding a `content-type` header value names (parameters such as "; charset=utf-8" are
// ignored). Returns kInvalidArgument for any other media type; an empty value means protobuf.
absl::StatusOr<Encoding> EncodingOf(absl::string_view content_type);

// Parses `bytes` into `message`. JSON ignores unknown fields, as binary protobuf does, so newer
// publishers can add fields. Returns kInvalidArgument with the parser's reason.
absl::Status Decode(absl::string_view bytes, Encoding encoding, google::protobuf::Message& message);

// `message` in `encoding`: binary protobuf, or ToJson().
std::string Encode(const google::protobuf::Message& message, Encoding encoding);

// The `content-type` header value of `encoding`.
absl::string_view ContentTypeOf(Encoding encoding);

// Canonical proto3 JSON on one line (lowerCamelCase names, enums as names, defaults omitted).
std::string ToJson(const google::protobuf::Message& message);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_CORE_CODEC_H_
