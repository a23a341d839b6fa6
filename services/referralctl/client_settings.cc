#include "services/referralctl/client_settings.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "referral/config/v1/config.pb.h"
#include "services/common/config/config_file.h"

namespace referral::ctl {

absl::StatusOr<KafkaSettings> ClientSettings(const std::string& bootstrap,
                                             const std::string& kafka_config) {
  if (kafka_config.empty()) {
    if (bootstrap.empty()) {
      return absl::InvalidArgumentError("--bootstrap: required (or set KAFKA_BOOTSTRAP)");
    }
    return ToolSettings(bootstrap);
  }
  config::v1::Kafka config;
  if (absl::Status loaded = LoadConfigFile(kafka_config, config); !loaded.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--kafka-config: ", loaded.message()));
  }
  if (!bootstrap.empty()) config.set_bootstrap_servers(bootstrap);
  const std::filesystem::path dir = std::filesystem::path(kafka_config).parent_path();
  // The --bootstrap value (or $KAFKA_BOOTSTRAP) is already in `config`: no other override.
  absl::StatusOr<KafkaSettings> settings = ResolveKafkaSettings(
      config, "referralctl", "tool", dir.empty() ? std::filesystem::path(".") : dir,
      [getenv = ProcessEnvironment()](const std::string& name) -> std::optional<std::string> {
        if (name == "KAFKA_BOOTSTRAP") return std::nullopt;
        return getenv(name);
      });
  if (!settings.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--kafka-config ", kafka_config, ": ",
                                                   settings.status().message()));
  }
  // As ToolSettings: librdkafka logs errors only, unless the file says otherwise.
  settings->properties.insert(settings->properties.begin(), {"log_level", "3"});
  return settings;
}

}  // namespace referral::ctl
