#include "services/common/core/codec.h"

#include <nlohmann/json.hpp>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/common/core/json_codec.h"

namespace referral {
namespace {

using google::protobuf::FieldDescriptor;

// Walks the JSON `json` beside `message`, which was decoded from it with unknown fields ignored:
// each enum name its enum does not define is recorded in `names` and its field set to
// kUnrecognisedEnumName (a repeated enum field is rebuilt from the JSON list, whose unknown
// names the parser dropped).
void RestoreUnknownEnumNames(const google::protobuf::Value& json, google::protobuf::Message& message,
                             const std::string& prefix, std::vector<UnknownEnumName>& names) {
  if (!json.has_struct_value()) return;
  const google::protobuf::Descriptor& descriptor = *message.GetDescriptor();
  const google::protobuf::Reflection& reflection = *message.GetReflection();
  for (const auto& [key, value] : json.struct_value().fields()) {
    const FieldDescriptor* field = nullptr;
    for (int i = 0; i < descriptor.field_count() && field == nullptr; ++i) {
      const FieldDescriptor* candidate = descriptor.field(i);
      if (candidate->json_name() == key || candidate->name() == key) field = candidate;
    }
    if (field == nullptr || field->is_map()) continue;
    const std::string path = prefix.empty() ? field->name() : absl::StrCat(prefix, ".", field->name());
    if (field->type() == FieldDescriptor::TYPE_ENUM) {
      auto number_of = [&](const google::protobuf::Value& item, const std::string& at) -> int {
        if (item.has_string_value()) {
          const auto* known = field->enum_type()->FindValueByName(item.string_value());
          if (known != nullptr) return known->number();
          names.push_back({at, item.string_value()});
          return kUnrecognisedEnumName;
        }
        return static_cast<int>(item.number_value());
      };
      if (!field->is_repeated()) {
        if (value.has_string_value() &&
            field->enum_type()->FindValueByName(value.string_value()) == nullptr) {
          reflection.SetEnumValue(&message, field, number_of(value, path));
        }
      } else if (value.has_list_value()) {
        reflection.ClearField(&message, field);
        const auto& items = value.list_value().values();
        for (int i = 0; i < items.size(); ++i) {
          reflection.AddEnumValue(&message, field, number_of(items[i], absl::StrCat(path, "[", i, "]")));
        }
      }
    } else if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (!field->is_repeated()) {
        if (value.has_struct_value()) {
          RestoreUnknownEnumNames(value, *reflection.MutableMessage(&message, field), path, names);
        }
      } else if (value.has_list_value()) {
        const auto& items = value.list_value().values();
        for (int i = 0; i < items.size() && i < reflection.FieldSize(message, field); ++i) {
          RestoreUnknownEnumNames(items[i], *reflection.MutableRepeatedMessage(&message, field, i),
                                  absl::StrCat(path, "[", i, "]"), names);
        }
      }
    }
  }
}

// The JSON parser's reason without what it quotes of the input (DOMAIN.md §5: dead-letter
// headers and logs hold field paths and rules only): "persons: invalid value for
// referral.v1.Person", or the parser's sentence up to its first colon ("Unexpected token.").
std::string SafeJsonError(absl::string_view message) {
  absl::string_view line = message.substr(0, message.find('\n'));
  std::string path;
  if (absl::ConsumePrefix(&line, "(")) {
    const size_t close = line.find(')');
    if (close != absl::string_view::npos) {
      path = std::string(line.substr(0, close));
      line.remove_prefix(close + 1);
      absl::ConsumePrefix(&line, ":");
      line = absl::StripLeadingAsciiWhitespace(line);
    }
  }
  constexpr absl::string_view kTypePrefix = "for type type.googleapis.com/";
  std::string rule;
  if (const size_t type = line.rfind(kTypePrefix); type != absl::string_view::npos) {
    rule = absl::StrCat("invalid value for ", line.substr(type + kTypePrefix.size()));
  } else {
    rule = std::string(line.substr(0, line.find_first_of(":\"'")));
    if (rule.empty()) rule = "not valid JSON";
  }
  return path.empty() ? rule : absl::StrCat(path, ": ", rule);
}

// The strict reading of JSON the gateway takes (issue 9): syntax as RFC 8259 has it (a raw
// control character such as NUL inside a string is an error), no key twice in one object (the
// protobuf parser kept the last of some and the first of others), no list directly inside a list
// (no contract has one; the protobuf parser flattened them), no nesting deeper than kMaxDepth.
// Paths use proto field names ("persons[1].given_name"), never values.
class StrictJson final : public nlohmann::json_sax<nlohmann::json> {
 public:
  static constexpr int kMaxDepth = 64;

  // OK, or kInvalidArgument naming the path and the rule.
  static absl::Status Check(absl::string_view json) {
    StrictJson sax;
    const bool parsed = nlohmann::json::sax_parse(json.begin(), json.end(), &sax);
    if (!sax.error_.empty()) return absl::InvalidArgumentError(sax.error_);
    if (!parsed) return absl::InvalidArgumentError("syntax error");
    return absl::OkStatus();
  }

  bool null() override { return Value(); }
  bool boolean(bool) override { return Value(); }
  bool number_integer(number_integer_t) override { return Value(); }
  bool number_unsigned(number_unsigned_t) override { return Value(); }
  bool number_float(number_float_t, const string_t&) override { return Value(); }
  bool string(string_t&) override { return Value(); }
  bool binary(binary_t&) override { return Value(); }

  bool start_object(std::size_t) override {
    if (!Value()) return false;
    return Push(false);
  }
  bool key(string_t& name) override {
    Frame& frame = frames_.back();
    frame.key = SnakeCase(name);
    if (!frame.keys.insert(name).second) return Fail(absl::StrCat(Path(), ": given twice"));
    return true;
  }
  bool end_object() override { return Pop(); }
  bool start_array(std::size_t) override {
    if (!frames_.empty() && frames_.back().array) {
      Value();
      return Fail(absl::StrCat(Path(), ": a list inside a list"));
    }
    if (!Value()) return false;
    return Push(true);
  }
  bool end_array() override { return Pop(); }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) override {
    // The parser's own message quotes the input; the byte position does not.
    return Fail(absl::StrCat("syntax error at byte ", position));
  }

 private:
  struct Frame {
    bool array = false;
    int64_t index = -1;         // arrays: the element being read
    std::string key;            // objects: the member being read
    absl::flat_hash_set<std::string> keys;
  };

  static std::string SnakeCase(absl::string_view name) {
    std::string out;
    for (char c : name) {
      if (absl::ascii_isupper(c)) {
        out.push_back('_');
        out.push_back(absl::ascii_tolower(c));
      } else {
        out.push_back(c);
      }
    }
    return out;
  }

  // A value starts: the next element of an enclosing array.
  bool Value() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
    return true;
  }
  bool Push(bool array) {
    if (static_cast<int>(frames_.size()) >= kMaxDepth) {
      return Fail(absl::StrCat(Path(), ": nested deeper than ", kMaxDepth, " levels"));
    }
    frames_.push_back(Frame{array, -1, "", {}});
    return true;
  }
  bool Pop() {
    frames_.pop_back();
    return true;
  }
  bool Fail(std::string error) {
    if (error_.empty()) error_ = std::move(error);
    return false;
  }
  std::string Path() const {
    std::string path;
    for (const Frame& frame : frames_) {
      if (frame.array) {
        if (frame.index >= 0) absl::StrAppend(&path, "[", frame.index, "]");
      } else if (!frame.key.empty()) {
        absl::StrAppend(&path, path.empty() ? "" : ".", frame.key);
      }
    }
    return path.empty() ? "(top level)" : path;
  }

  std::vector<Frame> frames_;
  std::string error_;
};

}  // namespace

absl::StatusOr<Encoding> EncodingOf(absl::string_view content_type) {
  const absl::string_view media =
      absl::StripAsciiWhitespace(content_type.substr(0, content_type.find(';')));
  if (media.empty() || absl::EqualsIgnoreCase(media, kContentTypeProtobuf)) {
    return Encoding::kProtobuf;
  }
  if (absl::EqualsIgnoreCase(media, kContentTypeJson)) return Encoding::kJson;
  if (absl::EqualsIgnoreCase(media, "application/cloudevents+json")) {
    return absl::InvalidArgumentError(
        "content-type: structured-mode CloudEvents (application/cloudevents+json) are not "
        "supported; send binary mode: the event in the value, ce_* headers, content-type " +
        std::string(kContentTypeJson) + " or " + std::string(kContentTypeProtobuf));
  }
  return absl::InvalidArgumentError(absl::StrCat("content-type: unsupported \"", media,
                                                 "\" (want ", kContentTypeProtobuf, " or ",
                                                 kContentTypeJson, ")"));
}

namespace internal {

absl::Status DecodeJsonReference(absl::string_view bytes, google::protobuf::Message& message,
                                 std::vector<UnknownEnumName>* unknown_names) {
  message.Clear();
  if (absl::Status strict_json = StrictJson::Check(bytes); !strict_json.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid JSON: ", strict_json.message()));
  }
  const std::string json(bytes);
  google::protobuf::util::JsonParseOptions strict;
  strict.ignore_unknown_fields = false;
  // The common case, one parse: nothing the contract does not define.
  if (google::protobuf::util::JsonStringToMessage(json, &message, strict).ok()) {
    return absl::OkStatus();
  }
  message.Clear();
  google::protobuf::util::JsonParseOptions lenient;
  lenient.ignore_unknown_fields = true;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &message, lenient);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid JSON: ", SafeJsonError(std::string(status.message()))));
  }
  // Unknown fields were ignored, and enum names the enum does not define with them: put those
  // back as kUnrecognisedEnumName, from the JSON itself.
  google::protobuf::Value tree;
  if (!google::protobuf::util::JsonStringToMessage(json, &tree).ok()) return absl::OkStatus();
  std::vector<UnknownEnumName> names;
  RestoreUnknownEnumNames(tree, message, "", names);
  if (unknown_names != nullptr) {
    for (UnknownEnumName& name : names) unknown_names->push_back(std::move(name));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ToJsonReference(const google::protobuf::Message& message) {
  std::string json;
  // It can fail: a Timestamp or Duration outside its JSON range left a truncated document.
  const auto status = google::protobuf::util::MessageToJsonString(message, &json);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot encode ", message.GetDescriptor()->full_name(), " as JSON: ",
        SafeJsonError(std::string(status.message()))));
  }
  return json;
}

}  // namespace internal

absl::Status Decode(absl::string_view bytes, Encoding encoding, google::protobuf::Message& message,
                    std::vector<UnknownEnumName>* unknown_names) {
  if (encoding == Encoding::kProtobuf) {
    if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return absl::InvalidArgumentError(
          absl::StrCat("not a valid binary ", message.GetDescriptor()->full_name()));
    }
    return absl::OkStatus();
  }
  // The common case, fast: the forms the contracts use, read straight into the message.
  if (json::FastParse(bytes, message)) return absl::OkStatus();
  // Anything else, and every error, as protobuf's own parser and the strict reading have it.
  return internal::DecodeJsonReference(bytes, message, unknown_names);
}

absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message) {
  std::string json;
  if (json::FastPrint(message, json)) return json;
  return internal::ToJsonReference(message);
}

absl::StatusOr<std::string> Encode(const google::protobuf::Message& message, Encoding encoding) {
  if (encoding == Encoding::kJson) return ToJson(message);
  std::string bytes;
  if (!message.SerializeToString(&bytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot encode ", message.GetDescriptor()->full_name(), " as protobuf"));
  }
  return bytes;
}

absl::string_view ContentTypeOf(Encoding encoding) {
  return encoding == Encoding::kJson ? kContentTypeJson : kContentTypeProtobuf;
}

}  // namespace referral
