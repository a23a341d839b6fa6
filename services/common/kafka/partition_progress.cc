#include "services/common/kafka/partition_progress.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace referral {

void PartitionProgress::Consumed(const PartitionId& partition, absl::Time now) {
  waiting_since_.try_emplace(partition, now);
}

void PartitionProgress::Committed(const absl::flat_hash_map<PartitionId, int64_t>& next_offsets) {
  for (const auto& [partition, next] : next_offsets) waiting_since_.erase(partition);
}

void PartitionProgress::Assigned(const std::vector<PartitionId>& partitions) {
  assigned_.insert(partitions.begin(), partitions.end());
}

void PartitionProgress::Revoked(const std::vector<PartitionId>& partitions) {
  for (const PartitionId& partition : partitions) {
    waiting_since_.erase(partition);
    assigned_.erase(partition);
    not_fetched_since_.erase(partition);
  }
}

void PartitionProgress::Fetching(const absl::flat_hash_map<PartitionId, bool>& fetching,
                                 absl::Time now) {
  for (const PartitionId& partition : assigned_) {
    const auto it = fetching.find(partition);
    if (it != fetching.end() && it->second) {
      not_fetched_since_.erase(partition);
    } else {
      not_fetched_since_.try_emplace(partition, now);
    }
  }
}

namespace {

// The partitions of `since` waiting longer than `limit` at `now`, added to `out`.
void Older(const absl::flat_hash_map<PartitionId, absl::Time>& since, absl::Duration limit,
           absl::Time now, absl::flat_hash_set<PartitionId>& out) {
  for (const auto& [partition, start] : since) {
    if (now - start > limit) out.insert(partition);
  }
}

std::vector<PartitionId> Sorted(const absl::flat_hash_set<PartitionId>& partitions) {
  std::vector<PartitionId> sorted(partitions.begin(), partitions.end());
  std::sort(sorted.begin(), sorted.end(), [](const PartitionId& a, const PartitionId& b) {
    return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
  });
  return sorted;
}

}  // namespace

std::vector<PartitionId> PartitionProgress::Stalled(absl::Time now) const {
  absl::flat_hash_set<PartitionId> stalled;
  Older(waiting_since_, stall_limit_, now, stalled);
  Older(not_fetched_since_, stall_limit_, now, stalled);
  return Sorted(stalled);
}

std::vector<PartitionId> PartitionProgress::NotFetched(absl::Time now) const {
  absl::flat_hash_set<PartitionId> stalled;
  Older(not_fetched_since_, stall_limit_, now, stalled);
  return Sorted(stalled);
}

absl::Duration PartitionProgress::OldestWait(absl::Time now) const {
  absl::Duration oldest = absl::ZeroDuration();
  for (const auto& [partition, since] : waiting_since_) oldest = std::max(oldest, now - since);
  return oldest;
}

std::string DescribeStalled(const std::vector<PartitionId>& stalled) {
  return absl::StrJoin(stalled, ", ", [](std::string* out, const PartitionId& p) {
    absl::StrAppend(out, p.topic, "-", p.partition);
  });
}

}  // namespace referral
