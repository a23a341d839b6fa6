// The feed's mailbox ledger: the contiguous acknowledged prefix, attempts and redelivery flags,
// the ack deadline, what a checkpoint lets a replica rebuild, and de-duplication by revision.
#include "services/feed/core/ledger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace referral {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

Checkpoint At(int64_t committed, int64_t audit_from = 100, int64_t feedback_from = 200) {
  return {.committed = committed,
          .audit_partition = 1,
          .audit_from = audit_from,
          .feedback_partition = 2,
          .feedback_from = feedback_from};
}

// The delivery id of the record at `offset` in these tests.
std::string Id(int64_t offset) { return "0:" + std::to_string(offset) + ":1:r" + std::to_string(offset); }

// Reads and sends `offset` (first time), its disclosure at `audit`.
void ReadAndSend(PartitionLedger& ledger, int64_t offset, int64_t audit) {
  ASSERT_TRUE(ledger.Read(offset, false).deliver);
  ledger.Sent(offset, Id(offset), audit, kT0, kT0 + absl::Seconds(60));
}

TEST(PartitionLedgerTest, NewRecordsAreFirstDeliveries) {
  PartitionLedger ledger(At(10));
  const PartitionLedger::Verdict verdict = ledger.Read(10, false);
  EXPECT_TRUE(verdict.deliver);
  EXPECT_EQ(verdict.attempt, 1u);
  EXPECT_FALSE(verdict.redelivery);
}

TEST(PartitionLedgerTest, PrefixAdvancesOnlyOverContiguousAcknowledgements) {
  PartitionLedger ledger(At(0));
  ReadAndSend(ledger, 0, 100);
  ReadAndSend(ledger, 1, 101);
  ReadAndSend(ledger, 2, 102);
  EXPECT_EQ(ledger.committed(), 0);
  EXPECT_TRUE(ledger.NoteAcknowledgement(2, Id(2), 200));  // out of order
  EXPECT_EQ(ledger.committed(), 0);
  EXPECT_TRUE(ledger.NoteAcknowledgement(0, Id(0), 201));
  EXPECT_EQ(ledger.committed(), 1);
  EXPECT_TRUE(ledger.NoteAcknowledgement(1, Id(1), 202));
  EXPECT_EQ(ledger.committed(), 3);
  EXPECT_EQ(ledger.unacknowledged(), 0);
}

TEST(PartitionLedgerTest, OffsetGapsOfTransactionMarkersDoNotHoldThePrefix) {
  PartitionLedger ledger(At(0));
  ReadAndSend(ledger, 0, 100);
  ReadAndSend(ledger, 5, 101);  // 1..4: markers and aborted records, never read
  EXPECT_TRUE(ledger.NoteAcknowledgement(0, Id(0), 200));
  EXPECT_EQ(ledger.committed(), 5);
  EXPECT_TRUE(ledger.NoteAcknowledgement(5, Id(5), 201));
  EXPECT_EQ(ledger.committed(), 6);
}

TEST(PartitionLedgerTest, RepeatedLateAndUnknownAcknowledgementsChangeNothing) {
  PartitionLedger ledger(At(0));
  ReadAndSend(ledger, 0, 100);
  ReadAndSend(ledger, 1, 101);
  EXPECT_TRUE(ledger.NoteAcknowledgement(1, Id(1), 200));
  EXPECT_FALSE(ledger.NoteAcknowledgement(1, Id(1), 201));  // again
  EXPECT_TRUE(ledger.NoteAcknowledgement(0, Id(0), 202));
  EXPECT_FALSE(ledger.NoteAcknowledgement(0, Id(0), 203));  // late: already done
  // Never sent to this subscription: a client cannot acknowledge what it was not given.
  EXPECT_FALSE(ledger.NoteAcknowledgement(7, Id(7), 204));
  ReadAndSend(ledger, 7, 102);
  EXPECT_EQ(ledger.committed(), 7);  // 2..6 never read: markers or aborted records
  EXPECT_EQ(ledger.unacknowledged(), 1);
}

TEST(PartitionLedgerTest, AcknowledgementMustNameTheReferralSentAtThatPlace) {
  PartitionLedger ledger(At(0));
  ReadAndSend(ledger, 0, 100);
  // Right partition and offset, another referral or revision: a stale or forged id.
  EXPECT_FALSE(ledger.NoteAcknowledgement(0, "0:0:1:someone-else", 200));
  EXPECT_FALSE(ledger.NoteAcknowledgement(0, "0:0:2:r0", 201));
  EXPECT_EQ(ledger.committed(), 0);
  EXPECT_TRUE(ledger.NoteAcknowledgement(0, Id(0), 202));
  EXPECT_EQ(ledger.committed(), 1);
}

TEST(PartitionLedgerTest, ReadButUnsentRecordCannotBeAcknowledged) {
  PartitionLedger ledger(At(0));
  ASSERT_TRUE(ledger.Read(0, false).deliver);
  EXPECT_FALSE(ledger.NoteAcknowledgement(0, Id(0), 200));
  EXPECT_EQ(ledger.committed(), 0);
  EXPECT_EQ(ledger.waiting(), 1);
}

TEST(PartitionLedgerTest, DuplicatesAreDoneWithoutBeingSent) {
  PartitionLedger ledger(At(0));
  const PartitionLedger::Verdict verdict = ledger.Read(0, true);
  EXPECT_FALSE(verdict.deliver);
  EXPECT_EQ(ledger.committed(), 1);
  EXPECT_EQ(ledger.waiting(), 0);
}

TEST(PartitionLedgerTest, AckDeadlineExpiresAtItsInstantNotBefore) {
  PartitionLedger ledger(At(0));
  ASSERT_TRUE(ledger.Read(0, false).deliver);
  ledger.Sent(0, Id(0), 100, kT0, kT0 + absl::Seconds(60));
  EXPECT_THAT(ledger.Expired(kT0 + absl::Seconds(60) - absl::Nanoseconds(1)), IsEmpty());
  EXPECT_THAT(ledger.Expired(kT0 + absl::Seconds(60)), ElementsAre(0));
  const PartitionLedger::Verdict again = ledger.Resend(0);
  EXPECT_EQ(again.attempt, 2u);
  EXPECT_TRUE(again.redelivery);
  ledger.Sent(0, Id(0), 101, kT0 + absl::Seconds(60), kT0 + absl::Seconds(120));
  EXPECT_EQ(ledger.attempts(0), 2u);
  EXPECT_EQ(ledger.unacknowledged(), 1);  // a redelivery takes no second slot
  EXPECT_EQ(ledger.oldest_unacknowledged_since(), kT0);
}

// A record read but not yet sent has no deadline and is not "unacknowledged since" anything.
TEST(PartitionLedgerTest, OnlySentRecordsExpireOrCountAsOldestUnacknowledged) {
  PartitionLedger ledger(At(0));
  ReadAndSend(ledger, 0, 100);
  ASSERT_TRUE(ledger.Read(1, false).deliver);  // not sent
  EXPECT_THAT(ledger.Expired(kT0 + absl::Seconds(60)), ElementsAre(0));
  EXPECT_EQ(ledger.oldest_unacknowledged_since(), kT0);
}

TEST(PartitionLedgerTest, OldestUnacknowledgedIsTheEarliestSentNotTheLowestOffset) {
  PartitionLedger ledger(At(0));
  ASSERT_TRUE(ledger.Read(0, false).deliver);
  ASSERT_TRUE(ledger.Read(1, false).deliver);
  ledger.Sent(1, Id(1), 100, kT0, kT0 + absl::Seconds(60));
  ledger.Sent(0, Id(0), 101, kT0 + absl::Seconds(10), kT0 + absl::Seconds(70));
  EXPECT_EQ(ledger.oldest_unacknowledged_since(), kT0);
}

TEST(PartitionLedgerTest, RebuiltFromTheLogsDisclosedRecordsComeFlaggedAcknowledgedOnesDoNot) {
  // A replica resumes from a checkpoint: record 3 was disclosed twice, record 4 once and then
  // acknowledged, record 5 never.
  PartitionLedger ledger(At(3, 100, 200));
  ledger.NoteDisclosure(3, Id(3), 100);
  ledger.NoteDisclosure(3, Id(3), 105);
  ledger.NoteDisclosure(4, Id(4), 106);
  EXPECT_TRUE(ledger.NoteAcknowledgement(4, Id(4), 210));
  const PartitionLedger::Verdict three = ledger.Read(3, false);
  EXPECT_TRUE(three.deliver);
  EXPECT_EQ(three.attempt, 3u);
  EXPECT_TRUE(three.redelivery);
  EXPECT_FALSE(ledger.Read(4, false).deliver);
  const PartitionLedger::Verdict five = ledger.Read(5, false);
  EXPECT_EQ(five.attempt, 1u);
  EXPECT_FALSE(five.redelivery);
}

// The record at the checkpoint itself, disclosed before a restart and acknowledged in the
// feedback log before it is read again: its acknowledgement counts and it is not sent again.
TEST(PartitionLedgerTest, RebuiltTheAcknowledgementOfTheRecordAtTheCheckpointCounts) {
  PartitionLedger ledger(At(3, 100, 200));
  ledger.NoteDisclosure(3, Id(3), 100);
  EXPECT_TRUE(ledger.NoteAcknowledgement(3, Id(3), 210));
  EXPECT_FALSE(ledger.Read(3, false).deliver);
  EXPECT_EQ(ledger.committed(), 4);
}

// Rebuilt, read again but not yet re-sent, then acknowledged (the client had it from before the
// restart): done, and it never held a slot of the unacknowledged limit.
TEST(PartitionLedgerTest, RebuiltAReadButUnsentRecordsAcknowledgementFreesNoSlot) {
  PartitionLedger ledger(At(3, 100, 200));
  ledger.NoteDisclosure(3, Id(3), 100);
  ASSERT_TRUE(ledger.Read(3, false).deliver);
  EXPECT_TRUE(ledger.NoteAcknowledgement(3, Id(3), 210));
  EXPECT_EQ(ledger.unacknowledged(), 0);
  EXPECT_EQ(ledger.waiting(), 0);
  EXPECT_EQ(ledger.committed(), 4);
}

TEST(PartitionLedgerTest, DisclosuresBeforeTheCheckpointAreIgnored) {
  PartitionLedger ledger(At(3));
  ledger.NoteDisclosure(2, Id(2), 100);
  EXPECT_EQ(ledger.attempts(2), 0u);
  EXPECT_FALSE(ledger.NoteAcknowledgement(2, Id(2), 200));
}

TEST(PartitionLedgerTest, CheckpointKeepsTheOldestLogRecordStillNeeded) {
  PartitionLedger ledger(At(0, 100, 200));
  ledger.NoteAuditEnd(150);
  ledger.NoteFeedbackEnd(250);
  // Nothing outstanding: resume from the ends.
  EXPECT_EQ(ledger.checkpoint(), At(0, 150, 250));
  ReadAndSend(ledger, 0, 160);
  ReadAndSend(ledger, 1, 161);
  ledger.NoteAuditEnd(162);
  EXPECT_TRUE(ledger.NoteAcknowledgement(1, Id(1), 260));
  ledger.NoteFeedbackEnd(261);
  // Record 0 is outstanding (its disclosure at 160); record 1's acknowledgement (260) is needed
  // until the prefix passes it.
  EXPECT_EQ(ledger.checkpoint(), At(0, 160, 260));
  EXPECT_TRUE(ledger.NoteAcknowledgement(0, Id(0), 262));
  ledger.NoteFeedbackEnd(263);
  EXPECT_EQ(ledger.checkpoint(), At(2, 162, 263));
}

// A redelivery is disclosed again further on in the audit log; the checkpoint keeps the first
// disclosure, so that a replica rebuilding from it counts every attempt.
TEST(PartitionLedgerTest, CheckpointKeepsTheFirstDisclosureOfARedeliveredRecord) {
  PartitionLedger ledger(At(0, 100, 200));
  ReadAndSend(ledger, 0, 160);
  ledger.Sent(0, Id(0), 170, kT0 + absl::Seconds(60), kT0 + absl::Seconds(120));
  ledger.NoteAuditEnd(171);
  EXPECT_EQ(ledger.checkpoint().audit_from, 160);
}

TEST(CheckpointMetadataTest, RoundTripsAndRefusesOtherForms) {
  const Checkpoint written = At(7, 123, 456);
  Checkpoint read{.committed = 7};
  ASSERT_TRUE(ParseCheckpointMetadata(FormatCheckpointMetadata(written), read));
  EXPECT_EQ(read, written);
  Checkpoint untouched = At(1);
  for (const char* bad : {"", "v2 a=1:2 f=3:4", "v1 a=1:2", "v1 a=1:x f=3:4", "v1 f=1:2 a=3:4",
                          "v1 a=-1:2 f=3:4", "v1 a=1:-1 f=3:4", "v1 a=1:2 f=3:-1"}) {
    EXPECT_FALSE(ParseCheckpointMetadata(bad, untouched)) << bad;
    EXPECT_EQ(untouched, At(1)) << bad;
  }
}

TEST(DeduplicatorTest, SameRevisionWithinTheWindowIsADuplicate) {
  Deduplicator dedup(absl::Hours(168));
  EXPECT_FALSE(dedup.SeenBefore("r1", 1, kT0));
  EXPECT_TRUE(dedup.SeenBefore("r1", 1, kT0 + absl::Hours(168) - absl::Seconds(1)));
  EXPECT_FALSE(dedup.SeenBefore("r1", 2, kT0 + absl::Hours(1)));  // a new revision
  EXPECT_FALSE(dedup.SeenBefore("r2", 1, kT0 + absl::Hours(1)));  // another referral
}

TEST(DeduplicatorTest, RevisionSeenAWindowAgoOrMoreIsNew) {
  Deduplicator dedup(absl::Hours(168));
  EXPECT_FALSE(dedup.SeenBefore("r1", 1, kT0));
  EXPECT_FALSE(dedup.SeenBefore("r1", 1, kT0 + absl::Hours(168)));
  EXPECT_TRUE(dedup.SeenBefore("r1", 1, kT0 + absl::Hours(169)));  // remembered from then
}

// Times can come out of order (replicas, partitions): the window runs back from the newest time
// seen, and a revision exactly a window older than that is still remembered.
TEST(DeduplicatorTest, TheWindowRunsBackFromTheNewestTimeSeenAndKeepsItsEdge) {
  Deduplicator dedup(absl::Hours(1));
  EXPECT_FALSE(dedup.SeenBefore("r1", 1, kT0));
  EXPECT_FALSE(dedup.SeenBefore("r2", 1, kT0 + absl::Hours(1)));
  EXPECT_TRUE(dedup.SeenBefore("r1", 1, kT0 + absl::Minutes(30)));
  EXPECT_EQ(dedup.size(), 2u);
}

TEST(DeduplicatorTest, ForgetsWhatFellOutOfTheWindow) {
  Deduplicator dedup(absl::Hours(1));
  EXPECT_FALSE(dedup.SeenBefore("r1", 1, kT0));
  EXPECT_FALSE(dedup.SeenBefore("r2", 1, kT0 + absl::Hours(2)));
  EXPECT_EQ(dedup.size(), 1u);
}

TEST(SubscriptionTest, KeyPartitionAndNames) {
  EXPECT_EQ(SubscriptionKey("bristol-lcs", "lcs", "frontdoor/E06000023"),
            "bristol-lcs/lcs/frontdoor/E06000023");
  // Stable across builds: the audit and feedback logs are found again after a restart.
  EXPECT_EQ(LogPartition("bristol-lcs/lcs/frontdoor/E06000023", 6),
            LogPartition("bristol-lcs/lcs/frontdoor/E06000023", 6));
  EXPECT_EQ(LogPartition("", 6), static_cast<int32_t>(14695981039346656037ull % 6));
  EXPECT_EQ(LogPartition("anything", 1), 0);
  EXPECT_TRUE(ValidSubscriptionName("lcs"));
  EXPECT_TRUE(ValidSubscriptionName(std::string(64, 'a')));
  EXPECT_FALSE(ValidSubscriptionName(std::string(65, 'a')));
  EXPECT_FALSE(ValidSubscriptionName(""));
  EXPECT_FALSE(ValidSubscriptionName("a/b"));
  EXPECT_FALSE(ValidSubscriptionName("a b"));
  EXPECT_TRUE(ValidSubscriptionName("bristol.lcs-2_a"));  // each punctuation mark it allows
  EXPECT_FALSE(ValidSubscriptionName("a:b"));
}

}  // namespace
}  // namespace referral
