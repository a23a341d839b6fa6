#include "services/common/messaging/decode_record.h"

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
  if (absl::Status decoded = Decode(in.value, *encoding, message, unknown_names);
      !decoded.ok()) {
    return DecodeFailure{"undecodable", absl::StrCat("value: ", decoded.message())};
  }
  return std::nullopt;
}

}  // namespace referral
