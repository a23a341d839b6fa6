// Kafka client settings of a service, resolved from its config proto and the environment
// (KAFKA_BOOTSTRAP, secrets), and turned into librdkafka configuration objects.
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_SETTINGS_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_SETTINGS_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "referral/config/v1/config.pb.h"

namespace RdKafka {
class Conf;
}

namespace referral {

// The timeout the transactional loop gives each blocking transactional call.
inline constexpr int kTransactionCallTimeoutMs = 10000;

struct KafkaSettings {
  std::string bootstrap_servers;
  std::string group_id;
  std::string transactional_id;
  // Passed through to librdkafka, secrets included, in config order.
  std::vector<std::pair<std::string, std::string>> properties;
  // Names of the properties whose values are secret: never logged or echoed in errors.
  std::vector<std::string> secret_names;
  // Each secret's config map ("kafka.secret_properties_from_env"), for error messages.
  std::vector<std::pair<std::string, std::string>> secret_origins;
  uint32_t commit_every_records = 5000;
  absl::Duration commit_interval = absl::Milliseconds(100);
  absl::Duration commit_idle = absl::Milliseconds(20);
  config::v1::Kafka::MissingTopics missing_topics = config::v1::Kafka::CREATE;
  int topic_partitions = 6;
  int routed_topic_partitions = 1;
  int topic_replication_factor = -1;  // the broker's default
  // A transactional call still running this long after it began ignored its own timeout
  // (librdkafka issue 5456): the loop abandons that producer and starts a new one. More than
  // kTransactionCallTimeoutMs.
  absl::Duration stuck_call_limit = absl::Seconds(30);
  // An input partition whose consumed records have waited this long to commit makes the service
  // not ready (referral_stalled_partitions).
  absl::Duration stall_limit = absl::Seconds(60);
  // How long a starting service keeps trying to reach its cluster and its topics before it gives
  // up (a wrong password, an untrusted certificate, a cluster that is down).
  absl::Duration startup_timeout = absl::Seconds(60);
  // The transactional producer's message.max.bytes, set at start-up from the output topics'
  // limits (ApplyTopicLimits); 0 leaves librdkafka's default.
  int64_t producer_message_max_bytes = 0;
  // The largest record each output topic takes (ApplyTopicLimits); the loop checks every output
  // against its topic's. A topic not listed is not checked.
  absl::flat_hash_map<std::string, int64_t> topic_record_limits;
};

// Settings for a tool or test client of `bootstrap` (no group, no transactions; librdkafka logs
// errors only).
KafkaSettings ToolSettings(const std::string& bootstrap);

// Reads an environment variable; std::nullopt when unset. Injected for tests.
using GetEnv = std::function<std::optional<std::string>(const std::string&)>;
GetEnv ProcessEnvironment();

// Resolves `config` for the service called `service` (the default group id). The transactional
// id defaults to "<service>-<instance>"; `instance` defaults to $POD_NAME, then the host name.
// KAFKA_BOOTSTRAP overrides `bootstrap_servers`; secret files are relative to `config_dir`.
// Returns kInvalidArgument naming the field: no bootstrap servers, an unset secret variable, an
// unreadable secret file, a property both plain and secret, a secret (a password, a private key)
// in the plain `properties`.
absl::StatusOr<KafkaSettings> ResolveKafkaSettings(const config::v1::Kafka& config,
                                                   absl::string_view service,
                                                   absl::string_view instance,
                                                   const std::filesystem::path& config_dir,
                                                   const GetEnv& getenv);

using Properties = std::vector<std::pair<std::string, std::string>>;

// A librdkafka configuration: `defaults`, then `settings`' bootstrap servers and properties, then
// `required` (which the guarantees depend on, so they win). Returns kInvalidArgument naming the
// property librdkafka rejects and the config map it came from, never its value (a misspelt secret
// is not known to be one).
absl::StatusOr<std::unique_ptr<RdKafka::Conf>> MakeConf(const KafkaSettings& settings,
                                                        const Properties& defaults,
                                                        const Properties& required);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_SETTINGS_H_
