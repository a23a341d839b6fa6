// The consume–transform–produce loop of librdkafka's examples/transactions.c (DESIGN.md §5):
// records from the input topics go through a RecordProcessor, and the produced records and the
// input offsets commit in one Kafka transaction every N records or T ms. Errors are classified
// once: retriable → back off and retry; abortable → abort and rewind to the committed offsets;
// fatal or fenced → not ready, Run() returns kInternal and the process exits non-zero.
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_TRANSACTIONAL_LOOP_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_TRANSACTIONAL_LOOP_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/app/service_metrics.h"
#include "services/common/kafka/kafka_settings.h"
#include "services/common/kafka/record.h"

namespace referral {

class KafkaTransactionalLoop {
 public:
  // Builds the consumer (read_committed, cooperative-sticky, manual commits) and the
  // transactional producer. Returns kInvalidArgument for a bad librdkafka property.
  // IMPORTANT: keeps references to `processor` and `metrics`, which must outlive the loop.
  static absl::StatusOr<std::unique_ptr<KafkaTransactionalLoop>> Create(
      const KafkaSettings& settings, std::vector<std::string> input_topics,
      RecordProcessor& processor, ServiceMetrics& metrics);
  ~KafkaTransactionalLoop();

  // Initialises transactions, subscribes and runs until `stop` becomes true, then commits (or
  // aborts) the open transaction, leaves the group and returns OK. Returns kInternal on a fatal
  // or fenced producer or a fatal consumer error, after aborting what it can; kAborted when,
  // stopping, it could not end the open transaction (broker unreachable, or a call stuck past
  // its timeout), which the broker then aborts. Nothing is lost either way.
  absl::Status Run(const std::atomic<bool>& stop);

  // Empty when ready (transactions initialised, at least one partition assigned), else why not.
  // Thread-safe.
  std::string NotReadyReason() const;

 private:
  class Impl;
  explicit KafkaTransactionalLoop(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_TRANSACTIONAL_LOOP_H_
