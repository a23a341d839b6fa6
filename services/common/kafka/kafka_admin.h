// Topic administration at service start-up: the topics a service reads and writes must exist
// before it joins its group. Missing ones are created with the configured partition count, or
// the service refuses to start naming them (kafka.missing_topics: REFUSE).
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_ADMIN_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_ADMIN_H_

#include <atomic>
#include <string>
#include <vector>

#include "absl/status/status.h"
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

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_ADMIN_H_
