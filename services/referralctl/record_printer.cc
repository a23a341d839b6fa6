#include "services/referralctl/record_printer.h"

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "referral/v1/feedback.pb.h"
#include "referral/v1/incident.pb.h"
#include "referral/v1/monitor_state.pb.h"
#include "referral/v1/referral.pb.h"
#include "services/common/core/codec.h"
#include "services/common/messaging/cloud_events.h"
#include "services/common/messaging/dead_letter.h"

namespace referral::ctl {
namespace {

constexpr absl::string_view kIncidentType = "uk.gov.police.incident.v1";

// The contract a record carries, by its CloudEvents type, else its topic; null for a dead letter
// or anything else.
std::unique_ptr<google::protobuf::Message> MessageFor(absl::string_view topic,
                                                      const std::vector<Header>& headers) {
  for (const Header& h : headers) {
    if (h.name == kDlqReason) return nullptr;
  }
  const std::string* found_type = FindHeader(headers, "ce_type");
  const std::string type = found_type == nullptr ? "" : *found_type;
  if (type == kIncidentType) return std::make_unique<v1::IncidentEvent>();
  if (absl::StartsWith(type, "uk.gov.referral.")) return std::make_unique<v1::Referral>();
  if (absl::StrContains(topic, "dlq")) return nullptr;
  if (absl::StrContains(topic, "incidents.")) return std::make_unique<v1::IncidentEvent>();
  // The feed's and the monitor's own topics, before any other "referrals." topic.
  if (absl::StrContains(topic, "referrals.feedback.")) return std::make_unique<v1::FeedbackEvent>();
  if (absl::StrContains(topic, "referrals.audit.")) return std::make_unique<v1::Disclosure>();
  if (absl::StrContains(topic, "referrals.monitor.state.")) {
    return std::make_unique<v1::MonitorState>();
  }
  if (absl::StrContains(topic, "referrals.")) return std::make_unique<v1::Referral>();
  return nullptr;
}

// How deeply `text` nests arrays and objects (outside strings), counting no further than
// `limit` + 1. Linear, no recursion.
int NestingDepth(absl::string_view text, int limit) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

// `text` as JSON when it is JSON no deeper than kMaxJsonDepth, else nullopt.
std::optional<nlohmann::json> ParseShallowJson(absl::string_view text) {
  if (NestingDepth(text, kMaxJsonDepth) > kMaxJsonDepth) return std::nullopt;
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return std::nullopt;
  return json;
}

}  // namespace

nlohmann::json PrintableValue(absl::string_view topic, const std::vector<Header>& headers,
                              absl::string_view value) {
  if (std::unique_ptr<google::protobuf::Message> message = MessageFor(topic, headers)) {
    const std::string* content_type = FindHeader(headers, kContentTypeHeader);
    absl::StatusOr<Encoding> encoding = EncodingOf(content_type == nullptr ? "" : *content_type);
    if (encoding.ok() && Decode(value, *encoding, *message).ok()) {
      absl::StatusOr<std::string> json = ToJson(*message);
      if (json.ok()) {
        if (std::optional<nlohmann::json> parsed = ParseShallowJson(*json)) return *parsed;
      } else {
        // Decoded, but with no JSON form: say why, and keep the bytes as text.
        return {{"unprintable", std::string(json.status().message())},
                {"text", std::string(value)}};
      }
    }
  }
  // Raw bytes: JSON if they are JSON (and not too deep to print), else a string (invalid UTF-8
  // replaced when printed).
  if (std::optional<nlohmann::json> parsed = ParseShallowJson(value)) return *parsed;
  return std::string(value);
}

std::string DumpLine(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace referral::ctl
