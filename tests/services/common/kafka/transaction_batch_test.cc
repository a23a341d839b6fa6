// TransactionBatch: when a transaction is due to commit and how long the loop may poll. Each
// boundary is pinned on both sides.
#include "services/common/kafka/transaction_batch.h"

#include <gtest/gtest.h>

namespace referral {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);

TransactionBatch::Policy Policy() {
  return {.max_records = 3, .interval = absl::Milliseconds(100), .idle = absl::Milliseconds(20)};
}

RecordId At(const std::string& topic, int32_t partition, int64_t offset) {
  return {{topic, partition}, offset};
}

TEST(TransactionBatchTest, AClosedBatchIsNeverDueAndPollsTheIdleWait) {
  TransactionBatch batch(Policy());
  EXPECT_FALSE(batch.open());
  EXPECT_FALSE(batch.CommitDue(kStart + absl::Hours(1), true, true));
  EXPECT_EQ(batch.PollTimeout(kStart), TransactionBatch::kIdlePoll);
}

TEST(TransactionBatchTest, DueAtTheRecordCountNotBefore) {
  TransactionBatch batch(Policy());
  batch.Open(kStart);
  batch.Add(At("in", 0, 10));
  batch.Add(At("in", 0, 11));
  EXPECT_FALSE(batch.CommitDue(kStart, /*input_drained=*/false, false));
  batch.Add(At("in", 1, 5));
  EXPECT_TRUE(batch.CommitDue(kStart, false, false));
  EXPECT_EQ(batch.records(), 3u);
}

TEST(TransactionBatchTest, DueAtTheIntervalNotBefore) {
  TransactionBatch batch(Policy());
  batch.Open(kStart);
  batch.Add(At("in", 0, 0));
  EXPECT_FALSE(batch.CommitDue(kStart + absl::Milliseconds(99), false, false));
  EXPECT_TRUE(batch.CommitDue(kStart + absl::Milliseconds(100), false, false));
}

TEST(TransactionBatchTest, DueOnceIdleOldAndDrainedOnly) {
  TransactionBatch batch(Policy());
  batch.Open(kStart);
  batch.Add(At("in", 0, 0));
  EXPECT_FALSE(batch.CommitDue(kStart + absl::Milliseconds(19), /*input_drained=*/true, false));
  EXPECT_TRUE(batch.CommitDue(kStart + absl::Milliseconds(20), true, false));
  EXPECT_FALSE(batch.CommitDue(kStart + absl::Milliseconds(20), /*input_drained=*/false, false));
}

TEST(TransactionBatchTest, IsolatingCommitsEachRecordAtOnce) {
  TransactionBatch batch(Policy());
  batch.Open(kStart);
  EXPECT_FALSE(batch.CommitDue(kStart, false, /*one_record_per_transaction=*/true));
  batch.Add(At("in", 0, 0));
  EXPECT_TRUE(batch.CommitDue(kStart, false, true));
}

TEST(TransactionBatchTest, PollTimeoutWaitsOnlyUntilTheTransactionIsIdleOld) {
  // A lone record on a light stream: the poll after it waits until the transaction is `idle`
  // old, not for the whole interval, so that it commits then if nothing more has come.
  TransactionBatch batch({.max_records = 3, .interval = absl::Milliseconds(50),
                          .idle = absl::Milliseconds(30)});
  batch.Open(kStart);
  EXPECT_EQ(batch.PollTimeout(kStart), absl::Milliseconds(30));
  EXPECT_EQ(batch.PollTimeout(kStart + absl::Milliseconds(29)), absl::Milliseconds(1));
  EXPECT_EQ(batch.PollTimeout(kStart + absl::Milliseconds(30)), absl::ZeroDuration());
  EXPECT_EQ(batch.PollTimeout(kStart + absl::Milliseconds(60)), absl::ZeroDuration());
}

TEST(TransactionBatchTest, PollTimeoutWaitsUntilTheIntervalWhenIdleIsNoShorter) {
  // idle >= interval: commit on count and time only; the poll waits until the interval.
  TransactionBatch batch({.max_records = 3, .interval = absl::Milliseconds(50),
                          .idle = absl::Milliseconds(50)});
  batch.Open(kStart);
  EXPECT_EQ(batch.PollTimeout(kStart), absl::Milliseconds(50));
  EXPECT_EQ(batch.PollTimeout(kStart + absl::Milliseconds(49)), absl::Milliseconds(1));
  EXPECT_EQ(batch.PollTimeout(kStart + absl::Milliseconds(50)), absl::ZeroDuration());
  TransactionBatch longer({.max_records = 3, .interval = absl::Milliseconds(50),
                           .idle = absl::Milliseconds(80)});
  longer.Open(kStart);
  EXPECT_EQ(longer.PollTimeout(kStart + absl::Milliseconds(29)), absl::Milliseconds(21));
  EXPECT_EQ(longer.PollTimeout(kStart + absl::Milliseconds(50)), absl::ZeroDuration());
}

TEST(TransactionBatchTest, PollTimeoutIsNeverLongerThanTheIdlePoll) {
  TransactionBatch long_interval({.max_records = 3, .interval = absl::Seconds(5),
                                  .idle = absl::Seconds(1)});
  long_interval.Open(kStart);
  EXPECT_EQ(long_interval.PollTimeout(kStart), TransactionBatch::kIdlePoll);
  EXPECT_EQ(long_interval.PollTimeout(kStart + absl::Milliseconds(901)), absl::Milliseconds(99));
}

TEST(TransactionBatchTest, KeepsTheOffsetAfterEachPartitionsLastRecordAndProducedCounts) {
  TransactionBatch batch(Policy());
  batch.Open(kStart);
  batch.Add(At("in", 0, 7));
  batch.Add(At("in", 1, 3));
  batch.Add(At("in", 0, 8));
  batch.Produced("out");
  batch.Produced("out");
  batch.Produced("dlq");
  EXPECT_EQ(batch.next_offsets().at(PartitionId{"in", 0}), 9);
  EXPECT_EQ(batch.next_offsets().at(PartitionId{"in", 1}), 4);
  EXPECT_EQ(batch.produced().at("out"), 2);
  EXPECT_EQ(batch.produced().at("dlq"), 1);
  EXPECT_EQ(*batch.last_record(), At("in", 0, 8));
  batch.Clear();
  EXPECT_FALSE(batch.open());
  EXPECT_EQ(batch.records(), 0u);
  EXPECT_TRUE(batch.next_offsets().empty());
  EXPECT_TRUE(batch.produced().empty());
  EXPECT_FALSE(batch.last_record().has_value());
}

}  // namespace
}  // namespace referral
