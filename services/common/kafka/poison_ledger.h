// Poison input: records whose transaction the producer or the broker keeps refusing, and what the
// loop produces for each instead, so that no record blocks its partition (DESIGN.md §5).
//
// Every record starts at kProcess. It moves one step down the ladder
//   kProcess → kDeadLetter → kDeadLetterWithoutValue → kDeadLetterCoordinatesOnly → kSkip
// when the producer refuses what that step made of it at once (too large, say), or when a
// transaction holding that record alone fails kLoneFailuresPerStep times. Transactions hold one
// record each once kIsolateAfterAborts transactions in a row have aborted, until one commits.
// Entries are forgotten once their record is committed or its partition is revoked.
// Pure: no client, no clock.
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_POISON_LEDGER_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_POISON_LEDGER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "services/common/messaging/record.h"

namespace referral {

// What the loop makes of one input record.
enum class PoisonStep {
  kProcess,                    // the processor's output
  kDeadLetter,                 // the processor's dead letter, the whole record in it
  kDeadLetterWithoutValue,     // ... without the record's value
  kDeadLetterCoordinatesOnly,  // source topic, partition, offset and reason only
  kSkip,                       // nothing: logged and counted (referral_records_skipped_total)
};

// "process", "dead_letter", ... for logs.
absl::string_view PoisonStepName(PoisonStep step);

class PoisonLedger {
 public:
  static constexpr int kIsolateAfterAborts = 3;
  // Two, so that one transient refusal does not dead-letter a good record.
  static constexpr int kLoneFailuresPerStep = 2;

  // What to make of `record` now.
  PoisonStep StepFor(const RecordId& record) const;

  // Why `record` is past kProcess (the first refusal), or "" when it is not.
  std::string ReasonFor(const RecordId& record) const;

  // The producer refused for good what `record` became at its current step: the next step.
  void Refused(const RecordId& record, absl::string_view reason);

  // A transaction aborted (not because its producer was replaced). `lone_record` is its only
  // record when it held exactly one and transactions are isolating records.
  void Aborted(const std::optional<RecordId>& lone_record, absl::string_view reason);

  // A transaction committed the offsets `next_offsets`: the records below them are done.
  void Committed(const absl::flat_hash_map<PartitionId, int64_t>& next_offsets);

  // These partitions went to another consumer, which keeps its own ledger.
  void Revoked(const std::vector<PartitionId>& partitions);

  // One record per transaction: enough transactions in a row have aborted.
  bool Isolating() const { return aborts_in_a_row_ >= kIsolateAfterAborts; }

  size_t size() const { return entries_.size(); }
  int aborts_in_a_row() const { return aborts_in_a_row_; }

 private:
  struct Entry {
    PoisonStep step = PoisonStep::kProcess;
    int lone_failures = 0;  // at the current step
    std::string reason;
  };
  void Advance(Entry& entry);

  absl::flat_hash_map<RecordId, Entry> entries_;
  int aborts_in_a_row_ = 0;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_POISON_LEDGER_H_
