#include "services/common/core/codec.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace referral {

absl::StatusOr<Encoding> EncodingOf(absl::string_view content_type) {
  const absl::string_view media =
      absl::StripAsciiWhitespace(content_type.substr(0, content_type.find(';')));
  if (media.empty() || absl::EqualsIgnoreCase(media, kContentTypeProtobuf)) {
    return Encoding::kProtobuf;
  }
  if (absl::EqualsIgnoreCase(media, kContentTypeJson)) return Encoding::kJson;
  return absl::InvalidArgumentError(absl::StrCat("content-type: unsupported \"", media,
                                                 "\" (want ", kContentTypeProtobuf, " or ",
                                                 kContentTypeJson, ")"));
}

absl::Status Decode(absl::string_view bytes, Encoding encoding, google::protobuf::Message& message) {
  if (encoding == Encoding::kProtobuf) {
    if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return absl::InvalidArgumentError(
          absl::StrCat("not a valid binary ", message.GetDescriptor()->full_name()));
    }
    return absl::OkStatus();
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status = google::protobuf::util::JsonStringToMessage(std::string(bytes), &message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid JSON: ", std::string(status.message())));
  }
  return absl::OkStatus();
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string json;
  // Serialising a well-formed message to JSON cannot fail.
  (void)google::protobuf::util::MessageToJsonString(message, &json);
  return json;
}

std::string Encode(const google::protobuf::Message& message, Encoding encoding) {
  return encoding == Encoding::kJson ? ToJson(message) : message.SerializeAsString();
}

absl::string_view ContentTypeOf(Encoding encoding) {
  return encoding == Encoding::kJson ? kContentTypeJson : kContentTypeProtobuf;
}

}  // namespace referral
