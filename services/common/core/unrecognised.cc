#include "services/common/core/unrecognised.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"

namespace referral {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

void Report(const FieldDescriptor& field, int number, const std::string& path,
            const std::vector<UnknownEnumName>& names, std::vector<v1::UnrecognisedValue>& out) {
  if (IsRecognised(field, number)) return;
  v1::UnrecognisedValue& value = out.emplace_back();
  value.set_field_path(path);
  value.set_value(absl::StrCat(number));
  if (number == kUnrecognisedEnumName) {
    for (const UnknownEnumName& name : names) {
      if (name.field_path == path) value.set_value(name.name);
    }
  }
}

void Walk(const Message& message, const std::string& prefix,
          const std::vector<UnknownEnumName>& names, std::vector<v1::UnrecognisedValue>& out) {
  const Reflection& reflection = *message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection.ListFields(message, &fields);  // set fields, in field-number order
  for (const FieldDescriptor* field : fields) {
    const std::string path = prefix.empty() ? field->name() : absl::StrCat(prefix, ".", field->name());
    if (field->is_map()) continue;  // no map of the contracts holds an enum
    if (field->type() == FieldDescriptor::TYPE_ENUM) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection.FieldSize(message, field); ++i) {
          Report(*field, reflection.GetRepeatedEnumValue(message, field, i),
                 absl::StrCat(path, "[", i, "]"), names, out);
        }
      } else {
        Report(*field, reflection.GetEnumValue(message, field), path, names, out);
      }
    } else if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection.FieldSize(message, field); ++i) {
          Walk(reflection.GetRepeatedMessage(message, field, i), absl::StrCat(path, "[", i, "]"),
               names, out);
        }
      } else {
        Walk(reflection.GetMessage(message, field), path, names, out);
      }
    }
  }
}

}  // namespace

bool IsRecognised(const FieldDescriptor& field, int number) {
  return field.enum_type() != nullptr && field.enum_type()->FindValueByNumber(number) != nullptr;
}

std::vector<v1::UnrecognisedValue> FindUnrecognisedValues(const Message& message,
                                                          const std::vector<UnknownEnumName>& names) {
  std::vector<v1::UnrecognisedValue> out;
  Walk(message, "", names, out);
  return out;
}

std::string FieldPathLabel(absl::string_view field_path) {
  std::string label;
  bool in_index = false;
  for (char c : field_path) {
    if (c == '[') in_index = true;
    if (!in_index) label.push_back(c);
    if (c == ']') in_index = false;
  }
  return label;
}

}  // namespace referral
