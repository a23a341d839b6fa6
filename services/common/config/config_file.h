// Reads configuration files (YAML or JSON) into config protos with unknown keys rejected, and the
// GOV.UK bank-holidays file into BankHolidays. The only place that parses config text.
#ifndef REFERRAL_SERVICES_COMMON_CONFIG_CONFIG_FILE_H_
#define REFERRAL_SERVICES_COMMON_CONFIG_CONFIG_FILE_H_

#include <filesystem>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "services/common/core/bank_holidays.h"

namespace referral {

// Reads the whole file. Returns kNotFound when it cannot be opened.
absl::StatusOr<std::string> ReadFile(const std::filesystem::path& path);

// Converts YAML text to JSON text: mappings become objects, sequences arrays; unquoted true/false,
// null and numbers keep their JSON type, every other scalar becomes a string.
// Returns kInvalidArgument with the line and column of a YAML syntax error.
absl::StatusOr<std::string> YamlToJson(absl::string_view yaml);

// Parses YAML or JSON `text` (JSON is YAML) into `message`, rejecting unknown keys. `origin`
// names the text in errors ("deploy/config/router.yaml: ...").
absl::Status ParseConfigText(absl::string_view text, absl::string_view origin,
                             google::protobuf::Message& message);

// ReadFile() then ParseConfigText().
absl::Status LoadConfigFile(const std::filesystem::path& path, google::protobuf::Message& message);

// Parses GOV.UK's `bank-holidays.json` format ({"<division>": {"events": [{"title", "date"}]}})
// and keeps `division`'s events. The version is "<division>@<first 12 hex digits of the
// SHA-256 of text>". Returns kInvalidArgument naming the bad part (`england-and-wales.events[3].date`)
// or a missing division.
absl::StatusOr<BankHolidays> ParseBankHolidays(absl::string_view text, absl::string_view division);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_CONFIG_CONFIG_FILE_H_
