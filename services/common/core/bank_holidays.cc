#include "services/common/core/bank_holidays.h"

#include <algorithm>

namespace referral {

BankHolidays::BankHolidays(std::string version,
                           const std::vector<std::pair<absl::CivilDay, std::string>>& days)
    : version_(std::move(version)) {
  for (const auto& [day, title] : days) {
    by_day_.insert_or_assign(DayIndex(day), title);
    if (by_day_.size() == 1) first_ = last_ = day;
    first_ = std::min(first_, day);
    last_ = std::max(last_, day);
  }
}

const std::string* BankHolidays::Find(absl::CivilDay day) const {
  const auto it = by_day_.find(DayIndex(day));
  return it == by_day_.end() ? nullptr : &it->second;
}

}  // namespace referral
