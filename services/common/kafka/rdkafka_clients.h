// librdkafka implementations of the loop's clients (kafka_clients.h).
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_RDKAFKA_CLIENTS_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_RDKAFKA_CLIENTS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/kafka/kafka_clients.h"
#include "services/common/kafka/kafka_settings.h"

namespace referral {

// A transactional producer from TransactionalProducerConf(settings). Its librdkafka errors and
// logs go to `events` (the loop's listener, for fatal errors) until Detach(), then to a logger
// of its own. Returns kInvalidArgument when librdkafka refuses the configuration.
absl::StatusOr<std::shared_ptr<TransactionalClient>> NewRdKafkaTransactionalClient(
    const KafkaSettings& settings, ConsumerListener* events);

// The loop's consumer from LoopConsumerConf(settings), reporting to `listener`, which must
// outlive it. Returns kInvalidArgument when librdkafka refuses the configuration.
absl::StatusOr<std::unique_ptr<InputConsumer>> NewRdKafkaInputConsumer(
    const KafkaSettings& settings, ConsumerListener& listener);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_RDKAFKA_CLIENTS_H_
