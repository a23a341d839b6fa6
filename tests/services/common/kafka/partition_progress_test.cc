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

TEST(PartitionProgressTest, AnAssignedPartitionNotFetchedStallsPastTheLimit) {
  PartitionProgress progress(absl::Seconds(60));
  progress.Assigned({kIn0, kIn1});
  // The first report starts the wait: in-1 is not in it at all (not started yet).
  progress.Fetching({{kIn0, false}}, kStart);
  progress.Fetching({{kIn0, false}, {kIn1, false}}, kStart + absl::Seconds(30));
  EXPECT_TRUE(progress.Stalled(kStart + absl::Seconds(60)).empty());
  EXPECT_EQ(progress.Stalled(kStart + absl::Seconds(61)), (std::vector<PartitionId>{kIn0, kIn1}));
  EXPECT_EQ(progress.NotFetched(kStart + absl::Seconds(61)),
            (std::vector<PartitionId>{kIn0, kIn1}));
  // Nothing was consumed: no input waits uncommitted.
  EXPECT_EQ(progress.OldestWait(kStart + absl::Seconds(61)), absl::ZeroDuration());
}

TEST(PartitionProgressTest, AFetchedReportEndsTheWait) {
  PartitionProgress progress(absl::Seconds(60));
  progress.Assigned({kIn0});
  progress.Fetching({{kIn0, false}}, kStart);
  progress.Fetching({{kIn0, true}}, kStart + absl::Seconds(59));
  EXPECT_TRUE(progress.Stalled(kStart + absl::Seconds(120)).empty());
  // Not fetched again: a new wait from that report.
  progress.Fetching({{kIn0, false}}, kStart + absl::Seconds(120));
  EXPECT_TRUE(progress.Stalled(kStart + absl::Seconds(180)).empty());
  EXPECT_EQ(progress.Stalled(kStart + absl::Seconds(181)), std::vector<PartitionId>{kIn0});
}

TEST(PartitionProgressTest, OnlyAssignedPartitionsWaitToBeFetched) {
  PartitionProgress progress(absl::Seconds(1));
  progress.Fetching({{kIn0, false}}, kStart);  // not ours
  progress.Assigned({kIn1});                   // ours, but no report yet
  EXPECT_TRUE(progress.Stalled(kStart + absl::Hours(1)).empty());
  progress.Fetching({{kIn1, false}}, kStart);
  progress.Revoked({kIn1});
  progress.Fetching({{kIn1, false}}, kStart + absl::Seconds(1));
  EXPECT_TRUE(progress.Stalled(kStart + absl::Hours(1)).empty());
}

TEST(PartitionProgressTest, APartitionBothWaitingAndNotFetchedIsListedOnce) {
  PartitionProgress progress(absl::Seconds(1));
  progress.Assigned({kIn0});
  progress.Consumed(kIn0, kStart);
  progress.Fetching({{kIn0, false}}, kStart);
  EXPECT_EQ(progress.Stalled(kStart + absl::Seconds(2)), std::vector<PartitionId>{kIn0});
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
