// A subscription's mailbox on one partition of its queue's topic: which records it has been sent
// (how often) and which it has acknowledged, the contiguous prefix it is done with, and the
// checkpoint that lets any feed replica rebuild this state from Kafka after a restart.
//
// The truth lives in two logs the feed writes before acting: the audit log (a disclosure record
// before every send) and the feedback log (every acknowledgement). The committed consumer-group
// offset of the subscription is only a checkpoint over them: `committed` (every record before it
// is acknowledged or needs no delivery) and the audit and feedback offsets from which the records
// that still matter can be re-read. Any checkpoint taken from a ledger is valid, so two replicas
// racing to commit one can only cause re-reading, never loss.
#ifndef REFERRAL_SERVICES_FEED_CORE_LEDGER_H_
#define REFERRAL_SERVICES_FEED_CORE_LEDGER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace referral {

// Where to resume one partition of a subscription (stored as the consumer group's committed
// offset and its metadata string).
struct Checkpoint {
  int64_t committed = 0;
  int32_t audit_partition = 0;
  int64_t audit_from = 0;
  int32_t feedback_partition = 0;
  int64_t feedback_from = 0;
  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// "v1 a=<partition>:<offset> f=<partition>:<offset>" (the committed offset is stored apart).
std::string FormatCheckpointMetadata(const Checkpoint& checkpoint);
// Fills the audit and feedback fields of `checkpoint` from `metadata`; false when it is not in
// FormatCheckpointMetadata's form.
bool ParseCheckpointMetadata(absl::string_view metadata, Checkpoint& checkpoint);

class PartitionLedger {
 public:
  // What to do with a record just read.
  struct Verdict {
    bool deliver = false;    // false: already acknowledged, or a duplicate; done with it
    uint32_t attempt = 0;    // when delivering: 1 on the first send to this subscription
    bool redelivery = false;  // when delivering: it may have been sent before
  };

  // Resumes from `checkpoint`: records before `checkpoint.committed` are done.
  explicit PartitionLedger(const Checkpoint& checkpoint);

  // Rebuilding from the audit log: the record at `offset` was disclosed as `delivery_id` (audit
  // record at `audit_offset`). Disclosures of records already done are ignored.
  void NoteDisclosure(int64_t offset, const std::string& delivery_id, int64_t audit_offset);
  // An acknowledgement of `delivery_id`, the record at `offset` (feedback record at
  // `feedback_offset`), from the feedback log. It counts only for a record disclosed to this
  // subscription under that same delivery id (the same referral and revision) and not yet done;
  // returns whether it counted.
  bool NoteAcknowledgement(int64_t offset, const std::string& delivery_id,
                           int64_t feedback_offset);
  // Everything in the audit / feedback log before this offset has been noted (it only grows).
  void NoteAuditEnd(int64_t end);
  void NoteFeedbackEnd(int64_t end);

  // The record at `offset` was read (offsets come in increasing order); `duplicate` when the same
  // referral revision came earlier on the partition. Duplicates and acknowledged records are done.
  Verdict Read(int64_t offset, bool duplicate);
  // The record at `offset` (Read() said deliver) was disclosed (audit record at `audit_offset`)
  // and sent at `now`; it is sent again if not acknowledged by `deadline`.
  void Sent(int64_t offset, const std::string& delivery_id, int64_t audit_offset, absl::Time now,
            absl::Time deadline);
  // Whether the record at `offset` was read and is neither acknowledged nor done.
  bool IsOpen(int64_t offset) const { return open_.contains(offset); }
  // The redelivery verdict of a sent, unacknowledged record whose deadline passed.
  Verdict Resend(int64_t offset) const;
  // Sent records not acknowledged whose deadline is at or before `now`, oldest first.
  std::vector<int64_t> Expired(absl::Time now) const;

  // Sent and not acknowledged.
  int unacknowledged() const { return unacknowledged_; }
  // Read and not yet sent or done.
  int waiting() const { return static_cast<int>(open_.size()) - unacknowledged_; }
  // When the oldest unacknowledged record was first sent here; nullopt when none is.
  std::optional<absl::Time> oldest_unacknowledged_since() const;
  // Every record before this offset is acknowledged or needs no delivery.
  int64_t committed() const;
  // The checkpoint to store now.
  Checkpoint checkpoint() const;
  uint32_t attempts(int64_t offset) const;

 private:
  struct Open {
    bool sent = false;
    absl::Time first_sent;
    absl::Time deadline;
  };
  struct Disclosed {
    uint32_t attempts = 0;
    int64_t first_audit_offset = 0;
    std::string delivery_id;
  };
  void Prune();

  Checkpoint base_;
  int64_t next_;                        // one past the last record read
  std::map<int64_t, Open> open_;        // read, not done
  std::map<int64_t, Disclosed> disclosed_;
  std::map<int64_t, int64_t> acknowledged_;  // offset → feedback offset, not yet read past
  int unacknowledged_ = 0;
  int64_t audit_end_;
  int64_t feedback_end_;
};

// Remembers the referral revisions seen on one partition for `window` (record time), so that the
// same revision published twice (a control room retrying) is delivered once.
class Deduplicator {
 public:
  explicit Deduplicator(absl::Duration window) : window_(window) {}
  // True when this revision was seen at an earlier record less than `window` before `at`;
  // otherwise remembers it (from `at`) and returns false.
  bool SeenBefore(const std::string& referral_id, uint64_t revision, absl::Time at);
  size_t size() const { return first_seen_.size(); }

 private:
  using Key = std::pair<std::string, uint64_t>;
  const absl::Duration window_;
  std::map<Key, absl::Time> first_seen_;
  std::multimap<absl::Time, Key> by_time_;
  absl::Time newest_ = absl::InfinitePast();
};

// "<subscriber>/<subscription>/<queue>": the key of the subscription's audit and feedback
// records.
std::string SubscriptionKey(absl::string_view subscriber, absl::string_view subscription,
                            absl::string_view queue);

// The partition of `key` among `partitions` (FNV-1a: stable across builds and replicas).
int32_t LogPartition(absl::string_view key, int32_t partitions);

// Whether `name` is a usable subscription name: 1 to 64 of letters, digits, '.', '-', '_'.
bool ValidSubscriptionName(absl::string_view name);

}  // namespace referral

#endif  // REFERRAL_SERVICES_FEED_CORE_LEDGER_H_
