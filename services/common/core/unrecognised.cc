#include "services/common/core/unrecognised.h"

#include <algorithm>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/descriptor.h"

namespace referral {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Where the enums are in a message type: its enum fields, and its message fields whose type holds
// an enum somewhere below. Worked out once per type, so a walk neither lists a message's fields
// nor enters a part (a Timestamp, an address) that cannot hold an enum.
struct Plan {
  struct Step {
    const FieldDescriptor* field;
    const Plan* inner;  // for a message field; nullptr for an enum field
  };
  std::vector<Step> steps;
  bool made = false;  // false while its own fields are being looked at
};

class Plans {
 public:
  const Plan& For(const Descriptor& type) {
    absl::MutexLock lock(&mu_);
    return Make(type);
  }

 private:
  // The plan is in the map before its fields are looked at, so a recursive type terminates; a
  // field whose type's plan is still being made is kept, since it may yet hold an enum.
  const Plan& Make(const Descriptor& type) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto [it, inserted] = plans_.try_emplace(&type);
    Plan& plan = it->second;  // stays where it is; `it` does not survive the inserts below
    if (!inserted) return plan;
    std::vector<Plan::Step> steps;
    for (int i = 0; i < type.field_count(); ++i) {
      const FieldDescriptor* field = type.field(i);
      if (field->is_map()) continue;  // no map of the contracts holds an enum
      if (field->type() == FieldDescriptor::TYPE_ENUM) {
        steps.push_back({field, nullptr});
      } else if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
        const Plan& inner = Make(*field->message_type());
        if (!inner.made || !inner.steps.empty()) steps.push_back({field, &inner});
      }
    }
    // Field-number order, as ListFields gives it and the reports promise.
    std::sort(steps.begin(), steps.end(), [](const Plan::Step& a, const Plan::Step& b) {
      return a.field->number() < b.field->number();
    });
    plan.steps = std::move(steps);
    plan.made = true;
    return plan;
  }

  absl::Mutex mu_;
  absl::node_hash_map<const Descriptor*, Plan> plans_ ABSL_GUARDED_BY(mu_);  // stable addresses
};

Plans& AllPlans() {
  static Plans* plans = new Plans;
  return *plans;
}

// The path of the value being looked at, built up and cut back as the walk goes, so that a
// string is made only for a value that is reported.
class Path {
 public:
  size_t Push(absl::string_view name) {
    const size_t mark = text_.size();
    if (mark > 0) text_.push_back('.');
    text_.append(name.data(), name.size());
    return mark;
  }
  void PushIndex(int i) { absl::StrAppend(&text_, "[", i, "]"); }
  void Cut(size_t mark) { text_.resize(mark); }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

void Report(const FieldDescriptor& field, int number, const Path& path,
            const std::vector<UnknownEnumName>& names, std::vector<v1::UnrecognisedValue>& out) {
  if (IsRecognised(field, number)) return;
  v1::UnrecognisedValue& value = out.emplace_back();
  value.set_field_path(path.text());
  value.set_value(absl::StrCat(number));
  if (number == kUnrecognisedEnumName) {
    for (const UnknownEnumName& name : names) {
      if (name.field_path == path.text()) value.set_value(name.name);
    }
  }
}

void Walk(const Message& message, const Plan& plan, Path& path,
          const std::vector<UnknownEnumName>& names, std::vector<v1::UnrecognisedValue>& out) {
  const Reflection& reflection = *message.GetReflection();
  for (const Plan::Step& step : plan.steps) {
    const FieldDescriptor& field = *step.field;
    if (field.is_repeated()) {
      const int size = reflection.FieldSize(message, &field);
      if (size == 0) continue;
      const size_t mark = path.Push(field.name());
      for (int i = 0; i < size; ++i) {
        const size_t item = path.text().size();
        path.PushIndex(i);
        if (step.inner == nullptr) {
          Report(field, reflection.GetRepeatedEnumValue(message, &field, i), path, names, out);
        } else {
          Walk(reflection.GetRepeatedMessage(message, &field, i), *step.inner, path, names, out);
        }
        path.Cut(item);
      }
      path.Cut(mark);
    } else if (step.inner == nullptr) {
      // 0, an unset proto3 enum's value, is defined by every enum: nothing to report.
      const int number = reflection.GetEnumValue(message, &field);
      if (number == 0) continue;
      const size_t mark = path.Push(field.name());
      Report(field, number, path, names, out);
      path.Cut(mark);
    } else if (reflection.HasField(message, &field)) {
      const size_t mark = path.Push(field.name());
      Walk(reflection.GetMessage(message, &field), *step.inner, path, names, out);
      path.Cut(mark);
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
  Path path;
  Walk(message, AllPlans().For(*message.GetDescriptor()), path, names, out);
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
