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

// Enum numbers up to this are looked up in a step's table; the contracts' go up to a few dozen.
constexpr int kMaxTabulatedEnumNumber = 1024;

// Where the enums are in a message type: its enum fields, and its message fields whose type holds
// an enum somewhere below. Worked out once per type, so a walk neither lists a message's fields
// nor enters a part (a Timestamp, an address) that cannot hold an enum.
struct Plan {
  struct Step {
    const FieldDescriptor* field;
    const Plan* inner;  // for a message field; nullptr for an enum field
    // For an enum field: defined[n] says whether the enum defines n, for 0 <= n < size(); any
    // other number is not defined. Faster than asking the descriptor for each value.
    std::vector<bool> defined;
    bool Defines(int number) const {
      return number >= 0 && static_cast<size_t>(number) < defined.size() && defined[number];
    }
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
        Plan::Step& step = steps.emplace_back(Plan::Step{field, nullptr, {}});
        const google::protobuf::EnumDescriptor& values = *field->enum_type();
        for (int v = 0; v < values.value_count(); ++v) {
          const int number = values.value(v)->number();
          if (number < 0 || number > kMaxTabulatedEnumNumber) continue;  // Report asks the descriptor
          if (static_cast<size_t>(number) >= step.defined.size()) step.defined.resize(number + 1);
          step.defined[number] = true;
        }
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

// Where the walk is: a frame per field entered, with the element's index in a repeated field.
// The path's text is made only for a value that is reported.
class Path {
 public:
  void Push(const FieldDescriptor& field, int index = -1) { frames_.push_back({&field, index}); }
  void SetIndex(int index) { frames_.back().index = index; }
  void Pop() { frames_.pop_back(); }
  std::string Text() const {
    std::string text;
    for (const Frame& frame : frames_) {
      if (!text.empty()) text.push_back('.');
      text.append(frame.field->name());
      if (frame.index >= 0) absl::StrAppend(&text, "[", frame.index, "]");
    }
    return text;
  }

 private:
  struct Frame {
    const FieldDescriptor* field;
    int index;  // -1: not an element of a repeated field
  };
  std::vector<Frame> frames_;
};

void Report(const Plan::Step& step, int number, const Path& path,
            const std::vector<UnknownEnumName>& names, std::vector<v1::UnrecognisedValue>& out) {
  if (step.Defines(number)) return;
  if ((number < 0 || number > kMaxTabulatedEnumNumber) && IsRecognised(*step.field, number)) return;
  v1::UnrecognisedValue& value = out.emplace_back();
  value.set_field_path(path.Text());
  value.set_value(absl::StrCat(number));
  if (number == kUnrecognisedEnumName) {
    for (const UnknownEnumName& name : names) {
      if (name.field_path == value.field_path()) value.set_value(name.name);
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
      path.Push(field, 0);
      for (int i = 0; i < size; ++i) {
        path.SetIndex(i);
        if (step.inner == nullptr) {
          Report(step, reflection.GetRepeatedEnumValue(message, &field, i), path, names, out);
        } else {
          Walk(reflection.GetRepeatedMessage(message, &field, i), *step.inner, path, names, out);
        }
      }
      path.Pop();
    } else if (step.inner == nullptr) {
      // 0, an unset proto3 enum's value, is defined by every enum: nothing to report.
      const int number = reflection.GetEnumValue(message, &field);
      if (number == 0) continue;
      path.Push(field);
      Report(step, number, path, names, out);
      path.Pop();
    } else if (reflection.HasField(message, &field)) {
      path.Push(field);
      Walk(reflection.GetMessage(message, &field), *step.inner, path, names, out);
      path.Pop();
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
