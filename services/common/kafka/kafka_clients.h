// The transactional loop's two Kafka clients behind interfaces named for their roles, so that the
// producer's state machine and the loop can be tested on a fake clock without a broker. The
// librdkafka implementations are in rdkafka_clients.h; the test doubles in tests/testing.
// Statuses carry the error class of kafka_status.h in their code.
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_CLIENTS_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_CLIENTS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/common/kafka/kafka_status.h"
#include "services/common/messaging/record.h"

namespace RdKafka {
class ConsumerGroupMetadata;
}

namespace referral {

// The consumer group's generation, sent with the offsets so that a member that lost its
// partitions is fenced. Opaque here; null in tests.
using GroupMetadata = std::shared_ptr<RdKafka::ConsumerGroupMetadata>;

// Input offsets to commit with a transaction: the next offset of each partition.
using Offsets = std::vector<std::pair<PartitionId, int64_t>>;

// What produce() made of a record.
struct ProduceResult {
  bool queued = true;  // in the transaction; otherwise see `refusal`
  ProduceRefusal refusal = ProduceRefusal::kRecord;
  std::string error;   // no record content: topic and librdkafka's error name
};

// One transactional producer. Its blocking calls may run on a thread of their own and outlive
// the loop (BlockingCallRunner), so implementations are shared and thread-safe for that.
class TransactionalClient {
 public:
  virtual ~TransactionalClient() = default;
  virtual absl::Status InitTransactions(absl::Duration timeout) = 0;
  virtual absl::Status BeginTransaction() = 0;
  // Queues `record` in the open transaction, waiting while the local queue is full.
  virtual ProduceResult Produce(const OutRecord& record) = 0;
  virtual absl::Status SendOffsets(const Offsets& offsets, const GroupMetadata& group,
                                   absl::Duration timeout) = 0;
  virtual absl::Status CommitTransaction(absl::Duration timeout) = 0;
  virtual absl::Status AbortTransaction(absl::Duration timeout) = 0;
  // Serves delivery reports and callbacks.
  virtual void Poll() = 0;
  // From now on its callbacks reach nothing of the loop's (it was abandoned in a stuck call, or
  // the loop is going away).
  virtual void Detach() = 0;
};

// What the input consumer tells the loop from inside Poll() (librdkafka's callbacks).
class ConsumerListener {
 public:
  virtual ~ConsumerListener() = default;
  virtual void OnAssigned(const std::vector<PartitionId>& partitions) = 0;
  // Before the partitions are given up: commit (or, `lost`, abort) what was read from them.
  virtual void OnRevoked(const std::vector<PartitionId>& partitions, bool lost) = 0;
  // librdkafka's statistics JSON (consumer lag).
  virtual void OnStatistics(absl::string_view json) = 0;
  // A fatal client error, or a failure in a rebalance step; the loop stops with it.
  virtual void OnFailure(absl::Status status) = 0;
};

// One poll's outcome.
struct Polled {
  enum class Kind {
    kRecord,     // `record` is valid while `storage` lives
    kNothing,    // the timeout passed with no record (the input is drained)
    kTransient,  // a transport error the client retries by itself; `error` says which
    kFatal,      // the consumer is unusable; `error` says why
  };
  Kind kind = Kind::kNothing;
  InRecord record;
  std::string error;
  std::shared_ptr<const void> storage;
  // kTransient: the broker refused this principal (a topic or group ACL is missing). It may be
  // granted while we wait, so the loop goes on, not ready, naming `error`.
  bool refused = false;
  std::string refused_topic;  // the topic refused; empty when the group was
};

// The consumer of the loop's input: read_committed, in a group, offsets committed only through
// the producer's transactions.
class InputConsumer {
 public:
  virtual ~InputConsumer() = default;
  virtual absl::Status Subscribe(const std::vector<std::string>& topics) = 0;
  virtual Polled Poll(absl::Duration timeout) = 0;
  // Seeks every assigned partition to its committed offset (the beginning when none is).
  // kUnavailable when the committed offsets cannot be fetched now.
  virtual absl::Status RewindToCommitted() = 0;
  virtual GroupMetadata Group() = 0;
  // Leaves the group; the revocation it causes is reported to the listener.
  virtual void Close() = 0;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_CLIENTS_H_
