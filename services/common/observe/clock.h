// The time source of the service shells. Cores take the time as an argument; shells read it
// from a Clock so that tests and drills can run a service at a chosen moment.
#ifndef REFERRAL_SERVICES_COMMON_OBSERVE_CLOCK_H_
#define REFERRAL_SERVICES_COMMON_OBSERVE_CLOCK_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace referral {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // Waits `duration` (a back-off). A fake clock advances itself instead.
  virtual void SleepFor(absl::Duration duration) const { absl::SleepFor(duration); }
};

// The system's wall clock.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

// Wall-clock time shifted so that it read `start` when the clock was made, then runs on: a
// service started with `--clock-start 2026-11-28T02:00:00Z` behaves as it would that night.
class ShiftedClock final : public Clock {
 public:
  explicit ShiftedClock(absl::Time start) : offset_(start - absl::Now()) {}
  absl::Time Now() const override { return absl::Now() + offset_; }

 private:
  absl::Duration offset_;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_OBSERVE_CLOCK_H_
