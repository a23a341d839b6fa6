// Records as the service shells see them, without librdkafka types: what a processor reads from
// an input topic and what it asks to be produced. Processors turn one into the other; the Kafka
// loop moves them inside transactions.
#ifndef REFERRAL_SERVICES_COMMON_MESSAGING_RECORD_H_
#define REFERRAL_SERVICES_COMMON_MESSAGING_RECORD_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace referral {

// One partition of a topic.
struct PartitionId {
  std::string topic;
  int32_t partition = 0;

  bool operator==(const PartitionId&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const PartitionId& id) {
    return H::combine(std::move(h), id.topic, id.partition);
  }
};

// One record's place in the log.
struct RecordId {
  PartitionId partition;
  int64_t offset = 0;

  bool operator==(const RecordId&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const RecordId& id) {
    return H::combine(std::move(h), id.partition, id.offset);
  }
};

struct Header {
  std::string name;
  std::string value;
};

// The value of the last header called `name` (a repeated header's last value wins, as the Java
// and librdkafka clients' lastHeader() take it), or nullptr.
inline const std::string* FindHeader(const std::vector<Header>& headers, absl::string_view name) {
  const std::string* found = nullptr;
  for (const Header& header : headers) {
    if (header.name == name) found = &header.value;
  }
  return found;
}

// One consumed record. IMPORTANT: `key` and `value` point into the consumer's buffer and are
// valid only during the Process() call that receives them.
struct InRecord {
  absl::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  absl::string_view key;
  absl::string_view value;
  std::vector<Header> headers;
  int64_t timestamp_ms = 0;  // the record's timestamp (producer create time), 0 when unknown

  RecordId id() const { return {{std::string(topic), partition}, offset}; }

  // The value of the last header called `name`, or nullptr (referral::FindHeader).
  const std::string* FindHeader(absl::string_view name) const {
    return referral::FindHeader(headers, name);
  }
};

// One record to produce.
struct OutRecord {
  std::string topic;
  std::string key;
  std::string value;
  std::vector<Header> headers;
};

// Turns each consumed record into the records to produce for it, dead letters included. Runs on
// the loop's thread; must not block on I/O.
class RecordProcessor {
 public:
  virtual ~RecordProcessor() = default;
  // Appends to `out` what `in` becomes. Never fails: input it cannot use becomes a dead letter.
  virtual void Process(const InRecord& in, std::vector<OutRecord>& out) = 0;

  // The dead letter for `in` when what Process() made of it cannot be produced (too large, say):
  // the loop aborts, rewinds and produces this instead, so the partition keeps flowing.
  // `reason` is a short code ("produce_failed").
  virtual OutRecord DeadLetter(const InRecord& in, absl::string_view reason,
                               absl::string_view detail) = 0;

  // Appends records to produce in the open transaction just before it commits, after the last
  // Process() of the transaction (the monitor's state, committed with the offsets it counts). A
  // record the producer refuses for good (too large) is fatal, as it would be refused again; a
  // transaction that fails aborts as usual.
  virtual void BeforeCommit(std::vector<OutRecord>& /*out*/) {}

  // The transaction holding everything processed since the last call committed (Committed) or
  // did not (Aborted: aborted, abandoned or left open; its records come again). Counters of
  // outcomes count on Committed only (PendingCounters).
  virtual void Committed() {}
  virtual void Aborted() {}
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_MESSAGING_RECORD_H_
