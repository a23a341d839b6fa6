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

void SortPartitions(std::vector<PartitionId>& partitions) {
  std::sort(partitions.begin(), partitions.end(), [](const PartitionId& a, const PartitionId& b) {
    return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
  });
}

}  // namespace

std::vector<PartitionId> PartitionProgress::Stalled(absl::Time now) const {
  std::vector<PartitionId> stalled = NotFetched(now);
  for (const auto& [partition, since] : waiting_since_) {
    if (now - since > stall_limit_ &&
        std::find(stalled.begin(), stalled.end(), partition) == stalled.end()) {
      stalled.push_back(partition);
    }
  }
  SortPartitions(stalled);
  return stalled;
}

std::vector<PartitionId> PartitionProgress::NotFetched(absl::Time now) const {
  std::vector<PartitionId> stalled;
  for (const auto& [partition, since] : not_fetched_since_) {
    if (now - since > stall_limit_) stalled.push_back(partition);
  }
  SortPartitions(stalled);
  return stalled;
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
