// What the open Kafka transaction holds and when it is due to commit: the offset after each
// input partition's last record, the records produced per topic, and the commit policy (after N
// records, T ms, or once it is `idle` old with no more input waiting). Pure: time is passed in.
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_TRANSACTION_BATCH_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_TRANSACTION_BATCH_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "services/common/messaging/record.h"

namespace referral {

class TransactionBatch {
 public:
  struct Policy {
    uint32_t max_records = 1000;                       // commit after this many input records
    absl::Duration interval = absl::Milliseconds(100);  // ... or this long after the first
    absl::Duration idle = absl::Milliseconds(20);       // ... or once this old and drained
  };

  // How long to wait for input when no transaction is open.
  static constexpr absl::Duration kIdlePoll = absl::Milliseconds(100);

  explicit TransactionBatch(Policy policy) : policy_(policy) {}

  // True from Open() until Clear().
  bool open() const { return open_; }

  // A transaction began at `now` (with its first record).
  void Open(absl::Time now);

  // `record` was processed into the transaction: its partition's next offset is after it.
  void Add(const RecordId& record);

  // One record was produced to `topic` in the transaction.
  void Produced(const std::string& topic) { ++produced_[topic]; }

  // Whether the open transaction should commit now. `input_drained`: the last poll found nothing
  // waiting. `one_record_per_transaction`: isolating a poison record (PoisonLedger).
  bool CommitDue(absl::Time now, bool input_drained, bool one_record_per_transaction) const;

  // How long the next poll may wait: kIdlePoll with no transaction open; otherwise until the
  // transaction is `idle` old or due by its interval, whichever is sooner (at most kIdlePoll),
  // and not at all once it is `idle` old (take only what is already waiting, so a drained input
  // commits at once).
  absl::Duration PollTimeout(absl::Time now) const;

  // Forgets everything: after a commit or an abort.
  void Clear();

  uint32_t records() const { return records_; }
  absl::Time started() const { return started_; }
  // The newest record in the transaction, if any.
  const std::optional<RecordId>& last_record() const { return last_record_; }
  // The offset after each partition's last record: what the transaction commits.
  const absl::flat_hash_map<PartitionId, int64_t>& next_offsets() const { return next_offsets_; }
  const absl::flat_hash_map<std::string, int64_t>& produced() const { return produced_; }
  // Input records in the transaction, per topic.
  const absl::flat_hash_map<std::string, int64_t>& consumed() const { return consumed_; }

 private:
  const Policy policy_;
  bool open_ = false;
  absl::Time started_ = absl::InfinitePast();
  uint32_t records_ = 0;
  std::optional<RecordId> last_record_;
  absl::flat_hash_map<PartitionId, int64_t> next_offsets_;
  absl::flat_hash_map<std::string, int64_t> produced_;
  absl::flat_hash_map<std::string, int64_t> consumed_;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_TRANSACTION_BATCH_H_
