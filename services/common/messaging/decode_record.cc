#include "services/common/messaging/decode_record.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/core/codec.h"
#include "services/common/messaging/cloud_events.h"

namespace referral {

std::optional<DecodeFailure> DecodeRecord(const InRecord& in, google::protobuf::Message& message,
                                          std::vector<UnknownEnumName>* unknown_names) {
  const std::string* content_type = in.FindHeader(kContentTypeHeader);
  absl::StatusOr<Encoding> encoding = EncodingOf(content_type == nullptr ? "" : *content_type);
  if (!encoding.ok()) {
    return DecodeFailure{"unsupported_content_type", std::string(encoding.status().message())};
  }
  // Without a content-type, a value that starts with '{' is JSON: binary protobuf of a proto3
  // message never starts with that byte (field 15 as a group).
  std::string assumed;
  if (content_type == nullptr) {
    const absl::string_view start = absl::StripLeadingAsciiWhitespace(in.value);
    if (!start.empty() && start.front() == '{') {
      encoding = Encoding::kJson;
      assumed = "no content-type; read as JSON since it starts with '{': ";
    } else {
      assumed = "no content-type; read as binary protobuf: ";
    }
  }
  if (absl::Status decoded = Decode(in.value, *encoding, message, unknown_names);
      !decoded.ok()) {
    return DecodeFailure{"undecodable", absl::StrCat("value: ", assumed, decoded.message())};
  }
  return std::nullopt;
}

}  // namespace referral
