#include "services/common/core/time_util.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"

namespace referral {

bool InAcceptedRange(absl::Time t) { return t >= kEarliestAcceptedTime && t < kEndOfAcceptedTimes; }

bool InAcceptedRange(const google::protobuf::Timestamp& ts) {
  return ts.nanos() >= 0 && ts.nanos() <= 999999999 &&
         ts.seconds() >= absl::ToUnixSeconds(kEarliestAcceptedTime) &&
         ts.seconds() < absl::ToUnixSeconds(kEndOfAcceptedTimes);
}

absl::Time ToAbslTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

google::protobuf::Timestamp ToProtoTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t seconds = absl::ToUnixSeconds(t);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
  return ts;
}

namespace {

// Parses exactly `digits` ASCII digits.
std::optional<int> ParseDigits(absl::string_view text, size_t digits) {
  if (text.size() != digits) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

std::optional<absl::CivilDay> ParseDate(absl::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto year = ParseDigits(text.substr(0, 4), 4);
  const auto month = ParseDigits(text.substr(5, 2), 2);
  const auto day = ParseDigits(text.substr(8, 2), 2);
  if (!year || !month || !day) return std::nullopt;
  const absl::CivilDay civil(*year, *month, *day);
  // CivilDay normalises out-of-range fields (Feb 30 becomes Mar 2); a real date round-trips.
  if (civil.year() != *year || civil.month() != *month || civil.day() != *day) return std::nullopt;
  return civil;
}

std::optional<int> ParseTimeOfDay(absl::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  const auto hour = ParseDigits(text.substr(0, 2), 2);
  const auto minute = ParseDigits(text.substr(3, 2), 2);
  if (!hour || !minute || *hour > 23 || *minute > 59) return std::nullopt;
  return *hour * 60 + *minute;
}

std::string FormatRfc3339Utc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

std::optional<absl::Time> ParseRfc3339(absl::string_view text) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) return std::nullopt;
  return t;
}

}  // namespace referral
