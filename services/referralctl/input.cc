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

InputEvent ParseIncident(std::string where, absl::string_view json) {
  InputEvent input{std::move(where), v1::IncidentEvent(), {}};
  v1::IncidentEvent event;
  if (auto status = Decode(json, Encoding::kJson, event, &input.unknown_names); !status.ok()) {
    input.event = status;
  } else {
    input.event = std::move(event);
  }
  return input;
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
      events.push_back(ParseIncident(absl::StrCat("line ", number), line));
    }
  } else {
    events.push_back(ParseIncident("", text));
  }
  return events;
}

}  // namespace referral::ctl
