// Which input partitions are stuck: a partition is stalled while it has held input that is
// consumed but not committed for longer than the stall limit (a record whose transaction keeps
// failing, a broker that refuses every commit), or while it has been assigned but not fetched
// for longer than that (its committed offset unreadable: "unstable", held by a transaction left
// open; the broker unreachable). /readyz and referral_stalled_partitions report it. Pure: time is
// passed in.
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_PARTITION_PROGRESS_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_PARTITION_PROGRESS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "services/common/messaging/record.h"

namespace referral {

class PartitionProgress {
 public:
  explicit PartitionProgress(absl::Duration stall_limit) : stall_limit_(stall_limit) {}

  // A record of `partition` was consumed at `now`. The first one after a commit starts the
  // partition's wait; records consumed again after an abort do not restart it.
  void Consumed(const PartitionId& partition, absl::Time now);

  // Everything consumed from these partitions is committed.
  void Committed(const absl::flat_hash_map<PartitionId, int64_t>& next_offsets);

  // The partitions are this consumer's now.
  void Assigned(const std::vector<PartitionId>& partitions);

  // The partitions are no longer this consumer's.
  void Revoked(const std::vector<PartitionId>& partitions);

  // What the consumer's statistics said at `now`: whether each partition is fetched. An assigned
  // partition reported not fetched (or not reported) starts waiting at the first such report;
  // one reported fetched stops. Without reports nothing waits this way.
  void Fetching(const absl::flat_hash_map<PartitionId, bool>& fetching, absl::Time now);

  // Partitions whose oldest uncommitted input, or whose wait to be fetched, is older than the
  // stall limit at `now`, sorted.
  std::vector<PartitionId> Stalled(absl::Time now) const;

  // Those of them not fetched for longer than the stall limit, sorted.
  std::vector<PartitionId> NotFetched(absl::Time now) const;

  // How long the oldest uncommitted input has waited at `now` (zero when none waits).
  absl::Duration OldestWait(absl::Time now) const;

  absl::Duration stall_limit() const { return stall_limit_; }

 private:
  const absl::Duration stall_limit_;
  absl::flat_hash_map<PartitionId, absl::Time> waiting_since_;
  absl::flat_hash_set<PartitionId> assigned_;
  absl::flat_hash_map<PartitionId, absl::Time> not_fetched_since_;
};

// "in-3 for 65s, out-0 for 61s": the stalled partitions for a readiness message.
std::string DescribeStalled(const std::vector<PartitionId>& stalled);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_PARTITION_PROGRESS_H_
