// What `referralctl tail` prints for a record: its value decoded as the contract it carries (by
// content-type and CloudEvents type, else by topic), else the JSON it holds, else the text. Any
// record at all gives a printable value: nesting deeper than kMaxJsonDepth is printed as text
// (a 400,000-level record crashed the printer), and a message with no JSON form as text with why.
#ifndef REFERRAL_SERVICES_REFERRALCTL_RECORD_PRINTER_H_
#define REFERRAL_SERVICES_REFERRALCTL_RECORD_PRINTER_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/common/messaging/record.h"

namespace referral::ctl {

// Nesting deeper than this is never parsed as JSON (the contracts nest about eight deep).
inline constexpr int kMaxJsonDepth = 64;

// The value of a record of `topic` with `headers` and bytes `value`, printable whatever it holds.
nlohmann::json PrintableValue(absl::string_view topic, const std::vector<Header>& headers,
                              absl::string_view value);

// One line of JSON for `json`, invalid UTF-8 replaced. Never throws.
std::string DumpLine(const nlohmann::json& json);

}  // namespace referral::ctl

#endif  // REFERRAL_SERVICES_REFERRALCTL_RECORD_PRINTER_H_
