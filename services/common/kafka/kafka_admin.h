// Topic administration at service start-up: the topics a service reads and writes must exist
// before it joins its group. Missing ones are created with the configured partition count, or
// the service refuses to start naming them (kafka.missing_topics: REFUSE).
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_ADMIN_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_ADMIN_H_

#include <atomic>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/kafka/kafka_settings.h"

namespace referral {

struct TopicSpec {
  std::string name;
  int partitions = 1;  // when it has to be created
};

// Makes sure every topic in `topics` exists. Returns kFailedPrecondition naming the missing
// topics under REFUSE or when creating them fails, and kUnavailable when the cluster does not
// answer within `timeout`, or kCancelled as soon as `*stop` (when given) becomes true.
absl::Status EnsureTopics(const KafkaSettings& settings, const std::vector<TopicSpec>& topics,
                          absl::Duration timeout, const std::atomic<bool>* stop = nullptr);

// The `max.message.bytes` of each of `topics` (the topic's own or the broker's default): the
// largest record batch the broker takes on it. Returns kUnavailable when the cluster does not
// answer within `timeout`, or the error of a topic the cluster cannot describe (librdkafka's mock
// cluster serves no DescribeConfigs).
absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> TopicMessageLimits(
    const KafkaSettings& settings, const std::vector<std::string>& topics, absl::Duration timeout);

// Makes the transactional producer's record limit agree with the topics it writes: with no
// `message.max.bytes` in settings.properties, sets settings.producer_message_max_bytes to the
// smallest `limits` less a record batch's overhead, so that a record a topic would refuse is
// refused by the producer at once (and goes down the poison ladder at once) rather than failing
// its transaction at the broker. Returns kInvalidArgument naming the property and the topic when
// an explicit message.max.bytes exceeds a topic's limit.
absl::Status AlignProducerLimit(const absl::flat_hash_map<std::string, int64_t>& limits,
                                KafkaSettings& settings);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_ADMIN_H_
