// Conversions between protobuf timestamps, Abseil times and the text forms used in config and
// input ("YYYY-MM-DD" dates, "HH:MM" times of day). Pure: no clock, no time-zone loading.
#ifndef REFERRAL_SERVICES_COMMON_CORE_TIME_UTIL_H_
#define REFERRAL_SERVICES_COMMON_CORE_TIME_UTIL_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace referral {

// The times the gateway accepts, in an incident and on the command line: 1900-01-01T00:00:00Z up
// to (not including) 2100-01-01T00:00:00Z. Wide enough for non-recent abuse reported decades on
// and for any plausible clock, narrow enough that every time has a JSON form, a Europe/London
// offset of the modern kind (not London mean time before 1847) and room for the working-day
// arithmetic after it.
inline const absl::Time kEarliestAcceptedTime = absl::FromUnixSeconds(-2208988800);
inline const absl::Time kEndOfAcceptedTimes = absl::FromUnixSeconds(4102444800);
inline constexpr absl::string_view kAcceptedTimesText = "1900-01-01T00:00:00Z to 2099-12-31T23:59:59Z";

// True when `t` is in the accepted range.
bool InAcceptedRange(absl::Time t);

// True when `ts` is a valid Timestamp (nanos in 0..999,999,999) in the accepted range.
bool InAcceptedRange(const google::protobuf::Timestamp& ts);

// The instant a protobuf Timestamp stands for.
absl::Time ToAbslTime(const google::protobuf::Timestamp& ts);

// `t` as a protobuf Timestamp (nanosecond precision).
google::protobuf::Timestamp ToProtoTimestamp(absl::Time t);

// Parses a strict "YYYY-MM-DD" calendar date. Returns nullopt for any other text or an impossible
// date such as "2026-02-30".
std::optional<absl::CivilDay> ParseDate(absl::string_view text);

// Parses a strict "HH:MM" 24-hour time of day into minutes after midnight (0..1439). Returns
// nullopt for any other text.
std::optional<int> ParseTimeOfDay(absl::string_view text);

// `t` in RFC 3339, UTC, with fractional seconds only when present ("2026-11-27T10:00:00Z").
std::string FormatRfc3339Utc(absl::Time t);

// Parses an RFC 3339 date-time with any offset ("2026-11-27T18:30:00Z", "...+01:00"). Returns
// nullopt for any other text.
std::optional<absl::Time> ParseRfc3339(absl::string_view text);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_CORE_TIME_UTIL_H_
