// The bank holidays of one calendar division (GOV.UK's "england-and-wales", say), as loaded from
// a `bank-holidays.json` file by services/common/config. Bank holidays close every front door.
#ifndef REFERRAL_SERVICES_COMMON_CORE_BANK_HOLIDAYS_H_
#define REFERRAL_SERVICES_COMMON_CORE_BANK_HOLIDAYS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/civil_time.h"

namespace referral {

class BankHolidays {
 public:
  BankHolidays() = default;

  // `version` identifies the data (it becomes every routing decision's `calendar_version`);
  // `days` pairs each date with its title ("Christmas Day", "Boxing Day (Substitute day)").
  BankHolidays(std::string version, const std::vector<std::pair<absl::CivilDay, std::string>>& days);

  // The title of the bank holiday on `day`, or nullptr when `day` is not one.
  const std::string* Find(absl::CivilDay day) const;

  const std::string& version() const { return version_; }

  // The first and last dates the data covers; outside them no day is a bank holiday.
  absl::CivilDay first_day() const { return first_; }
  absl::CivilDay last_day() const { return last_; }
  size_t size() const { return by_day_.size(); }

 private:
  std::string version_;
  absl::flat_hash_map<int64_t, std::string> by_day_;  // days since 1970-01-01 → title
  absl::CivilDay first_;
  absl::CivilDay last_;
};

// Days since 1970-01-01: a cheap hash key for a date.
inline int64_t DayIndex(absl::CivilDay day) { return day - absl::CivilDay(1970, 1, 1); }

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_CORE_BANK_HOLIDAYS_H_
