#include "services/router/core/office_hours.h"

#include "services/common/core/time_util.h"

namespace referral {
namespace {

using v1::RoutingDecision;

constexpr int kSearchDays = 366;

std::optional<std::pair<int, int>> Parse(const config::v1::OpeningHours& hours) {
  const auto open = ParseTimeOfDay(hours.open());
  const auto close = ParseTimeOfDay(hours.close());
  if (!open || !close) return std::nullopt;
  return std::make_pair(*open, *close);
}

// Local wall-clock `minutes` after midnight of `day`, as an instant. Office hours never fall in a
// DST gap or overlap, so the earlier mapping is as good as any.
absl::Time AtMinutes(absl::CivilDay day, int minutes, absl::TimeZone tz) {
  return tz.At(absl::CivilMinute(day) + minutes).pre;
}

}  // namespace

OfficeHours::OfficeHours(const config::v1::LocalAuthority& la,
                         const config::v1::WeeklyHours& defaults, const BankHolidays& holidays,
                         absl::TimeZone tz)
    : holidays_(holidays), tz_(tz) {
  const config::v1::WeeklyHours& week = la.has_office_hours() ? la.office_hours() : defaults;
  const auto set = [&](absl::Weekday day, bool present, const config::v1::OpeningHours& hours) {
    if (present) weekly_[static_cast<int>(day)] = Parse(hours);
  };
  set(absl::Weekday::monday, week.has_monday(), week.monday());
  set(absl::Weekday::tuesday, week.has_tuesday(), week.tuesday());
  set(absl::Weekday::wednesday, week.has_wednesday(), week.wednesday());
  set(absl::Weekday::thursday, week.has_thursday(), week.thursday());
  set(absl::Weekday::friday, week.has_friday(), week.friday());
  set(absl::Weekday::saturday, week.has_saturday(), week.saturday());
  set(absl::Weekday::sunday, week.has_sunday(), week.sunday());
  for (const auto& date : la.closure_dates()) {
    if (const auto day = ParseDate(date)) closures_[DayIndex(*day)] = true;
  }
  for (const auto& special : la.special_hours()) {
    const auto day = ParseDate(special.date());
    const auto hours = Parse(special.hours());
    if (day && hours) special_[DayIndex(*day)] = *hours;
  }
}

DaySchedule OfficeHours::ScheduleFor(absl::CivilDay day) const {
  DaySchedule schedule;
  const int64_t index = DayIndex(day);
  if (closures_.contains(index)) {
    schedule.reason = RoutingDecision::WINDOW_REASON_LA_CLOSURE;
    return schedule;
  }
  if (const auto it = special_.find(index); it != special_.end()) {
    schedule.hours = it->second;
    schedule.special = true;
    return schedule;
  }
  if (const std::string* title = holidays_.Find(day)) {
    schedule.reason = RoutingDecision::WINDOW_REASON_BANK_HOLIDAY;
    schedule.title = *title;
    return schedule;
  }
  schedule.hours = weekly_[static_cast<int>(absl::GetWeekday(day))];
  if (!schedule.hours) schedule.reason = RoutingDecision::WINDOW_REASON_NON_WORKING_DAY;
  return schedule;
}

WindowAt OfficeHours::At(absl::Time t) const {
  const absl::CivilSecond local = absl::ToCivilSecond(t, tz_);
  const DaySchedule schedule = ScheduleFor(absl::CivilDay(local));
  if (!schedule.hours) return {RoutingDecision::OUT_OF_HOURS, schedule.reason};
  const int minute = local.hour() * 60 + local.minute();
  if (minute >= schedule.hours->first && minute < schedule.hours->second) {
    return {RoutingDecision::IN_HOURS, RoutingDecision::WINDOW_REASON_OFFICE_HOURS};
  }
  return {RoutingDecision::OUT_OF_HOURS, RoutingDecision::WINDOW_REASON_OUTSIDE_OFFICE_HOURS};
}

absl::StatusOr<absl::Time> OfficeHours::DecisionDueBy(absl::Time t,
                                                      RoutingDecision::Window window) const {
  const absl::CivilSecond local = absl::ToCivilSecond(t, tz_);
  const absl::CivilDay today(local);
  if (window == RoutingDecision::IN_HOURS) {
    for (absl::CivilDay day = today + 1; day <= today + kSearchDays; ++day) {
      if (!ScheduleFor(day).hours) continue;
      const absl::CivilSecond same_time(day.year(), day.month(), day.day(), local.hour(),
                                        local.minute(), local.second());
      return tz_.At(same_time).pre + (t - absl::FromUnixSeconds(absl::ToUnixSeconds(t)));
    }
  } else {
    for (absl::CivilDay day = today; day <= today + kSearchDays; ++day) {
      const DaySchedule schedule = ScheduleFor(day);
      if (!schedule.hours || AtMinutes(day, schedule.hours->first, tz_) <= t) continue;
      return AtMinutes(day, schedule.hours->second, tz_);
    }
  }
  return absl::FailedPreconditionError("office hours: no working day within a year");
}

}  // namespace referral
