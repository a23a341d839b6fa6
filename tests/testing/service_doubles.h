// Test doubles and helpers for the service shells' unit tests: a clock that always reads one
// moment, and header lookup on produced records.
#ifndef REFERRAL_TESTS_TESTING_SERVICE_DOUBLES_H_
#define REFERRAL_TESTS_TESTING_SERVICE_DOUBLES_H_

#include <string>

#include "absl/time/time.h"
#include "services/common/observe/clock.h"
#include "services/common/messaging/record.h"

namespace referral::testing {

// A Clock that always reads `now`.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(absl::Time now) : now_(now) {}
  absl::Time Now() const override { return now_; }

 private:
  absl::Time now_;
};

// The value of `record`'s header called `name` (the last, as FindHeader() takes it), or
// "<absent>".
inline std::string HeaderValue(const OutRecord& record, absl::string_view name) {
  const std::string* value = FindHeader(record.headers, name);
  return value == nullptr ? "<absent>" : *value;
}

}  // namespace referral::testing

#endif  // REFERRAL_TESTS_TESTING_SERVICE_DOUBLES_H_
