#include "services/common/core/field_error.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace referral {

std::string FieldError::ToString() const { return absl::StrCat(path, ": ", message); }

absl::Status FieldErrorsToStatus(const FieldErrors& errors, absl::string_view context) {
  if (errors.empty()) return absl::OkStatus();
  std::string joined = absl::StrJoin(errors, "; ", [](std::string* out, const FieldError& e) {
    absl::StrAppend(out, e.ToString());
  });
  if (!context.empty()) joined = absl::StrCat(context, ": ", joined);
  return absl::InvalidArgumentError(joined);
}

}  // namespace referral
