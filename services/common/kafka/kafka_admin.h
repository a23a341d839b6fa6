// Topic administration at service start-up: the topics a service reads and writes must exist
// before it joins its group. Missing ones are created with the configured partition count, or
// the service refuses to start naming them (kafka.missing_topics: REFUSE).
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_ADMIN_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_ADMIN_H_

#include <atomic>
#include <string>
#include <utility>
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
  // Topic configs when it has to be created ("max.message.bytes" for dead-letter topics).
  std::vector<std::pair<std::string, std::string>> configs;
};

// The max.message.bytes the gateway gives the dead-letter topics it creates: twice Kafka's
// default, so that a dead letter (the largest record the input topic takes, plus its dlq_*
// headers) is always written whole.
inline constexpr int64_t kDeadLetterTopicMaxMessageBytes = 2 * 1048588;

// Makes sure every topic in `topics` exists. Returns kFailedPrecondition naming the missing
// topics under REFUSE or when creating them fails, and kUnavailable when the cluster does not
// answer within `timeout`, or kCancelled as soon as `*stop` (when given) becomes true.
absl::Status EnsureTopics(const KafkaSettings& settings, const std::vector<TopicSpec>& topics,
                          absl::Duration timeout, const std::atomic<bool>* stop = nullptr);

// The `max.message.bytes` of each of `topics` (the topic's own or the broker's default): the
// largest record batch the broker takes on it. Returns kNotFound when a topic is not known (yet:
// just created), kUnavailable when the cluster does not answer within `timeout` or cannot
// describe a topic (librdkafka's mock cluster serves no DescribeConfigs).
absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> TopicMessageLimits(
    const KafkaSettings& settings, const std::vector<std::string>& topics, absl::Duration timeout);

// The largest record a topic whose max.message.bytes is `limit` takes: less a record batch's
// overhead (batch header, record framing) with room to spare.
int64_t RecordLimitOf(int64_t topic_max_message_bytes);

// Makes the producer's limits agree with the topics it writes (`limits`, their max.message.bytes):
// settings.topic_record_limits gets each topic's RecordLimitOf(), which the loop checks every
// output against before producing it (a record a topic would refuse goes down the poison ladder
// at once, not through a failed transaction); with no `message.max.bytes` in
// settings.properties, settings.producer_message_max_bytes becomes the largest of them, so the
// producer takes whatever some topic takes. Returns kInvalidArgument naming the property and the
// topic when an explicit message.max.bytes exceeds every topic's limit.
absl::Status ApplyTopicLimits(const absl::flat_hash_map<std::string, int64_t>& limits,
                              KafkaSettings& settings);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_ADMIN_H_
