// The consume–transform–produce loop of librdkafka's examples/transactions.c (DESIGN.md §5):
// records from the input topics go through a RecordProcessor, and the produced records and the
// input offsets commit in one Kafka transaction (TransactionBatch says when). Its parts:
//   TransactionalProducer  init, begin, produce, commit, abort; the stuck-call watchdog
//   TransactionBatch       what the open transaction holds and when it is due
//   PoisonLedger           what to make of a record whose transaction keeps failing
//   PartitionProgress      which partitions make no progress (readiness)
//   KafkaLoopMetrics       what it counts
// This class polls, processes, commits when due, follows rebalances and drains on stop.
// Errors are classified once (kafka_status.h): retriable → back off and retry; abortable →
// abort and rewind to the committed offsets; fatal or fenced → not ready, Run() returns kInternal.
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_TRANSACTIONAL_LOOP_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_TRANSACTIONAL_LOOP_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/kafka/kafka_clients.h"
#include "services/common/kafka/kafka_loop_metrics.h"
#include "services/common/kafka/kafka_settings.h"
#include "services/common/kafka/partition_progress.h"
#include "services/common/kafka/poison_ledger.h"
#include "services/common/kafka/transaction_batch.h"
#include "services/common/kafka/transactional_producer.h"
#include "services/common/messaging/record.h"
#include "services/common/observe/blocking_call.h"
#include "services/common/observe/clock.h"

namespace referral {

// How a loop that was told to stop ended.
enum class LoopStop {
  kDrained,     // what was processed committed (or aborted, to be processed by the next owner)
  kNotDrained,  // the open transaction was left to the broker (unreachable, or a call stuck)
};

class KafkaTransactionalLoop final : private ConsumerListener {
 public:
  using ConsumerFactory =
      std::function<absl::StatusOr<std::unique_ptr<InputConsumer>>(ConsumerListener&)>;
  using ProducerFactory =
      std::function<absl::StatusOr<std::shared_ptr<TransactionalClient>>(ConsumerListener*)>;

  struct Options {
    TransactionBatch::Policy batch;
    TransactionalProducer::Options producer;
    absl::Duration stall_limit = absl::Seconds(60);
    // The largest record each output topic takes (KafkaSettings::topic_record_limits): a larger
    // output is refused before it is produced, as the broker would refuse it.
    absl::flat_hash_map<std::string, int64_t> topic_record_limits;
  };

  // The loop of a service: librdkafka clients from `settings`, the system clock, threads for
  // blocking calls. Returns kInvalidArgument for a bad librdkafka property.
  // IMPORTANT: keeps references to `processor`, `metrics` and `stop`.
  static absl::StatusOr<std::unique_ptr<KafkaTransactionalLoop>> Create(
      const KafkaSettings& settings, std::vector<std::string> input_topics,
      RecordProcessor& processor, KafkaLoopMetrics& metrics, const std::atomic<bool>& stop);

  // Any clients, clock and runner (tests). IMPORTANT: keeps references to everything but
  // the factories and options.
  static absl::StatusOr<std::unique_ptr<KafkaTransactionalLoop>> CreateWith(
      Options options, std::vector<std::string> input_topics, RecordProcessor& processor,
      KafkaLoopMetrics& metrics, const std::atomic<bool>& stop, const Clock& clock,
      BlockingCallRunner& runner, const ConsumerFactory& consumer, ProducerFactory producer);

  ~KafkaTransactionalLoop() override;

  // Initialises transactions, subscribes and runs until `stop` becomes true, then commits the
  // open transaction and leaves the group. Returns how it stopped, or kInternal on a fatal or
  // fenced client (nothing is lost: the broker aborts the open transaction).
  absl::StatusOr<LoopStop> Run();

  // Empty when ready (transactions initialised, partitions assigned, none stalled, no refusal by
  // the broker since the last record read), else why not. Also refreshes the stalled-partition
  // gauges. Thread-safe.
  std::string NotReadyReason() const;

  // Records the poison ledger holds (for tests and diagnostics). Only on the loop's thread.
  size_t PoisonEntries() const { return ledger_.size(); }

 private:
  KafkaTransactionalLoop(Options options, std::vector<std::string> topics,
                         RecordProcessor& processor, KafkaLoopMetrics& metrics,
                         const std::atomic<bool>& stop, const Clock& clock,
                         BlockingCallRunner& runner, ProducerFactory producer);

  // ConsumerListener: called from inside the consumer's Poll() and Close().
  void OnAssigned(const std::vector<PartitionId>& partitions) override;
  void OnRevoked(const std::vector<PartitionId>& partitions, bool lost) override;
  void OnStatistics(absl::string_view json) override;
  void OnFailure(absl::Status status) override;

  absl::Status Handle(const Polled& polled);
  absl::Status ProduceFor(const InRecord& in, const RecordId& id);
  absl::Status CommitBatch();
  absl::Status AbortBatch(absl::string_view reason, bool lone_failure_counts);
  // Applies the outcome of the open transaction to the batch, the ledger and the metrics.
  absl::Status Settle(TxnResult result, absl::string_view reason, bool lone_failure_counts,
                      absl::Time started);
  absl::Status Rewind();
  // The stalled partitions at `now` into the gauges; a log line when the set changes.
  std::string StalledReason(absl::Time now) const;
  absl::Status TakeCallbackStatus();

  const std::vector<std::string> topics_;
  RecordProcessor& processor_;
  KafkaLoopMetrics& metrics_;
  const std::atomic<bool>& stop_;
  const Clock& clock_;
  const RetryPolicy retry_;
  const absl::flat_hash_map<std::string, int64_t> topic_record_limits_;

  std::unique_ptr<InputConsumer> consumer_;
  std::unique_ptr<TransactionalProducer> producer_;
  TransactionBatch batch_;
  PoisonLedger ledger_;
  std::vector<OutRecord> outputs_;
  bool closing_ = false;     // the revocation Close() causes must not commit or rewind
  bool not_drained_ = false;

  std::atomic<int> assigned_{0};
  mutable std::mutex mu_;
  // Written on the loop's thread, read by /readyz (a loop stuck in a call still reports).
  PartitionProgress progress_;        // guarded by mu_
  mutable std::string stalled_logged_;  // guarded by mu_
  std::string fatal_reason_;          // guarded by mu_
  // The broker's refusals of this principal by topic ("" for the group), each kept until a record
  // of that topic (any record, for the group) is read: librdkafka reports a refusal once, not on
  // every poll, and a service reading several topics may be refused only one.
  std::map<std::string, std::string> refusals_;  // guarded by mu_
  absl::Status callback_status_;      // guarded by mu_
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_TRANSACTIONAL_LOOP_H_
