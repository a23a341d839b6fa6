// Early-return helpers for absl::Status, which this Abseil release (20220623) does not ship.
#ifndef REFERRAL_SERVICES_COMMON_CORE_STATUS_MACROS_H_
#define REFERRAL_SERVICES_COMMON_CORE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Returns `expr`'s status from the enclosing function when it is not OK.
#define REFERRAL_RETURN_IF_ERROR(expr)              \
  do {                                              \
    if (absl::Status _st = (expr); !_st.ok()) {     \
      return _st;                                   \
    }                                               \
  } while (false)

#define REFERRAL_CONCAT_INNER_(a, b) a##b
#define REFERRAL_CONCAT_(a, b) REFERRAL_CONCAT_INNER_(a, b)

// Evaluates `rexpr` (an absl::StatusOr<T>); returns its status when not OK, otherwise moves the
// value into `lhs` (a declaration such as `auto x` or an existing variable).
#define REFERRAL_ASSIGN_OR_RETURN(lhs, rexpr) \
  REFERRAL_ASSIGN_OR_RETURN_IMPL_(REFERRAL_CONCAT_(_statusor_, __LINE__), lhs, rexpr)

#define REFERRAL_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                    \
  if (!statusor.ok()) return std::move(statusor).status();    \
  lhs = *std::move(statusor)

#endif  // REFERRAL_SERVICES_COMMON_CORE_STATUS_MACROS_H_
