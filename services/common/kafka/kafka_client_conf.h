// The librdkafka configuration of each kind of client the gateway makes, from one KafkaSettings
// (bootstrap servers, passthrough properties, secrets), so that the services, the tools and the
// tests connect alike. Each non-default property says why it is set.
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_CLIENT_CONF_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_CLIENT_CONF_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/common/kafka/kafka_settings.h"

namespace RdKafka {
class Conf;
}

namespace referral {

// The transactional loop's consumer: in settings.group_id, read_committed, cooperative-sticky,
// offsets committed only with transactions, statistics every second (consumer lag).
absl::StatusOr<std::unique_ptr<RdKafka::Conf>> LoopConsumerConf(const KafkaSettings& settings);

// The transactional loop's producer: settings.transactional_id, idempotent.
absl::StatusOr<std::unique_ptr<RdKafka::Conf>> TransactionalProducerConf(
    const KafkaSettings& settings);

// A plain idempotent producer (acks=all): intake, audit and feedback records; the tools.
absl::StatusOr<std::unique_ptr<RdKafka::Conf>> IdempotentProducerConf(const KafkaSettings& settings);

// A read_committed reader that assigns partitions itself and commits nothing (tools, tests).
absl::StatusOr<std::unique_ptr<RdKafka::Conf>> ReaderConf(const KafkaSettings& settings);

// A feed subscription's consumer: a member of `group_id` (one group per subscription, so the
// group gives each partition of the queue to one stream at a time across replicas), eager
// assignment (a partition is revoked everywhere before it is assigned anywhere), offsets
// committed only explicitly, read_committed, small fetch buffers (one per open stream).
absl::StatusOr<std::unique_ptr<RdKafka::Conf>> SubscriptionConsumerConf(
    const KafkaSettings& settings, const std::string& group_id);

// ReaderConf with small fetch buffers, for readers a service keeps many of at once (the feed:
// two per open stream): librdkafka's defaults buffer up to 64 MiB ahead per consumer.
absl::StatusOr<std::unique_ptr<RdKafka::Conf>> LeanReaderConf(const KafkaSettings& settings);

// Builds the loop's consumer and producer configurations and returns the first error
// (kInvalidArgument naming the property), so a bad property fails at start-up as a config error.
absl::Status CheckLoopClientConfs(const KafkaSettings& settings);

// Topic administration at start-up.
absl::StatusOr<std::unique_ptr<RdKafka::Conf>> AdminConf(const KafkaSettings& settings);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_CLIENT_CONF_H_
