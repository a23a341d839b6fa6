#include "services/common/observe/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "google/protobuf/stubs/logging.h"

#include <string>

namespace referral::log {
namespace {

// The fields after "event", as JSON members without the surrounding braces.
std::string Members(absl::string_view event, const nlohmann::json& fields) {
  nlohmann::json line = nlohmann::json::object();
  line["event"] = std::string(event);
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) line[key] = value;
  }
  // Replace, never throw, on invalid UTF-8: a log line must not take the service down.
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return text.substr(1, text.size() - 2);
}

void Write(spdlog::level::level_enum level, absl::string_view event, const nlohmann::json& fields) {
  spdlog::log(level, "{}", Members(event, fields));
}

// libprotobuf's own messages (any producer can trigger them: invalid UTF-8 in a string field,
// say) as JSON lines too. They name fields, not values; the text is cut short all the same.
void ProtobufLog(google::protobuf::LogLevel level, const char* filename, int line,
                 const std::string& message) {
  constexpr size_t kMaxMessage = 300;
  const nlohmann::json fields = {
      {"source", std::string(filename == nullptr ? "" : filename) + ":" + std::to_string(line)},
      {"message", message.substr(0, kMaxMessage)}};
  Write(level >= google::protobuf::LOGLEVEL_ERROR ? spdlog::level::err : spdlog::level::warn,
        "protobuf_log", fields);
}

}  // namespace

void Init(absl::string_view service) {
  auto logger = spdlog::stderr_logger_mt("referral");
  // The service name is ours (a constant), so it needs no escaping.
  logger->set_pattern(std::string(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","service":")") +
                          std::string(service) + R"(",%v})",
                      spdlog::pattern_time_type::utc);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  google::protobuf::SetLogHandler(&ProtobufLog);
}

void Info(absl::string_view event, const nlohmann::json& fields) {
  Write(spdlog::level::info, event, fields);
}
void Warn(absl::string_view event, const nlohmann::json& fields) {
  Write(spdlog::level::warn, event, fields);
}
void Error(absl::string_view event, const nlohmann::json& fields) {
  Write(spdlog::level::err, event, fields);
}

}  // namespace referral::log
