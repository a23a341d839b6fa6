#include "services/referralctl/input.h"

#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/common/config/config_file.h"
#include "services/common/core/codec.h"

namespace referral::ctl {
namespace {

absl::StatusOr<v1::IncidentEvent> ParseIncident(absl::string_view json) {
  v1::IncidentEvent event;
  if (auto status = Decode(json, Encoding::kJson, event); !status.ok()) return status;
  return event;
}

}  // namespace

absl::StatusOr<std::string> ReadInput(const std::string& input) {
  if (input != "-") return ReadFile(input);
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

std::vector<InputEvent> ParseIncidents(const std::string& text) {
  std::vector<InputEvent> events;
  const std::vector<absl::string_view> lines = absl::StrSplit(text, '\n', absl::SkipWhitespace());
  if (lines.size() > 1 && nlohmann::json::accept(lines.front())) {
    int number = 0;
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      ++number;
      if (absl::StripAsciiWhitespace(line).empty()) continue;
      events.push_back({absl::StrCat("line ", number), ParseIncident(line)});
    }
  } else {
    events.push_back({"", ParseIncident(text)});
  }
  return events;
}

}  // namespace referral::ctl
