// PoisonLedger: one test per rule of the ladder, isolation and forgetting.
#include "services/common/kafka/poison_ledger.h"

#include <gtest/gtest.h>

namespace referral {
namespace {

const RecordId kRecord{{"in", 2}, 40};

void AbortTimes(PoisonLedger& ledger, int times, const std::optional<RecordId>& lone = {}) {
  for (int i = 0; i < times; ++i) ledger.Aborted(lone, "refused");
}

TEST(PoisonLedgerTest, EveryRecordStartsAtProcess) {
  PoisonLedger ledger;
  EXPECT_EQ(ledger.StepFor(kRecord), PoisonStep::kProcess);
  EXPECT_EQ(ledger.ReasonFor(kRecord), "");
  EXPECT_EQ(ledger.size(), 0u);
}

TEST(PoisonLedgerTest, IsolatesAfterThreeAbortsInARowNotTwo) {
  PoisonLedger ledger;
  AbortTimes(ledger, 2);
  EXPECT_FALSE(ledger.Isolating());
  AbortTimes(ledger, 1);
  EXPECT_TRUE(ledger.Isolating());
}

// Isolating, an abort of a transaction of more than one record names no record: nothing moves.
TEST(PoisonLedgerTest, IsolatingAnAbortWithoutALoneRecordMovesNothing) {
  PoisonLedger ledger;
  AbortTimes(ledger, 5);
  EXPECT_TRUE(ledger.Isolating());
  EXPECT_EQ(ledger.aborts_in_a_row(), 5);
  EXPECT_EQ(ledger.size(), 0u);
}

TEST(PoisonLedgerTest, ACommitEndsIsolation) {
  PoisonLedger ledger;
  AbortTimes(ledger, 3);
  ledger.Committed({});
  EXPECT_FALSE(ledger.Isolating());
  EXPECT_EQ(ledger.aborts_in_a_row(), 0);
}

TEST(PoisonLedgerTest, LoneFailuresCountOnlyOnceIsolating) {
  PoisonLedger ledger;
  AbortTimes(ledger, 3, kRecord);  // the third makes it isolating; none counted alone
  EXPECT_EQ(ledger.StepFor(kRecord), PoisonStep::kProcess);
  EXPECT_EQ(ledger.size(), 0u);
}

TEST(PoisonLedgerTest, TwoLoneFailuresMoveARecordOneStepOneDoesNot) {
  PoisonLedger ledger;
  AbortTimes(ledger, 3);
  ledger.Aborted(kRecord, "broker refused");
  EXPECT_EQ(ledger.StepFor(kRecord), PoisonStep::kProcess);
  ledger.Aborted(kRecord, "again");
  EXPECT_EQ(ledger.StepFor(kRecord), PoisonStep::kDeadLetter);
  EXPECT_EQ(ledger.ReasonFor(kRecord), "broker refused");  // the first reason is kept
  ledger.Aborted(kRecord, "again");
  EXPECT_EQ(ledger.StepFor(kRecord), PoisonStep::kDeadLetter);
  ledger.Aborted(kRecord, "again");
  EXPECT_EQ(ledger.StepFor(kRecord), PoisonStep::kDeadLetterWithoutValue);
}

TEST(PoisonLedgerTest, ARefusalMovesOneStepAtOnceDownTheWholeLadderToSkip) {
  PoisonLedger ledger;
  ledger.Refused(kRecord, "too large");
  EXPECT_EQ(ledger.StepFor(kRecord), PoisonStep::kDeadLetter);
  ledger.Refused(kRecord, "dead letter too large");
  EXPECT_EQ(ledger.StepFor(kRecord), PoisonStep::kDeadLetterWithoutValue);
  ledger.Refused(kRecord, "still too large");
  EXPECT_EQ(ledger.StepFor(kRecord), PoisonStep::kDeadLetterCoordinatesOnly);
  ledger.Refused(kRecord, "even that");
  EXPECT_EQ(ledger.StepFor(kRecord), PoisonStep::kSkip);
  ledger.Refused(kRecord, "and again");
  EXPECT_EQ(ledger.StepFor(kRecord), PoisonStep::kSkip);
  EXPECT_EQ(ledger.ReasonFor(kRecord), "too large");
}

TEST(PoisonLedgerTest, ACommitForgetsEntriesBelowItsOffsetsOnTheirPartitionOnly) {
  PoisonLedger ledger;
  const RecordId below{{"in", 2}, 39};
  const RecordId at_next{{"in", 2}, 41};
  const RecordId other_partition{{"in", 3}, 1};
  for (const RecordId& r : {below, kRecord, at_next, other_partition}) ledger.Refused(r, "x");
  ledger.Committed({{PartitionId{"in", 2}, 41}});
  EXPECT_EQ(ledger.StepFor(below), PoisonStep::kProcess);
  EXPECT_EQ(ledger.StepFor(kRecord), PoisonStep::kProcess);  // 40 < 41: committed
  EXPECT_EQ(ledger.StepFor(at_next), PoisonStep::kDeadLetter);  // 41 is not committed yet
  EXPECT_EQ(ledger.StepFor(other_partition), PoisonStep::kDeadLetter);
  EXPECT_EQ(ledger.size(), 2u);
}

TEST(PoisonLedgerTest, AnIsolatedRecordThatLaterCommitsLeavesNoEntry) {
  PoisonLedger ledger;
  AbortTimes(ledger, 3);
  ledger.Aborted(kRecord, "transient");  // one lone failure: an entry, still kProcess
  EXPECT_EQ(ledger.size(), 1u);
  ledger.Committed({{PartitionId{"in", 2}, 41}});
  EXPECT_EQ(ledger.size(), 0u);
}

TEST(PoisonLedgerTest, ARevocationForgetsThePartitionsEntries) {
  PoisonLedger ledger;
  ledger.Refused(kRecord, "x");
  ledger.Refused({{"in", 5}, 0}, "x");
  ledger.Revoked({PartitionId{"in", 2}});
  EXPECT_EQ(ledger.StepFor(kRecord), PoisonStep::kProcess);
  EXPECT_EQ(ledger.StepFor({{"in", 5}, 0}), PoisonStep::kDeadLetter);
}

TEST(PoisonLedgerTest, StepNames) {
  EXPECT_EQ(PoisonStepName(PoisonStep::kProcess), "process");
  EXPECT_EQ(PoisonStepName(PoisonStep::kDeadLetterCoordinatesOnly), "dead_letter_coordinates_only");
  EXPECT_EQ(PoisonStepName(PoisonStep::kSkip), "skip");
}

}  // namespace
}  // namespace referral
