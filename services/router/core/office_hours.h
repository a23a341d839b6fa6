// One front door's office hours in local time: which days are working days, whether a moment is
// in or out of hours, and when a decision on a referral is due. Handles DST through Abseil's
// time zones; bank holidays and LA closure dates close the front door.
#ifndef REFERRAL_SERVICES_ROUTER_CORE_OFFICE_HOURS_H_
#define REFERRAL_SERVICES_ROUTER_CORE_OFFICE_HOURS_H_

#include <array>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "referral/config/v1/config.pb.h"
#include "referral/v1/routing.pb.h"
#include "services/common/core/bank_holidays.h"

namespace referral {

// What one local date looks like.
struct DaySchedule {
  // Open and close, minutes after local midnight; nullopt on a closed day.
  std::optional<std::pair<int, int>> hours;
  // Why the day is closed (NON_WORKING_DAY, BANK_HOLIDAY or LA_CLOSURE); OFFICE_HOURS when open.
  v1::RoutingDecision::WindowReason reason = v1::RoutingDecision::WINDOW_REASON_OFFICE_HOURS;
  // The bank holiday's title on a BANK_HOLIDAY day, "" otherwise.
  std::string title;
  // Hours come from a special-hours entry for this date.
  bool special = false;
};

// The window a moment falls in and why.
struct WindowAt {
  v1::RoutingDecision::Window window;
  v1::RoutingDecision::WindowReason reason;
};

class OfficeHours {
 public:
  // Builds the hours of `la` (its own weekly hours, else `defaults`), closed on `holidays` and on
  // the LA's closure dates, with its special hours. Expects a config that passed
  // ValidateDirectory(). IMPORTANT: keeps a reference to `holidays`, which must outlive this.
  OfficeHours(const config::v1::LocalAuthority& la, const config::v1::WeeklyHours& defaults,
              const BankHolidays& holidays, absl::TimeZone tz);

  // The schedule of local date `day`. Precedence: LA closure date, then special hours, then bank
  // holiday, then the weekly hours.
  DaySchedule ScheduleFor(absl::CivilDay day) const;

  // IN_HOURS when `t` falls in [open, close) of its local day, else OUT_OF_HOURS with the reason.
  WindowAt At(absl::Time t) const;

  // When the LA must have decided on a referral routed at `t` in `window`:
  //  - IN_HOURS: the same local time on the next working day after t's local date;
  //  - OUT_OF_HOURS: the close of the first working day whose opening comes after `t`.
  // Returns kFailedPrecondition when no working day falls within a year of `t`.
  absl::StatusOr<absl::Time> DecisionDueBy(absl::Time t, v1::RoutingDecision::Window window) const;

  absl::TimeZone time_zone() const { return tz_; }

 private:
  const BankHolidays& holidays_;
  absl::TimeZone tz_;
  std::array<std::optional<std::pair<int, int>>, 7> weekly_;  // index: absl::Weekday
  absl::flat_hash_map<int64_t, std::pair<int, int>> special_;  // DayIndex → hours
  absl::flat_hash_map<int64_t, bool> closures_;                // DayIndex → closed
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_ROUTER_CORE_OFFICE_HOURS_H_
