// PartitionProgress: when a partition counts as stalled.
#include "services/common/kafka/partition_progress.h"

#include <gtest/gtest.h>

namespace referral {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);
const PartitionId kIn0{"in", 0};
const PartitionId kIn1{"in", 1};

TEST(PartitionProgressTest, StalledOnlyPastTheLimit) {
  PartitionProgress progress(absl::Seconds(60));
  progress.Consumed(kIn0, kStart);
  EXPECT_TRUE(progress.Stalled(kStart + absl::Seconds(60)).empty());
  EXPECT_EQ(progress.Stalled(kStart + absl::Seconds(61)), std::vector<PartitionId>{kIn0});
  EXPECT_EQ(progress.OldestWait(kStart + absl::Seconds(61)), absl::Seconds(61));
}

TEST(PartitionProgressTest, RecordsConsumedAgainDoNotRestartTheWait) {
  PartitionProgress progress(absl::Seconds(60));
  progress.Consumed(kIn0, kStart);
  progress.Consumed(kIn0, kStart + absl::Seconds(50));  // after an abort and a rewind
  EXPECT_EQ(progress.Stalled(kStart + absl::Seconds(61)).size(), 1u);
}

TEST(PartitionProgressTest, ACommitOfThePartitionClearsItOthersWait) {
  PartitionProgress progress(absl::Seconds(60));
  progress.Consumed(kIn0, kStart);
  progress.Consumed(kIn1, kStart);
  progress.Committed({{kIn0, 10}});
  EXPECT_EQ(progress.Stalled(kStart + absl::Seconds(61)), std::vector<PartitionId>{kIn1});
  progress.Consumed(kIn0, kStart + absl::Seconds(30));  // a new wait from its next record
  EXPECT_EQ(progress.Stalled(kStart + absl::Seconds(91)).size(), 2u);
}

TEST(PartitionProgressTest, ARevocationClearsThePartition) {
  PartitionProgress progress(absl::Seconds(1));
  progress.Consumed(kIn0, kStart);
  progress.Revoked({kIn0});
  EXPECT_TRUE(progress.Stalled(kStart + absl::Hours(1)).empty());
  EXPECT_EQ(progress.OldestWait(kStart + absl::Hours(1)), absl::ZeroDuration());
}

TEST(PartitionProgressTest, DescribesStalledPartitionsSorted) {
  PartitionProgress progress(absl::Seconds(1));
  progress.Consumed({"b", 2}, kStart);
  progress.Consumed({"a", 10}, kStart);
  progress.Consumed({"a", 9}, kStart);
  EXPECT_EQ(DescribeStalled(progress.Stalled(kStart + absl::Seconds(2))), "a-9, a-10, b-2");
}

}  // namespace
}  // namespace referral
