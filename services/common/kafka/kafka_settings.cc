#include "services/common/kafka/kafka_settings.h"

#include <librdkafka/rdkafkacpp.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "services/common/config/config_file.h"

namespace referral {
namespace {

constexpr uint32_t kDefaultCommitEveryRecords = 5000;
constexpr uint32_t kDefaultCommitIntervalMs = 100;
constexpr uint32_t kDefaultCommitIdleMs = 20;
constexpr uint32_t kDefaultTopicPartitions = 6;
constexpr uint32_t kMinStuckCallLimitMs = kTransactionCallTimeoutMs + 1000;

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "localhost";
  return name;
}

bool IsSecret(const KafkaSettings& settings, const std::string& name) {
  return std::find(settings.secret_names.begin(), settings.secret_names.end(), name) !=
         settings.secret_names.end();
}

// librdkafka properties whose values are credentials: they belong in the secret maps, which keep
// them out of config files and logs.
bool IsSecretProperty(absl::string_view name) {
  return absl::EndsWith(name, ".password") || absl::EndsWith(name, ".secret") ||
         name == "ssl.key.pem" || name == "ssl_key" || name == "sasl.oauthbearer.config";
}

// The config map `name` came from, for error messages.
std::string OriginOf(const KafkaSettings& settings, const std::string& name) {
  for (const auto& [secret, origin] : settings.secret_origins) {
    if (secret == name) return origin;
  }
  return "kafka.properties";
}

}  // namespace

GetEnv ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

absl::StatusOr<KafkaSettings> ResolveKafkaSettings(const config::v1::Kafka& config,
                                                   absl::string_view service,
                                                   absl::string_view instance,
                                                   const std::filesystem::path& config_dir,
                                                   const GetEnv& getenv) {
  KafkaSettings settings;
  settings.bootstrap_servers = config.bootstrap_servers();
  if (std::optional<std::string> bootstrap = getenv("KAFKA_BOOTSTRAP");
      bootstrap && !bootstrap->empty()) {
    settings.bootstrap_servers = *bootstrap;
  }
  if (settings.bootstrap_servers.empty()) {
    return absl::InvalidArgumentError(
        "kafka.bootstrap_servers: required (or set the KAFKA_BOOTSTRAP environment variable)");
  }
  settings.group_id = config.group_id().empty() ? std::string(service) : config.group_id();
  if (!config.transactional_id().empty()) {
    settings.transactional_id = config.transactional_id();
  } else {
    std::string name(instance);
    if (name.empty()) name = getenv("POD_NAME").value_or("");
    if (name.empty()) name = HostName();
    settings.transactional_id = absl::StrCat(service, "-", name);
  }

  // Map order is unspecified; sort so that librdkafka sees the properties in a stable order.
  std::vector<std::pair<std::string, std::string>> plain(config.properties().begin(),
                                                         config.properties().end());
  std::sort(plain.begin(), plain.end());
  for (auto& [name, value] : plain) {
    if (name == "bootstrap.servers" || name == "transactional.id" || name == "group.id") {
      return absl::InvalidArgumentError(absl::StrCat(
          "kafka.properties[", name, "]: set it with the kafka.", name == "group.id" ? "group_id" :
          name == "transactional.id" ? "transactional_id" : "bootstrap_servers", " field instead"));
    }
    if (IsSecretProperty(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "kafka.properties[", name, "]: a secret; give it in kafka.secret_properties_from_env or "
          "kafka.secret_properties_from_file"));
    }
    settings.properties.emplace_back(std::move(name), std::move(value));
  }
  std::vector<std::pair<std::string, std::string>> from_env(
      config.secret_properties_from_env().begin(), config.secret_properties_from_env().end());
  std::sort(from_env.begin(), from_env.end());
  for (const auto& [name, variable] : from_env) {
    if (config.properties().contains(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "kafka.secret_properties_from_env[", name, "]: also in kafka.properties; give it once"));
    }
    std::optional<std::string> value = getenv(variable);
    if (!value) {
      return absl::InvalidArgumentError(absl::StrCat("kafka.secret_properties_from_env[", name,
                                                     "]: environment variable ", variable,
                                                     " is not set"));
    }
    settings.properties.emplace_back(name, *std::move(value));
    settings.secret_names.push_back(name);
    settings.secret_origins.emplace_back(name, "kafka.secret_properties_from_env");
  }
  std::vector<std::pair<std::string, std::string>> from_file(
      config.secret_properties_from_file().begin(), config.secret_properties_from_file().end());
  std::sort(from_file.begin(), from_file.end());
  for (const auto& [name, file] : from_file) {
    if (config.properties().contains(name) || config.secret_properties_from_env().contains(name)) {
      return absl::InvalidArgumentError(absl::StrCat("kafka.secret_properties_from_file[", name,
                                                     "]: given more than once; give it once"));
    }
    std::filesystem::path path(file);
    if (path.is_relative()) path = config_dir / path;
    absl::StatusOr<std::string> value = ReadFile(path);
    if (!value.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("kafka.secret_properties_from_file[", name,
                                                     "]: cannot read ", path.string()));
    }
    std::string text = *std::move(value);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    settings.properties.emplace_back(name, std::move(text));
    settings.secret_names.push_back(name);
    settings.secret_origins.emplace_back(name, "kafka.secret_properties_from_file");
  }

  settings.commit_every_records =
      config.commit_every_records() == 0 ? kDefaultCommitEveryRecords : config.commit_every_records();
  settings.commit_interval = absl::Milliseconds(
      config.commit_interval_ms() == 0 ? kDefaultCommitIntervalMs : config.commit_interval_ms());
  settings.commit_idle = absl::Milliseconds(
      config.commit_idle_ms() == 0 ? kDefaultCommitIdleMs : config.commit_idle_ms());
  if (config.stuck_call_limit_ms() != 0) {
    if (config.stuck_call_limit_ms() < kMinStuckCallLimitMs) {
      return absl::InvalidArgumentError(absl::StrCat(
          "kafka.stuck_call_limit_ms: ", config.stuck_call_limit_ms(), " is below ",
          kMinStuckCallLimitMs, " (the transactional calls' own timeout is ", kTransactionCallTimeoutMs,
          " ms)"));
    }
    settings.stuck_call_limit = absl::Milliseconds(config.stuck_call_limit_ms());
  }
  if (config.stall_limit_ms() != 0) settings.stall_limit = absl::Milliseconds(config.stall_limit_ms());
  if (config.startup_timeout_ms() != 0) {
    settings.startup_timeout = absl::Milliseconds(config.startup_timeout_ms());
  }
  settings.missing_topics = config.missing_topics() == config::v1::Kafka::REFUSE
                                ? config::v1::Kafka::REFUSE
                                : config::v1::Kafka::CREATE;
  settings.topic_partitions = static_cast<int>(
      config.topic_partitions() == 0 ? kDefaultTopicPartitions : config.topic_partitions());
  settings.routed_topic_partitions =
      static_cast<int>(config.routed_topic_partitions() == 0 ? 1 : config.routed_topic_partitions());
  settings.topic_replication_factor =
      config.topic_replication_factor() == 0 ? -1
                                              : static_cast<int>(config.topic_replication_factor());
  return settings;
}

KafkaSettings ToolSettings(const std::string& bootstrap) {
  KafkaSettings settings;
  settings.bootstrap_servers = bootstrap;
  settings.properties = {{"log_level", "3"}};
  return settings;
}

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> MakeConf(const KafkaSettings& settings,
                                                        const Properties& defaults,
                                                        const Properties& required) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string error;
  auto set = [&](const std::string& name, const std::string& value,
                 absl::string_view origin) -> absl::Status {
    if (conf->set(name, value, error) != RdKafka::Conf::CONF_OK) {
      if (IsSecret(settings, name)) {
        return absl::InvalidArgumentError(absl::StrCat(origin, "[", name, "]: rejected by librdkafka"));
      }
      // librdkafka's reason may quote the value: never echo it (it may be a misspelt secret).
      if (!value.empty()) error = absl::StrReplaceAll(error, {{value, "<value>"}});
      return absl::InvalidArgumentError(absl::StrCat(origin, "[", name, "]: ", error));
    }
    return absl::OkStatus();
  };
  for (const auto& [name, value] : defaults) {
    if (absl::Status status = set(name, value, "kafka"); !status.ok()) return status;
  }
  if (absl::Status status = set("bootstrap.servers", settings.bootstrap_servers, "kafka");
      !status.ok()) {
    return status;
  }
  for (const auto& [name, value] : settings.properties) {
    if (absl::Status status = set(name, value, OriginOf(settings, name)); !status.ok()) {
      return status;
    }
  }
  for (const auto& [name, value] : required) {
    if (absl::Status status = set(name, value, "kafka"); !status.ok()) return status;
  }
  return conf;
}

}  // namespace referral
