#include "services/common/core/json_codec.h"

#include <rapidjson/document.h>
#include <rapidjson/error/error.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"

namespace referral::json {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Containers deeper than this are left to the reference parser (which refuses past 64).
constexpr int kMaxDepth = 32;
constexpr absl::string_view kTimestamp = "google.protobuf.Timestamp";
// Timestamp's JSON range: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z.
constexpr int64_t kMinSeconds = -62135596800;
constexpr int64_t kMaxSeconds = 253402300799;

bool IsWellKnown(const Descriptor& descriptor) {
  return descriptor.file()->package() == "google.protobuf";
}

// --- Reading -------------------------------------------------------------------------------

// Exactly `n` decimal digits at `s[at]`, as a number.
bool Digits(absl::string_view s, size_t at, size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// "YYYY-MM-DDTHH:MM:SS[.f{3|6|9}](Z|±HH:MM)" as protobuf reads it; anything else is left to it.
bool ParseTimestamp(absl::string_view s, int64_t& seconds, int32_t& nanos) {
  int year, month, day, hour, minute, second;
  if (!Digits(s, 0, 4, year) || s.size() < 19 || s[4] != '-' || !Digits(s, 5, 2, month) ||
      s[7] != '-' || !Digits(s, 8, 2, day) || s[10] != 'T' || !Digits(s, 11, 2, hour) ||
      s[13] != ':' || !Digits(s, 14, 2, minute) || s[16] != ':' || !Digits(s, 17, 2, second)) {
    return false;
  }
  const absl::CivilSecond civil(year, month, day, hour, minute, second);
  if (year < 1 || civil.year() != year || civil.month() != month || civil.day() != day ||
      civil.hour() != hour || civil.minute() != minute || civil.second() != second) {
    return false;  // out of range: normalised into another date
  }
  size_t at = 19;
  nanos = 0;
  if (at < s.size() && s[at] == '.') {
    size_t digits = 0;
    while (at + 1 + digits < s.size() &&
           absl::ascii_isdigit(static_cast<unsigned char>(s[at + 1 + digits]))) {
      ++digits;
    }
    if (digits != 3 && digits != 6 && digits != 9) return false;
    int fraction = 0;
    Digits(s, at + 1, digits, fraction);
    for (size_t i = digits; i < 9; ++i) fraction *= 10;
    nanos = fraction;
    at += 1 + digits;
  }
  int64_t offset = 0;
  if (at + 1 == s.size() && s[at] == 'Z') {
    at += 1;
  } else if (at + 6 == s.size() && (s[at] == '+' || s[at] == '-') && s[at + 3] == ':') {
    int offset_hours, offset_minutes;
    if (!Digits(s, at + 1, 2, offset_hours) || !Digits(s, at + 4, 2, offset_minutes) ||
        offset_hours > 23 || offset_minutes > 59) {
      return false;
    }
    offset = (offset_hours * 60 + offset_minutes) * 60 * (s[at] == '+' ? 1 : -1);
    at += 6;
  } else {
    return false;
  }
  seconds = absl::ToUnixSeconds(absl::FromCivil(civil, absl::UTCTimeZone())) - offset;
  return seconds >= kMinSeconds && seconds <= kMaxSeconds;
}

// A field's member: by its JSON name or its proto name, as protobuf's parser accepts both.
const FieldDescriptor* FieldOf(const Descriptor& descriptor, absl::string_view key) {
  const std::string name(key);
  if (const FieldDescriptor* field = descriptor.FindFieldByName(name); field != nullptr) {
    return field;
  }
  const FieldDescriptor* field = descriptor.FindFieldByCamelcaseName(name);
  return field != nullptr && field->json_name() == name ? field : nullptr;
}

// An output stream that keeps nothing: UTF8<>::Validate's, when only the verdict matters.
struct Discard {
  using Ch = char;  // RapidJSON's stream concept
  void Put(char) {}
};

class Reader {
 public:
  bool Object(const rapidjson::Value& json, Message& message, int depth) {
    if (!json.IsObject() || depth > kMaxDepth) return false;
    const Descriptor& descriptor = *message.GetDescriptor();
    if (IsWellKnown(descriptor)) return false;
    const Reflection& reflection = *message.GetReflection();
    std::vector<bool> seen(static_cast<size_t>(descriptor.field_count()), false);
    for (const auto& member : json.GetObject()) {
      const FieldDescriptor* field = FieldOf(
          descriptor, absl::string_view(member.name.GetString(), member.name.GetStringLength()));
      // Unknown (lenient parse, unknown enum names kept) or given twice: the reference decides.
      if (field == nullptr || field->is_map() || seen[static_cast<size_t>(field->index())]) {
        return false;
      }
      seen[static_cast<size_t>(field->index())] = true;
      const rapidjson::Value& value = member.value;
      if (value.IsNull()) {
        if (field->is_repeated()) return false;
        continue;  // null: the field stays unset, as protobuf has it
      }
      if (const auto* oneof = field->real_containing_oneof();
          oneof != nullptr && reflection.HasOneof(message, oneof)) {
        return false;
      }
      if (field->is_repeated()) {
        if (!value.IsArray()) return false;
        for (const auto& item : value.GetArray()) {
          if (item.IsArray() || item.IsNull() ||
              !Store(item, message, reflection, *field, depth + 1, /*add=*/true)) {
            return false;
          }
        }
      } else if (!Store(value, message, reflection, *field, depth)) {
        return false;
      }
    }
    return true;
  }

 private:
  // Stores `value` in `field`: sets it, or with `add` appends an element to it. `depth` is that
  // of the object holding the field, or with `add` of the array.
  bool Store(const rapidjson::Value& value, Message& message, const Reflection& reflection,
             const FieldDescriptor& field, int depth, bool add = false) {
    Message* const m = &message;
    const FieldDescriptor* const f = &field;
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        if (!value.IsInt()) return false;
        add ? reflection.AddInt32(m, f, value.GetInt()) : reflection.SetInt32(m, f, value.GetInt());
        return true;
      case FieldDescriptor::CPPTYPE_INT64: {
        int64_t number;
        if (!Int64Of(value, number)) return false;
        add ? reflection.AddInt64(m, f, number) : reflection.SetInt64(m, f, number);
        return true;
      }
      case FieldDescriptor::CPPTYPE_UINT32:
        if (!value.IsUint()) return false;
        add ? reflection.AddUInt32(m, f, value.GetUint())
            : reflection.SetUInt32(m, f, value.GetUint());
        return true;
      case FieldDescriptor::CPPTYPE_UINT64: {
        uint64_t number;
        if (!UInt64Of(value, number)) return false;
        add ? reflection.AddUInt64(m, f, number) : reflection.SetUInt64(m, f, number);
        return true;
      }
      case FieldDescriptor::CPPTYPE_DOUBLE:
        if (!value.IsNumber()) return false;
        add ? reflection.AddDouble(m, f, value.GetDouble())
            : reflection.SetDouble(m, f, value.GetDouble());
        return true;
      case FieldDescriptor::CPPTYPE_BOOL:
        if (!value.IsBool()) return false;
        add ? reflection.AddBool(m, f, value.GetBool()) : reflection.SetBool(m, f, value.GetBool());
        return true;
      case FieldDescriptor::CPPTYPE_STRING: {
        if (!Text(value, field)) return false;
        std::string text(value.GetString(), value.GetStringLength());
        add ? reflection.AddString(m, f, std::move(text))
            : reflection.SetString(m, f, std::move(text));
        return true;
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        const int number = EnumOf(value, field);
        if (number < 0) return false;
        add ? reflection.AddEnumValue(m, f, number) : reflection.SetEnumValue(m, f, number);
        return true;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return MessageOf(value, add ? *reflection.AddMessage(m, f) : *reflection.MutableMessage(m, f),
                         depth + 1);
      default:
        return false;  // float
    }
  }

  bool MessageOf(const rapidjson::Value& value, Message& message, int depth) {
    const Descriptor& descriptor = *message.GetDescriptor();
    if (descriptor.full_name() != kTimestamp) return Object(value, message, depth);
    int64_t seconds;
    int32_t nanos;
    if (!value.IsString() ||
        !ParseTimestamp(absl::string_view(value.GetString(), value.GetStringLength()), seconds,
                        nanos)) {
      return false;
    }
    const Reflection& reflection = *message.GetReflection();
    reflection.SetInt64(&message, descriptor.FindFieldByNumber(1), seconds);
    reflection.SetInt32(&message, descriptor.FindFieldByNumber(2), nanos);
    return true;
  }

  // A string for a string field, valid UTF-8 once unescaped: RapidJSON validates the bytes of
  // the document, not what a \u escape of half a surrogate pair decodes to.
  static bool Text(const rapidjson::Value& value, const FieldDescriptor& field) {
    if (!value.IsString() || field.type() == FieldDescriptor::TYPE_BYTES) return false;
    rapidjson::StringStream in(value.GetString());
    const char* const end = value.GetString() + value.GetStringLength();
    Discard out;
    while (in.src_ != end) {
      if (!rapidjson::UTF8<>::Validate(in, out)) return false;
    }
    return true;
  }

  // An enum value by its name; -1 for anything else (a number, an unknown name).
  static int EnumOf(const rapidjson::Value& value, const FieldDescriptor& field) {
    if (!value.IsString()) return -1;
    const auto* known = field.enum_type()->FindValueByName(
        std::string(value.GetString(), value.GetStringLength()));
    return known != nullptr && known->number() >= 0 ? known->number() : -1;
  }

  // 64-bit integers: a JSON integer, or a string of decimal digits (their canonical form).
  static bool Int64Of(const rapidjson::Value& value, int64_t& out) {
    if (value.IsInt64()) {
      out = value.GetInt64();
      return true;
    }
    absl::string_view digits;
    if (!PlainDigits(value, digits, /*sign=*/true)) return false;
    return absl::SimpleAtoi(digits, &out);
  }
  static bool UInt64Of(const rapidjson::Value& value, uint64_t& out) {
    if (value.IsUint64()) {
      out = value.GetUint64();
      return true;
    }
    absl::string_view digits;
    if (!PlainDigits(value, digits, /*sign=*/false)) return false;
    return absl::SimpleAtoi(digits, &out);
  }
  // A string of 1 to 19 digits, optionally after '-', without a needless leading zero.
  static bool PlainDigits(const rapidjson::Value& value, absl::string_view& digits, bool sign) {
    if (!value.IsString()) return false;
    digits = absl::string_view(value.GetString(), value.GetStringLength());
    absl::string_view body = digits;
    if (sign && !body.empty() && body.front() == '-') body.remove_prefix(1);
    if (body.empty() || body.size() > 19 || (body.size() > 1 && body.front() == '0')) return false;
    for (char c : body) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
  }
};

// --- Writing -------------------------------------------------------------------------------

class Printer {
 public:
  Printer() : writer_(buffer_) {}

  // What has been written.
  absl::string_view Written() const { return {buffer_.GetString(), buffer_.GetSize()}; }

  bool Object(const Message& message) {
    const Descriptor& descriptor = *message.GetDescriptor();
    if (IsWellKnown(descriptor)) return false;
    const Reflection& reflection = *message.GetReflection();
    // The fields protobuf's printer prints by default: set ones, in field-number order.
    std::vector<const FieldDescriptor*> fields;
    reflection.ListFields(message, &fields);
    writer_.StartObject();
    for (const FieldDescriptor* field : fields) {
      if (field->is_extension() || field->is_map()) return false;
      const std::string& name = field->json_name();
      writer_.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
      if (field->is_repeated()) {
        writer_.StartArray();
        for (int i = 0; i < reflection.FieldSize(message, field); ++i) {
          if (!Value(message, reflection, *field, i)) return false;
        }
        writer_.EndArray();
      } else if (!Value(message, reflection, *field, -1)) {
        return false;
      }
    }
    writer_.EndObject();
    return true;
  }

 private:
  // The field's value, or its element `index` (>= 0) when repeated.
  bool Value(const Message& message, const Reflection& reflection, const FieldDescriptor& field,
             int index) {
    const bool repeated = index >= 0;
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        return writer_.Int(repeated ? reflection.GetRepeatedInt32(message, &field, index)
                                    : reflection.GetInt32(message, &field));
      case FieldDescriptor::CPPTYPE_INT64:
        return Quoted(absl::StrCat(repeated ? reflection.GetRepeatedInt64(message, &field, index)
                                            : reflection.GetInt64(message, &field)));
      case FieldDescriptor::CPPTYPE_UINT32:
        return writer_.Uint(repeated ? reflection.GetRepeatedUInt32(message, &field, index)
                                     : reflection.GetUInt32(message, &field));
      case FieldDescriptor::CPPTYPE_UINT64:
        return Quoted(absl::StrCat(repeated ? reflection.GetRepeatedUInt64(message, &field, index)
                                            : reflection.GetUInt64(message, &field)));
      case FieldDescriptor::CPPTYPE_DOUBLE: {
        const double number = repeated ? reflection.GetRepeatedDouble(message, &field, index)
                                       : reflection.GetDouble(message, &field);
        return std::isfinite(number) && writer_.Double(number);  // NaN, ±Infinity: strings
      }
      case FieldDescriptor::CPPTYPE_BOOL:
        return writer_.Bool(repeated ? reflection.GetRepeatedBool(message, &field, index)
                                     : reflection.GetBool(message, &field));
      case FieldDescriptor::CPPTYPE_STRING: {
        if (field.type() == FieldDescriptor::TYPE_BYTES) return false;
        std::string scratch;
        const std::string& text =
            repeated ? reflection.GetRepeatedStringReference(message, &field, index, &scratch)
                     : reflection.GetStringReference(message, &field, &scratch);
        return writer_.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        const int number = repeated ? reflection.GetRepeatedEnumValue(message, &field, index)
                                    : reflection.GetEnumValue(message, &field);
        const auto* known = field.enum_type()->FindValueByNumber(number);
        if (known == nullptr) return writer_.Int(number);  // as protobuf prints an unknown value
        return writer_.String(known->name().data(),
                              static_cast<rapidjson::SizeType>(known->name().size()));
      }
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        const Message& nested = repeated ? reflection.GetRepeatedMessage(message, &field, index)
                                         : reflection.GetMessage(message, &field);
        if (nested.GetDescriptor()->full_name() == kTimestamp) return Timestamp(nested);
        return Object(nested);
      }
      default:
        return false;  // float
    }
  }

  bool Quoted(const std::string& text) {
    return writer_.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  }

  // RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits, as protobuf prints it.
  bool Timestamp(const Message& timestamp) {
    const Descriptor& descriptor = *timestamp.GetDescriptor();
    const Reflection& reflection = *timestamp.GetReflection();
    const int64_t seconds = reflection.GetInt64(timestamp, descriptor.FindFieldByNumber(1));
    const int32_t nanos = reflection.GetInt32(timestamp, descriptor.FindFieldByNumber(2));
    if (seconds < kMinSeconds || seconds > kMaxSeconds || nanos < 0 || nanos > 999999999) {
      return false;
    }
    const absl::CivilSecond civil =
        absl::ToCivilSecond(absl::FromUnixSeconds(seconds), absl::UTCTimeZone());
    std::string text = absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d", civil.year(),
                                       civil.month(), civil.day(), civil.hour(), civil.minute(),
                                       civil.second());
    if (nanos != 0) {
      if (nanos % 1000000 == 0) {
        absl::StrAppendFormat(&text, ".%03d", nanos / 1000000);
      } else if (nanos % 1000 == 0) {
        absl::StrAppendFormat(&text, ".%06d", nanos / 1000);
      } else {
        absl::StrAppendFormat(&text, ".%09d", nanos);
      }
    }
    text.push_back('Z');
    return Quoted(text);
  }

  // RapidJSON's own buffer: it reserves before it writes, where a std::string stream would grow
  // one character at a time.
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

}  // namespace

bool FastParse(absl::string_view json, Message& message) {
  message.Clear();
  rapidjson::Document document;
  // Strict RFC 8259 (no comments, trailing commas or NaN), no recursion on depth, doubles rounded
  // exactly as protobuf's strtod rounds them. Not RapidJSON's UTF-8 check of the whole document,
  // which took 17% of the decode: each string stored is checked once unescaped (Text), and a key,
  // enum name, timestamp or number that is not ASCII matches nothing and is left to the reference.
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseFullPrecisionFlag;
  document.Parse<kFlags>(json.data(), json.size());
  if (document.HasParseError()) return false;
  Reader reader;
  return reader.Object(document, message, 1);
}

bool FastPrint(const Message& message, std::string& out) {
  Printer printer;
  if (!printer.Object(message)) return false;
  const absl::string_view written = printer.Written();
  out.assign(written.data(), written.size());
  return true;
}

}  // namespace referral::json
