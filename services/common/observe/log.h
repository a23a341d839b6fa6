// JSON-lines logs for the services: one object per line on stderr, with UTC time, level, service,
// an event name and fields. IMPORTANT: callers pass no personal data (DOMAIN.md §5): ids that
// are safe to log are referral ids, topic names, partitions, offsets, counts and error codes.
#ifndef REFERRAL_SERVICES_COMMON_OBSERVE_LOG_H_
#define REFERRAL_SERVICES_COMMON_OBSERVE_LOG_H_

#include <nlohmann/json.hpp>

#include "absl/strings/string_view.h"

namespace referral::log {

// Makes the process's logs, libprotobuf's included, JSON lines tagged with `service`. Call once,
// first thing in main().
void Init(absl::string_view service);

// {"time":"…Z","level":"info","service":"router","event":"<event>", …fields}
void Info(absl::string_view event, const nlohmann::json& fields = nlohmann::json::object());
void Warn(absl::string_view event, const nlohmann::json& fields = nlohmann::json::object());
void Error(absl::string_view event, const nlohmann::json& fields = nlohmann::json::object());

}  // namespace referral::log

#endif  // REFERRAL_SERVICES_COMMON_OBSERVE_LOG_H_
