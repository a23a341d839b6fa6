// The transactional loop end to end on an in-memory Kafka, a fake clock and scripted clients:
// exactly-once output through aborts and rewinds, the poison ladder, stalled partitions,
// revocation and stopping. Milliseconds of real time; the wiring to librdkafka is covered by the
// mock-cluster and real-broker tests.
#include "services/common/kafka/kafka_transactional_loop.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/service_doubles.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/messaging/dead_letter.h"
#include "tests/testing/kafka_doubles.h"

namespace referral {
namespace {

using testing::FakeClock;
using testing::FakeKafka;
using testing::ScriptedCallRunner;
using testing::ScriptedInputConsumer;
using testing::ScriptedTransactionalClient;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Copies each record to "out"; a value starting "big" becomes 2 MB; "undecodable" is
// dead-lettered at once, as a service does with input it cannot read.
class CopyProcessor final : public RecordProcessor {
 public:
  void Process(const InRecord& in, std::vector<OutRecord>& out) override {
    if (in.value == "undecodable") {
      out.push_back(DeadLetter(in, "undecodable", "value: not JSON"));
      return;
    }
    ++processed;
    std::string value(in.value);
    if (absl::StartsWith(value, "big")) value.resize(2'000'000, 'x');
    out.push_back({"out", std::string(in.key), std::move(value), {}});
  }
  OutRecord DeadLetter(const InRecord& in, absl::string_view reason,
                       absl::string_view detail) override {
    return MakeDeadLetter(in, "out.dlq", "test", reason, detail);
  }
  // With `summaries`, one record per transaction, added just before it commits: how many records
  // it holds (as the monitor adds its state).
  void BeforeCommit(std::vector<OutRecord>& out) override {
    if (!summaries) return;
    out.push_back({"summary", "",
                   summary_value.empty() ? absl::StrCat("n=", processed - processed_at_commit)
                                         : summary_value,
                   {}});
  }
  void Committed() override {
    ++committed;
    processed_at_commit = processed;
  }
  void Aborted() override {
    ++aborted;
    processed = processed_at_commit;
  }
  int committed = 0;
  int aborted = 0;
  bool summaries = false;
  std::string summary_value;  // replaces the summary's value when set
  int processed = 0;
  int processed_at_commit = 0;
};

class KafkaTransactionalLoopTest : public ::testing::Test {
 protected:
  KafkaTransactionalLoopTest() : runner_(clock_), metrics_(registry_) {}

  void Publish(int32_t partition, const std::string& value, std::string key = "k",
               std::vector<Header> headers = {}) {
    kafka_.Append("in", partition, {std::move(key), value, std::move(headers)});
  }

  // Runs the loop until it has polled nothing `idle_polls` times in a row, then stops it.
  absl::StatusOr<LoopStop> RunUntilIdle(int idle_polls = 3) {
    KafkaTransactionalLoop::Options options;
    options.batch = {.max_records = 10, .interval = absl::Milliseconds(100),
                     .idle = absl::Milliseconds(20)};
    options.stall_limit = absl::Seconds(60);
    options.topic_record_limits = topic_record_limits_;
    auto loop = KafkaTransactionalLoop::CreateWith(
        options, {"in"}, processor_, metrics_, stop_, clock_, runner_,
        [&](ConsumerListener& listener) -> absl::StatusOr<std::unique_ptr<InputConsumer>> {
          auto consumer = std::make_unique<ScriptedInputConsumer>(kafka_, clock_, listener);
          consumer_ = consumer.get();
          consumer->on_idle = [this, idle_polls] {
            if (on_idle_) on_idle_();
            if (consumer_->idle_in_a_row >= idle_polls) stop_.store(true);
          };
          if (prepare_consumer_) prepare_consumer_(*consumer);
          return consumer;
        },
        [&](ConsumerListener*) -> absl::StatusOr<std::shared_ptr<TransactionalClient>> {
          auto client = std::make_shared<ScriptedTransactionalClient>(kafka_);
          if (prepare_client_ && clients_.empty()) prepare_client_(*client);
          clients_.push_back(client);
          return client;
        });
    if (!loop.ok()) return loop.status();
    loop_ = *std::move(loop);
    return loop_->Run();
  }

  std::vector<std::string> Values(const std::string& topic) {
    std::vector<std::string> values;
    for (const OutRecord& r : kafka_.Output(topic)) values.push_back(r.value.substr(0, 20));
    return values;
  }

  FakeClock clock_;
  ScriptedCallRunner runner_;
  FakeKafka kafka_;
  CopyProcessor processor_;
  std::atomic<bool> stop_{false};
  prometheus::Registry registry_;
  KafkaLoopMetrics metrics_;
  std::unique_ptr<KafkaTransactionalLoop> loop_;
  ScriptedInputConsumer* consumer_ = nullptr;
  std::vector<std::shared_ptr<ScriptedTransactionalClient>> clients_;
  std::function<void(ScriptedTransactionalClient&)> prepare_client_;
  std::function<void(ScriptedInputConsumer&)> prepare_consumer_;
  std::function<void()> on_idle_;
  absl::flat_hash_map<std::string, int64_t> topic_record_limits_;
};

TEST_F(KafkaTransactionalLoopTest, EveryRecordOnceInCommittedTransactionsThenDrained) {
  for (int i = 0; i < 25; ++i) Publish(i % 2, absl::StrCat("v", i));
  const absl::StatusOr<LoopStop> stopped = RunUntilIdle();
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_EQ(*stopped, LoopStop::kDrained);
  EXPECT_EQ(Values("out").size(), 25u);
  EXPECT_EQ((kafka_.committed[{"in", 0}]), 13);
  EXPECT_EQ((kafka_.committed[{"in", 1}]), 12);
  // 25 records at 10 per transaction: at least three transactions, none aborted.
  EXPECT_GE(metrics_.committed.Value(), 3);
  EXPECT_EQ(metrics_.aborted.Value(), 0);
  EXPECT_EQ(metrics_.produced.Add({{"topic", "out"}}).Value(), 25);
  EXPECT_EQ(metrics_.Consumed("in").Value(), 25);
}

// What a processor adds just before a commit is in that transaction, with its offsets: one
// summary per committed transaction, counting exactly the records it committed; an aborted
// transaction's summary is gone with it.
TEST_F(KafkaTransactionalLoopTest, RecordsAddedBeforeACommitCommitWithItsOffsets) {
  processor_.summaries = true;
  for (int i = 0; i < 25; ++i) Publish(0, absl::StrCat("v", i));
  prepare_client_ = [](ScriptedTransactionalClient& c) {
    c.send_offsets = {absl::AbortedError("GROUP_AUTHORIZATION_FAILED")};
  };
  ASSERT_TRUE(RunUntilIdle().ok());
  EXPECT_EQ(metrics_.aborted.Value(), 1);
  int counted = 0;
  for (const OutRecord& summary : kafka_.Output("summary")) {
    int n = 0;
    ASSERT_TRUE(absl::SimpleAtoi(absl::StripPrefix(summary.value, "n="), &n)) << summary.value;
    EXPECT_GT(n, 0);
    counted += n;
  }
  EXPECT_EQ(kafka_.Output("summary").size(), static_cast<size_t>(metrics_.committed.Value()));
  EXPECT_EQ(counted, 25);  // each record once, in the summary of the transaction that committed it
  EXPECT_EQ((kafka_.committed[{"in", 0}]), 25);
}

TEST_F(KafkaTransactionalLoopTest, ARecordAddedBeforeACommitThatCannotBeWrittenIsFatal) {
  processor_.summaries = true;
  Publish(0, "v0");
  processor_.summary_value = std::string(64, 's');  // more than the producer takes
  prepare_client_ = [](ScriptedTransactionalClient& c) { c.max_record_bytes = 16; };
  const absl::StatusOr<LoopStop> stopped = RunUntilIdle();
  ASSERT_FALSE(stopped.ok());
  EXPECT_THAT(stopped.status().message(),
              HasSubstr("the record to commit with the transaction (summary) was refused"));
  EXPECT_TRUE(kafka_.Output("summary").empty());
  EXPECT_EQ((kafka_.committed[{"in", 0}]), 0);
}

// Prometheus's increase() ignores what a series holds at its first sample: the first Kafka error
// or skipped record would never raise an alert if its series appeared with it. They are there at
// zero from the start.
TEST_F(KafkaTransactionalLoopTest, ErrorAndSkipSeriesExistAtZeroBeforeAnything) {
  ASSERT_TRUE(RunUntilIdle().ok());
  auto has_zero = [&](absl::string_view name, absl::string_view label, absl::string_view value) {
    for (const prometheus::MetricFamily& family : registry_.Collect()) {
      if (family.name != name) continue;
      for (const prometheus::ClientMetric& metric : family.metric) {
        for (const auto& l : metric.label) {
          if (l.name == label && l.value == value) return metric.counter.value == 0;
        }
      }
    }
    return false;
  };
  for (const char* kind : {"retriable", "abortable", "fatal"}) {
    EXPECT_TRUE(has_zero("referral_kafka_errors_total", "class", kind)) << kind;
  }
  EXPECT_TRUE(has_zero("referral_records_skipped_total", "topic", "in"));
}

// Where the loop's time goes: every moment of the run in exactly one phase, each phase counting
// what happened in it (the fake clock moves only where the test says).
TEST_F(KafkaTransactionalLoopTest, ALoneRecordCommitsOnceIdleOldNotAtTheInterval) {
  // A light stream (a referral now and then): each hop holds a record only until its transaction
  // is `idle` old (20 ms here), not for the whole commit interval (100 ms).
  Publish(0, "v0");
  const absl::Time started = clock_.Now();
  std::vector<std::pair<absl::Duration, int>> idle_polls;  // when, and commits by then
  on_idle_ = [&] { idle_polls.push_back({clock_.Now() - started, clients_.back()->commits}); };
  ASSERT_TRUE(RunUntilIdle().ok());
  ASSERT_GE(idle_polls.size(), 2u);
  EXPECT_EQ(idle_polls[0], std::make_pair(absl::Milliseconds(20), 0));
  EXPECT_EQ(idle_polls[1].second, 1);
  EXPECT_THAT(Values("out"), ElementsAre("v0"));
}

TEST_F(KafkaTransactionalLoopTest, TheLoopsWallTimeIsAccountedByPhase) {
  for (int i = 0; i < 5; ++i) Publish(0, absl::StrCat("v", i));
  prepare_consumer_ = [](ScriptedInputConsumer& c) { c.record_poll_cost = absl::Milliseconds(3); };
  const absl::Time started = clock_.Now();
  ASSERT_TRUE(RunUntilIdle().ok());
  const double elapsed = absl::ToDoubleSeconds(clock_.Now() - started);
  const double poll = metrics_.loop_poll.Value();
  const double commit = metrics_.loop_commit.Value();
  EXPECT_DOUBLE_EQ(poll + commit + metrics_.loop_process.Value() + metrics_.loop_deliver.Value(),
                   elapsed);
  // Five records at 3 ms each, then the idle polls' waits until the third empty one in a row.
  EXPECT_GT(poll, 0.015);
  EXPECT_EQ(commit, 0);  // the scripted commit takes no time
}

TEST_F(KafkaTransactionalLoopTest, ACommitThatHangsIsCountedAsCommitTime) {
  Publish(0, "v0");
  // As in AStuckCommitReplacesTheProducerRewindsAndCommitsOnce: the commit's first call hangs.
  bool armed = false;
  on_idle_ = [&] {
    if (!armed) runner_.stick = 1;
    armed = true;
  };
  const absl::Time started = clock_.Now();
  ASSERT_TRUE(RunUntilIdle(5).ok());
  EXPECT_EQ(metrics_.producers_replaced.Value(), 1);
  EXPECT_GE(metrics_.loop_commit.Value(), absl::ToDoubleSeconds(runner_.last_stuck_for));
  EXPECT_GT(runner_.last_stuck_for, absl::ZeroDuration());
  EXPECT_LE(metrics_.loop_commit.Value(), absl::ToDoubleSeconds(clock_.Now() - started));
}

TEST_F(KafkaTransactionalLoopTest, AnAbortRewindsAndReprocessesWithoutDuplicates) {
  for (int i = 0; i < 5; ++i) Publish(0, absl::StrCat("v", i));
  prepare_client_ = [](ScriptedTransactionalClient& c) {
    c.send_offsets = {absl::AbortedError("GROUP_AUTHORIZATION_FAILED")};
  };
  ASSERT_TRUE(RunUntilIdle().ok());
  EXPECT_THAT(Values("out"), ElementsAre("v0", "v1", "v2", "v3", "v4"));
  EXPECT_EQ(metrics_.aborted.Value(), 1);
  EXPECT_EQ(consumer_->rewinds, 1);
  EXPECT_EQ(metrics_.Consumed("in").Value(), 10);  // processed twice, committed once
  EXPECT_EQ(metrics_.committed_records.Add({{"topic", "in"}}).Value(), 5);
  // The processor heard of each outcome, so its counters count each record once.
  EXPECT_EQ(processor_.aborted, 1);
  EXPECT_EQ(processor_.committed, static_cast<int>(metrics_.committed.Value()));
}

TEST_F(KafkaTransactionalLoopTest, AnOversizedOutputIsDeadLetteredWholeAndThePartitionFlows) {
  Publish(0, "v0");
  Publish(0, "big one");
  Publish(0, "v2");
  ASSERT_TRUE(RunUntilIdle().ok());
  EXPECT_THAT(Values("out"), ElementsAre("v0", "v2"));
  const std::vector<OutRecord> letters = kafka_.Output("out.dlq");
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].value, "big one");
  EXPECT_EQ(testing::HeaderValue(letters[0], kDlqReason), "produce_failed");
  EXPECT_THAT(testing::HeaderValue(letters[0], kDlqErrors), HasSubstr("Message size too large"));
  EXPECT_EQ(testing::HeaderValue(letters[0], kDlqSourceOffset), "1");
  EXPECT_EQ(testing::HeaderValue(letters[0], kDlqOmitted), "<absent>");
}

// The hostile-input finding: a ~1 MB key and an undecodable value. The dead letter carries the
// key and headers, so even without its value it is too large; it must still be written with what
// fits, and the next good record on the partition must be processed.
TEST_F(KafkaTransactionalLoopTest, ADeadLetterTooLargeEvenWithoutItsValueIsWrittenAsCoordinates) {
  Publish(0, "v0");
  Publish(0, "undecodable", std::string(1'100'000, 'k'));
  Publish(0, "v2");
  ASSERT_TRUE(RunUntilIdle().ok());
  EXPECT_THAT(Values("out"), ElementsAre("v0", "v2"));
  const std::vector<OutRecord> letters = kafka_.Output("out.dlq");
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].key, "");
  EXPECT_EQ(letters[0].value, "");
  EXPECT_EQ(testing::HeaderValue(letters[0], kDlqOmitted), "key,value,headers");
  EXPECT_EQ(testing::HeaderValue(letters[0], kDlqReason), "produce_failed");
  EXPECT_EQ(testing::HeaderValue(letters[0], kDlqSourceTopic), "in");
  EXPECT_EQ(testing::HeaderValue(letters[0], kDlqSourcePartition), "0");
  EXPECT_EQ(testing::HeaderValue(letters[0], kDlqSourceOffset), "1");
  // Refused three times (its output, the whole letter, the letter without value): three aborts,
  // bounded, never for ever.
  EXPECT_EQ(metrics_.aborted.Value(), 3);
  EXPECT_EQ(metrics_.skipped.Add({{"topic", "in"}}).Value(), 0);
}

// Issue 9: an output larger than its topic takes is dead-lettered whole (the dead-letter topic
// takes more), decided before producing, never left for the broker to refuse.
TEST_F(KafkaTransactionalLoopTest, AnOutputLargerThanItsTopicTakesIsDeadLetteredWhole) {
  topic_record_limits_ = {{"out", 100}, {"out.dlq", 10'000}};
  Publish(0, std::string(150, 'v'));
  Publish(0, std::string(99, 'w'), "");  // key "" + 99 bytes: just within 100
  ASSERT_TRUE(RunUntilIdle().ok());
  const std::vector<OutRecord> letters = kafka_.Output("out.dlq");
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].value, std::string(150, 'v'));
  EXPECT_EQ(testing::HeaderValue(letters[0], kDlqOmitted), "<absent>");
  EXPECT_THAT(testing::HeaderValue(letters[0], kDlqErrors),
              HasSubstr("output to out of 151 bytes exceeds the 100 its max.message.bytes allows"));
  EXPECT_EQ(kafka_.Output("out").size(), 1u);
  EXPECT_EQ(kafka_.Output("out")[0].value, std::string(99, 'w'));
}

TEST_F(KafkaTransactionalLoopTest, AValueTooLargeForTheDeadLetterGoesWithoutIt) {
  Publish(0, std::string(1'500'000, 'u'));  // copied to "out" too large; letter too
  Publish(0, "v1");
  ASSERT_TRUE(RunUntilIdle().ok());
  const std::vector<OutRecord> letters = kafka_.Output("out.dlq");
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].value, "");
  EXPECT_EQ(letters[0].key, "k");
  EXPECT_EQ(testing::HeaderValue(letters[0], kDlqOmitted), "value");
  EXPECT_THAT(Values("out"), ElementsAre("v1"));
}

TEST_F(KafkaTransactionalLoopTest, ARecordThatCannotEvenBeDeadLetteredIsSkippedAndCounted) {
  Publish(0, "undecodable");
  Publish(0, "v1");
  prepare_client_ = [](ScriptedTransactionalClient& c) { c.max_record_bytes = 10; };
  ASSERT_TRUE(RunUntilIdle().ok());
  EXPECT_TRUE(kafka_.Output("out.dlq").empty());
  EXPECT_THAT(Values("out"), ElementsAre("v1"));
  EXPECT_EQ(metrics_.skipped.Add({{"topic", "in"}}).Value(), 1);
  EXPECT_EQ((kafka_.committed[{"in", 0}]), 2);
}

TEST_F(KafkaTransactionalLoopTest, ATransactionRefusedAgainAndAgainIsolatesAndDeadLettersOneRecord) {
  for (int i = 0; i < 4; ++i) Publish(0, absl::StrCat("v", i));
  // The broker refuses the first five commits (a record too large for the topic, say).
  prepare_client_ = [](ScriptedTransactionalClient& c) {
    c.commit = std::deque<absl::Status>(5, absl::AbortedError("MESSAGE_TOO_LARGE"));
  };
  ASSERT_TRUE(RunUntilIdle().ok());
  // Aborts 1-3 batch all four; then one record per transaction: v0 fails alone twice and is
  // dead-lettered; the rest commit.
  EXPECT_EQ(metrics_.aborted.Value(), 5);
  const std::vector<OutRecord> letters = kafka_.Output("out.dlq");
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].value, "v0");
  EXPECT_THAT(Values("out"), ElementsAre("v1", "v2", "v3"));
  EXPECT_EQ(loop_->PoisonEntries(), 0u);  // forgotten once committed
}

TEST_F(KafkaTransactionalLoopTest, OneTransientRefusalOfALoneRecordDeadLettersNothing) {
  for (int i = 0; i < 4; ++i) Publish(0, absl::StrCat("v", i));
  prepare_client_ = [](ScriptedTransactionalClient& c) {
    c.commit = std::deque<absl::Status>(4, absl::AbortedError("transient"));
  };
  ASSERT_TRUE(RunUntilIdle().ok());
  EXPECT_TRUE(kafka_.Output("out.dlq").empty());
  EXPECT_THAT(Values("out"), ElementsAre("v0", "v1", "v2", "v3"));
  EXPECT_EQ(loop_->PoisonEntries(), 0u);
}

TEST_F(KafkaTransactionalLoopTest, AnAclRefusalMakesItNotReadyNamingItWhileNothingIsRead) {
  // A principal without Read on its input: librdkafka reports the refusal once. The loop goes on
  // (the ACL may be granted) but is not ready, naming the refusal, however long nothing comes.
  std::string at_once, at_10min;
  const absl::Time start = clock_.Now();
  prepare_consumer_ = [&](ScriptedInputConsumer& consumer) {
    consumer.injected.push_back({.kind = Polled::Kind::kTransient,
                                 .error = "Broker: Topic authorization failed (topic in)",
                                 .refused = true,
                                 .refused_topic = "in"});
    consumer.before_poll = [&](int polls) {
      if (polls == 1) at_once = loop_->NotReadyReason();
      if (clock_.Now() - start >= absl::Minutes(10) && at_10min.empty()) {
        at_10min = loop_->NotReadyReason();
        stop_.store(true);
      }
    };
  };
  Publish(1, "elsewhere");  // a partition to be assigned; its record comes before the refusal
  kafka_.committed[{"in", 1}] = 1;
  ASSERT_TRUE(RunUntilIdle(1'000'000).ok());
  EXPECT_THAT(at_once, HasSubstr("refused by Kafka: Broker: Topic authorization failed (topic in)"));
  EXPECT_THAT(at_10min, HasSubstr("Topic authorization failed"));
}

TEST_F(KafkaTransactionalLoopTest, AnAclRefusalIsForgottenOnceARecordIsRead) {
  Publish(0, "v0");
  std::string after_refusal, after_record;
  prepare_consumer_ = [&](ScriptedInputConsumer& consumer) {
    consumer.injected.push_back({.kind = Polled::Kind::kTransient,
                                 .error = "Broker: Group authorization failed (group g)",
                                 .refused = true});
    consumer.before_poll = [&](int polls) {
      if (polls == 1) after_refusal = loop_->NotReadyReason();
      if (polls == 3) after_record = loop_->NotReadyReason() + "|";
    };
  };
  ASSERT_TRUE(RunUntilIdle().ok());
  EXPECT_THAT(after_refusal, HasSubstr("Group authorization failed (group g)"));
  EXPECT_EQ(after_record, "|");  // v0 was read at the second poll: the ACL is there now
  EXPECT_THAT(Values("out"), ElementsAre("v0"));
}

TEST_F(KafkaTransactionalLoopTest, ARecordOfAnotherTopicDoesNotForgetATopicsRefusal) {
  // A service reading several topics (the monitor) refused one of them: records of the others
  // prove nothing about it.
  Publish(0, "v0");
  std::string after_record;
  prepare_consumer_ = [&](ScriptedInputConsumer& consumer) {
    consumer.injected.push_back({.kind = Polled::Kind::kTransient,
                                 .error = "Broker: Topic authorization failed (topic other)",
                                 .refused = true,
                                 .refused_topic = "other"});
    consumer.before_poll = [&](int polls) {
      if (polls == 3) after_record = loop_->NotReadyReason();
    };
  };
  ASSERT_TRUE(RunUntilIdle().ok());
  EXPECT_THAT(Values("out"), ElementsAre("v0"));
  EXPECT_THAT(after_record, HasSubstr("Topic authorization failed (topic other)"));
}

TEST_F(KafkaTransactionalLoopTest, OtherTransientConsumerErrorsLeaveItReady) {
  Publish(0, "v0");
  std::string after;
  prepare_consumer_ = [&](ScriptedInputConsumer& consumer) {
    consumer.injected.push_back({.kind = Polled::Kind::kTransient,
                                 .error = "Local: Broker transport failure"});
    consumer.before_poll = [&](int polls) {
      if (polls == 1) after = loop_->NotReadyReason() + "|";
    };
  };
  ASSERT_TRUE(RunUntilIdle().ok());
  EXPECT_EQ(after, "|");
}

TEST_F(KafkaTransactionalLoopTest, APartitionMakingNoProgressIsNamedInTheReadinessReason) {
  Publish(3, "v0");
  Publish(0, "w0");
  // The broker refuses every commit: the partitions make no progress however the poison ladder
  // moves the records on.
  prepare_client_ = [](ScriptedTransactionalClient& c) {
    c.commit = std::deque<absl::Status>(1'000'000, absl::AbortedError("refused"));
  };
  std::string reason_at_59s, reason_past_limit;
  const absl::Time start = clock_.Now();
  prepare_consumer_ = [&](ScriptedInputConsumer& consumer) {
    consumer.record_poll_cost = absl::Milliseconds(10);
    consumer.before_poll = [&](int) {
      const absl::Duration waited = clock_.Now() - start;
      if (waited < absl::Seconds(59)) {
        reason_at_59s = loop_->NotReadyReason();
      } else if (waited > absl::Seconds(62) && !stop_.load()) {
        reason_past_limit = loop_->NotReadyReason();
        stop_.store(true);
      }
    };
  };
  ASSERT_TRUE(RunUntilIdle(/*idle_polls=*/1'000'000).ok());
  EXPECT_EQ(reason_at_59s, "");
  EXPECT_EQ(reason_past_limit,
            "input partitions making no progress for over 1m: in-0, in-3");
  EXPECT_EQ(metrics_.stalled_partitions.Value(), 2);
  EXPECT_GT(metrics_.oldest_uncommitted.Value(), 60);
  EXPECT_TRUE(Values("out").empty());
}

TEST_F(KafkaTransactionalLoopTest, ARevocationCommitsTheOpenTransactionFirst) {
  for (int i = 0; i < 3; ++i) Publish(0, absl::StrCat("v", i));
  Publish(1, "w0");
  // Partition 0 is revoked after two of its records were processed, before any commit.
  prepare_consumer_ = [](ScriptedInputConsumer& consumer) {
    consumer.before_poll = [&consumer](int polls) {
      if (polls == 2) consumer.revoke_next = {PartitionId{"in", 0}};
    };
  };
  ASSERT_TRUE(RunUntilIdle().ok());
  // v0 and v1 committed on revocation; v2 is the next owner's; w0 committed later.
  EXPECT_THAT(Values("out"), ElementsAre("v0", "v1", "w0"));
  EXPECT_EQ((kafka_.committed[{"in", 0}]), 2);
  EXPECT_EQ((kafka_.committed[{"in", 1}]), 1);
}

TEST_F(KafkaTransactionalLoopTest, StoppingDuringAnOutageIsNotDrainedAndNotFatal) {
  for (int i = 0; i < 3; ++i) Publish(0, absl::StrCat("v", i));
  prepare_client_ = [](ScriptedTransactionalClient& c) {
    c.send_offsets = std::deque<absl::Status>(100, absl::UnavailableError("all brokers down"));
  };
  // SIGTERM arrives while the first commit is being retried.
  clock_.on_sleep = [this] { stop_.store(true); };
  const absl::StatusOr<LoopStop> stopped = RunUntilIdle();
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_EQ(*stopped, LoopStop::kNotDrained);
  EXPECT_TRUE(Values("out").empty());
  EXPECT_EQ(clients_[0]->aborts, 0);  // left for the broker: no abort against a dead broker
  EXPECT_THAT(loop_->NotReadyReason(), ::testing::Not(HasSubstr("fatal")));
}

TEST_F(KafkaTransactionalLoopTest, AFatalCommitStopsTheLoopNotReady) {
  Publish(0, "v0");
  prepare_client_ = [](ScriptedTransactionalClient& c) { c.commit = {absl::InternalError("fenced")}; };
  const absl::StatusOr<LoopStop> stopped = RunUntilIdle();
  EXPECT_EQ(stopped.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(loop_->NotReadyReason(), HasSubstr("fatal Kafka error: "));
  EXPECT_TRUE(Values("out").empty());
}

TEST_F(KafkaTransactionalLoopTest, AStuckCommitReplacesTheProducerRewindsAndCommitsOnce) {
  for (int i = 0; i < 3; ++i) Publish(0, absl::StrCat("v", i));
  // Transactions are initialised before the first poll; the first idle poll comes after the
  // three records and before their commit, whose send_offsets_to_transaction gets stuck.
  bool armed = false;
  on_idle_ = [&] {
    if (!armed) runner_.stick = 1;
    armed = true;
  };
  ASSERT_TRUE(RunUntilIdle(5).ok());
  EXPECT_EQ(metrics_.producers_replaced.Value(), 1);
  EXPECT_EQ(clients_.size(), 2u);
  EXPECT_THAT(Values("out"), ElementsAre("v0", "v1", "v2"));
  EXPECT_EQ(consumer_->rewinds, 1);
}

}  // namespace
}  // namespace referral
