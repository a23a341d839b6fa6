// The Kafka client settings of referralctl's Kafka commands: the cluster's address, and on a
// secured cluster the same `kafka:` settings a service's config holds (TLS, SASL, secrets from
// the environment or files), read from --kafka-config.
#ifndef REFERRAL_SERVICES_REFERRALCTL_CLIENT_SETTINGS_H_
#define REFERRAL_SERVICES_REFERRALCTL_CLIENT_SETTINGS_H_

#include <string>

#include "absl/status/statusor.h"
#include "services/common/kafka/kafka_settings.h"

namespace referral::ctl {

// `bootstrap` (--bootstrap, default $KAFKA_BOOTSTRAP) and, when `kafka_config` names a file, its
// `config.v1.Kafka` message (YAML or JSON: bootstrap_servers, properties,
// secret_properties_from_env, secret_properties_from_file; relative secret files are relative to
// it). `bootstrap`, when set, wins over the file's. Errors name the option or the field: an
// unreadable file, an unknown field, a secret in plain `properties`, an unset secret variable, no
// bootstrap servers at all.
absl::StatusOr<KafkaSettings> ClientSettings(const std::string& bootstrap,
                                             const std::string& kafka_config);

}  // namespace referral::ctl

#endif  // REFERRAL_SERVICES_REFERRALCTL_CLIENT_SETTINGS_H_
