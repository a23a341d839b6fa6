// A problem with one field of outside input or config, named by its path
// (`persons[1].date_of_birth: after occurred_at`). Validation returns every problem, not the first.
#ifndef REFERRAL_SERVICES_COMMON_CORE_FIELD_ERROR_H_
#define REFERRAL_SERVICES_COMMON_CORE_FIELD_ERROR_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace referral {

struct FieldError {
  std::string path;     // e.g. "persons[1].date_of_birth"
  std::string message;  // e.g. "after occurred_at"

  // "path: message".
  std::string ToString() const;
  friend bool operator==(const FieldError&, const FieldError&) = default;
  friend std::ostream& operator<<(std::ostream& out, const FieldError& e) {
    return out << e.ToString();
  }
};

using FieldErrors = std::vector<FieldError>;

// Returns OK when `errors` is empty, otherwise kInvalidArgument whose message is every error's
// ToString() joined by "; ", prefixed with `context` and ": " when `context` is not empty.
absl::Status FieldErrorsToStatus(const FieldErrors& errors, absl::string_view context = "");

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_CORE_FIELD_ERROR_H_
