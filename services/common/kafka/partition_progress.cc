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

void PartitionProgress::Revoked(const std::vector<PartitionId>& partitions) {
  for (const PartitionId& partition : partitions) waiting_since_.erase(partition);
}

std::vector<PartitionId> PartitionProgress::Stalled(absl::Time now) const {
  std::vector<PartitionId> stalled;
  for (const auto& [partition, since] : waiting_since_) {
    if (now - since > stall_limit_) stalled.push_back(partition);
  }
  std::sort(stalled.begin(), stalled.end(), [](const PartitionId& a, const PartitionId& b) {
    return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
  });
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
