// A plain (non-transactional) idempotent Kafka producer built from a service's KafkaSettings
// (secrets and passthrough properties included): for records outside the transactional loop
// (intake, audit, feedback) and for the tools (referralctl publish and simulate, the tests).
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_PUBLISHER_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_PUBLISHER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
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

  // Queues `record` and waits up to `timeout` for its own delivery report: for a caller that
  // answers only once the broker has the record (the intake). Returns OK once the broker
  // acknowledged it (acks=all); kUnavailable when no report came within `timeout` (the record
  // may still be delivered later) or the report is an error worth trying again (timed out,
  // broker down); kInvalidArgument when the record is larger than the producer or the topic
  // takes; kInternal for any other refusal. Thread-safe: concurrent callers each wait for their
  // own record. The first call starts a thread that serves delivery reports until destruction;
  // Send() and Flush() work as before beside it.
  absl::Status SendAndWait(const OutRecord& record, absl::Duration timeout);

  // Asks a broker for `topic`'s metadata: OK when one answers within `timeout` and the topic has
  // partitions; kUnavailable saying why not (no broker reachable, unknown topic). For readiness.
  // A cluster that creates topics on demand (auto.create.topics.enable) may create it.
  absl::Status CheckTopic(const std::string& topic, absl::Duration timeout);

  int64_t delivered() const { return delivered_.load(); }
  int64_t failed() const { return failed_.load(); }

 private:
  class Reports;
  class Events;
  // One SendAndWait() caller's record: filled in by the delivery report.
  struct Waiter {
    std::mutex mutex;
    std::condition_variable reported;
    bool done = false;
    int error_code = 0;  // RdKafka::ErrorCode
  };
  KafkaPublisher();
  // Called from the delivery report of a record SendAndWait() sent as `id`.
  void Reported(uintptr_t id, int error_code);
  void StartReportThread();
  std::unique_ptr<Reports> reports_;
  std::unique_ptr<Events> events_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::atomic<int64_t> delivered_{0};
  std::atomic<int64_t> failed_{0};
  // SendAndWait()'s records awaiting their report, by the id passed as the message's opaque.
  std::mutex waiters_mutex_;
  absl::flat_hash_map<uintptr_t, std::shared_ptr<Waiter>> waiters_;
  uintptr_t next_waiter_id_ = 1;
  std::once_flag report_thread_started_;
  std::atomic<bool> stopping_{false};
  std::thread report_thread_;  // IMPORTANT: joined before producer_ is destroyed
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_PUBLISHER_H_
