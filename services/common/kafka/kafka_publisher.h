// A plain (non-transactional) idempotent Kafka producer built from a service's KafkaSettings
// (secrets and passthrough properties included): for records outside the transactional loop
// (intake, audit, feedback) and for the tools (referralctl publish and simulate, the tests).
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_PUBLISHER_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_PUBLISHER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/kafka/kafka_settings.h"
#include "services/common/messaging/record.h"

namespace RdKafka {
class Producer;
}

namespace referral {

class KafkaPublisher {
 public:
  // Idempotent, acks=all (IdempotentProducerConf). Returns kInvalidArgument naming a property
  // librdkafka refuses.
  static absl::StatusOr<std::unique_ptr<KafkaPublisher>> Create(const KafkaSettings& settings);
  // A tool's publisher: Create(ToolSettings(bootstrap)).
  static absl::StatusOr<std::unique_ptr<KafkaPublisher>> Create(const std::string& bootstrap);
  ~KafkaPublisher();

  // Queues `record` (waiting while the local queue is full). Returns kInternal when librdkafka
  // refuses it for good.
  absl::Status Send(const OutRecord& record);

  // Waits up to `timeout` for every queued record to be acknowledged. Returns kUnavailable
  // naming how many are still queued, or kDataLoss naming how many failed.
  absl::Status Flush(absl::Duration timeout);

  int64_t delivered() const { return delivered_.load(); }
  int64_t failed() const { return failed_.load(); }

 private:
  class Reports;
  class Events;
  KafkaPublisher();
  std::unique_ptr<Reports> reports_;
  std::unique_ptr<Events> events_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::atomic<int64_t> delivered_{0};
  std::atomic<int64_t> failed_{0};
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_PUBLISHER_H_
