// TransactionalProducer on a fake clock and scripted clients: retries, aborts, the stuck-call
// watchdog and replacement, stopping. Each stuck call is "waited for" on the fake clock.
#include "services/common/kafka/transactional_producer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/kafka_doubles.h"

namespace referral {
namespace {

using testing::FakeClock;
using testing::FakeKafka;
using testing::ScriptedCallRunner;
using testing::ScriptedTransactionalClient;
using ::testing::HasSubstr;

class TransactionalProducerTest : public ::testing::Test {
 protected:
  TransactionalProducerTest() : runner_(clock_), metrics_(registry_) {}

  // The producer; every client it makes is kept in clients_ (the first gets `script`).
  std::unique_ptr<TransactionalProducer> Make(
      std::function<void(ScriptedTransactionalClient&)> script = nullptr) {
    return std::make_unique<TransactionalProducer>(
        [this, script]() -> absl::StatusOr<std::shared_ptr<TransactionalClient>> {
          auto client = std::make_shared<ScriptedTransactionalClient>(kafka_);
          if (clients_.empty() && script) script(*client);
          clients_.push_back(client);
          return client;
        },
        runner_, clock_, stop_, metrics_, TransactionalProducer::Options{});
  }

  double Errors(const std::string& error_class) {
    return metrics_.kafka_errors.Add({{"class", error_class}}).Value();
  }

  FakeClock clock_;
  ScriptedCallRunner runner_;
  FakeKafka kafka_;
  std::atomic<bool> stop_{false};
  prometheus::Registry registry_;
  KafkaLoopMetrics metrics_;
  std::vector<std::shared_ptr<ScriptedTransactionalClient>> clients_;
  const Offsets offsets_ = {{PartitionId{"in", 0}, 5}};
};

TEST_F(TransactionalProducerTest, StartsReadyAndCommits) {
  auto producer = Make();
  EXPECT_FALSE(producer->ready());
  ASSERT_TRUE(producer->Start().ok());
  EXPECT_TRUE(producer->ready());
  ASSERT_TRUE(producer->Begin().ok());
  EXPECT_TRUE(producer->Produce({"out", "k", "v", {}}).queued);
  EXPECT_EQ(*producer->Commit(offsets_, nullptr), TxnResult::kCommitted);
  EXPECT_FALSE(producer->in_transaction());
  EXPECT_EQ(kafka_.Output("out").size(), 1u);
  EXPECT_EQ((kafka_.committed[{"in", 0}]), 5);
}

TEST_F(TransactionalProducerTest, InitRetriesRetriableErrorsWithBackoff) {
  auto producer = Make([](ScriptedTransactionalClient& c) {
    c.init = {absl::UnavailableError("coordinator"), absl::UnavailableError("coordinator")};
  });
  ASSERT_TRUE(producer->Start().ok());
  EXPECT_TRUE(producer->ready());
  EXPECT_EQ(clock_.slept(), absl::Milliseconds(300));
  EXPECT_EQ(Errors("retriable"), 2);
}

TEST_F(TransactionalProducerTest, AFatalInitIsInternal) {
  auto producer = Make([](ScriptedTransactionalClient& c) { c.init = {absl::InternalError("fenced")}; });
  EXPECT_EQ(producer->Start().code(), absl::StatusCode::kInternal);
  EXPECT_FALSE(producer->ready());
}

TEST_F(TransactionalProducerTest, AStuckInitIsFatalNotReplaced) {
  auto producer = Make();
  runner_.stick = 1;
  const absl::Status status = producer->Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(status.message(), HasSubstr("init_transactions"));
  EXPECT_EQ(clients_.size(), 1u);
  EXPECT_EQ(metrics_.producers_replaced.Value(), 0);
}

TEST_F(TransactionalProducerTest, RetriableCommitErrorsAreRetriedNotAborted) {
  auto producer = Make([](ScriptedTransactionalClient& c) {
    c.commit = {absl::UnavailableError("timed out"), absl::UnavailableError("timed out")};
  });
  ASSERT_TRUE(producer->Start().ok());
  ASSERT_TRUE(producer->Begin().ok());
  EXPECT_EQ(*producer->Commit(offsets_, nullptr), TxnResult::kCommitted);
  EXPECT_EQ(clients_[0]->aborts, 0);
  EXPECT_EQ(Errors("retriable"), 2);
}

// librdkafka 2.16's abort_transaction after a broker outage returned _TIMED_OUT every 15 s for
// minutes: a call that keeps failing for longer than a stuck one may run is treated as stuck.
TEST_F(TransactionalProducerTest, AnAbortStillTimingOutPastTheStuckLimitReplacesTheClient) {
  auto producer = Make([](ScriptedTransactionalClient& c) {
    c.abort = std::deque<absl::Status>(100, absl::UnavailableError("_TIMED_OUT: retry call to resume"));
  });
  ASSERT_TRUE(producer->Start().ok());
  ASSERT_TRUE(producer->Begin().ok());
  const absl::Time began = clock_.Now();
  EXPECT_EQ(*producer->Abort(), TxnResult::kProducerReplaced);
  // Not before the limit; at the first failure after it (the back-off is at most 5 s).
  EXPECT_GE(clock_.Now() - began, absl::Seconds(30));
  EXPECT_LT(clock_.Now() - began, absl::Seconds(35));
  EXPECT_EQ(clients_.size(), 2u);
  EXPECT_TRUE(producer->ready());
  EXPECT_EQ(metrics_.producers_replaced.Value(), 1);
}

TEST_F(TransactionalProducerTest, ACommitThatRecoversJustBeforeTheStuckLimitIsKept) {
  // Back-offs of 100, 200, ... 3,200 ms, then 5 s: the 11th try comes 26.3 s after the first,
  // the 12th at 31.3 s. Ten failures: the 11th try succeeds, inside the limit.
  auto producer = Make([](ScriptedTransactionalClient& c) {
    c.commit = std::deque<absl::Status>(10, absl::UnavailableError("_TIMED_OUT"));
  });
  ASSERT_TRUE(producer->Start().ok());
  ASSERT_TRUE(producer->Begin().ok());
  const absl::Time began = clock_.Now();
  EXPECT_EQ(*producer->Commit(offsets_, nullptr), TxnResult::kCommitted);
  EXPECT_EQ(clock_.Now() - began, absl::Milliseconds(26300));
  EXPECT_EQ(clients_.size(), 1u);
  EXPECT_EQ(metrics_.producers_replaced.Value(), 0);
}

TEST_F(TransactionalProducerTest, ACommitStillTimingOutPastTheStuckLimitReplacesTheClient) {
  // Twelve failures: the 12th, 31.3 s after the first try, is past the limit.
  auto producer = Make([](ScriptedTransactionalClient& c) {
    c.commit = std::deque<absl::Status>(12, absl::UnavailableError("_TIMED_OUT"));
  });
  ASSERT_TRUE(producer->Start().ok());
  ASSERT_TRUE(producer->Begin().ok());
  EXPECT_EQ(*producer->Commit(offsets_, nullptr), TxnResult::kProducerReplaced);
  EXPECT_EQ(clients_[0]->commits, 0);
}

// An outage at start is waited out however long it lasts: a new client would meet the same one.
TEST_F(TransactionalProducerTest, InitGoesOnRetryingPastTheStuckLimit) {
  auto producer = Make([](ScriptedTransactionalClient& c) {
    c.init = std::deque<absl::Status>(20, absl::UnavailableError("_TIMED_OUT"));
  });
  ASSERT_TRUE(producer->Start().ok());
  EXPECT_TRUE(producer->ready());
  EXPECT_GT(clock_.slept(), absl::Seconds(60));
  EXPECT_EQ(clients_.size(), 1u);
}

TEST_F(TransactionalProducerTest, AnAbortableSendOffsetsAborts) {
  auto producer = Make([](ScriptedTransactionalClient& c) {
    c.send_offsets = {absl::AbortedError("GROUP_AUTHORIZATION_FAILED")};
  });
  ASSERT_TRUE(producer->Start().ok());
  ASSERT_TRUE(producer->Begin().ok());
  producer->Produce({"out", "k", "v", {}});
  EXPECT_EQ(*producer->Commit(offsets_, nullptr), TxnResult::kAborted);
  EXPECT_EQ(clients_[0]->aborts, 1);
  EXPECT_TRUE(kafka_.Output("out").empty());
  EXPECT_EQ(Errors("abortable"), 1);
}

TEST_F(TransactionalProducerTest, AFatalCommitIsInternal) {
  auto producer = Make([](ScriptedTransactionalClient& c) { c.commit = {absl::InternalError("fenced")}; });
  ASSERT_TRUE(producer->Start().ok());
  ASSERT_TRUE(producer->Begin().ok());
  EXPECT_EQ(producer->Commit(offsets_, nullptr).status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(Errors("fatal"), 1);
}

TEST_F(TransactionalProducerTest, ACallStuckPastTheLimitReplacesTheClient) {
  auto producer = Make();
  ASSERT_TRUE(producer->Start().ok());
  ASSERT_TRUE(producer->Begin().ok());
  runner_.stick = 1;  // send_offsets_to_transaction never returns (librdkafka issue 5456)
  EXPECT_EQ(*producer->Commit(offsets_, nullptr), TxnResult::kProducerReplaced);
  EXPECT_EQ(runner_.last_stuck_for, absl::Seconds(30));  // the stuck-call limit, not sooner
  ASSERT_EQ(clients_.size(), 2u);
  EXPECT_TRUE(clients_[0]->detached);
  EXPECT_FALSE(clients_[1]->detached);
  EXPECT_TRUE(producer->ready());  // the new client is initialised
  EXPECT_FALSE(producer->in_transaction());
  EXPECT_EQ(metrics_.producers_replaced.Value(), 1);
  // The new client carries on.
  ASSERT_TRUE(producer->Begin().ok());
  EXPECT_EQ(*producer->Commit(offsets_, nullptr), TxnResult::kCommitted);
  EXPECT_EQ(clients_[1]->commits, 1);
}

TEST_F(TransactionalProducerTest, OnceStoppingAStuckCallIsGivenUpAtTwelveSeconds) {
  auto producer = Make();
  ASSERT_TRUE(producer->Start().ok());
  ASSERT_TRUE(producer->Begin().ok());
  stop_.store(true);
  runner_.stick = 1;
  EXPECT_EQ(*producer->Commit(offsets_, nullptr), TxnResult::kProducerReplaced);
  EXPECT_EQ(runner_.last_stuck_for, absl::Seconds(12));
}

TEST_F(TransactionalProducerTest, AStuckAbortAlsoReplaces) {
  auto producer = Make();
  ASSERT_TRUE(producer->Start().ok());
  ASSERT_TRUE(producer->Begin().ok());
  runner_.stick = 1;
  EXPECT_EQ(*producer->Abort(), TxnResult::kProducerReplaced);
  EXPECT_EQ(clients_.size(), 2u);
}

TEST_F(TransactionalProducerTest, AFourthAbandonedClientStillStuckIsFatal) {
  auto producer = Make();
  ASSERT_TRUE(producer->Start().ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(producer->Begin().ok());
    runner_.stick = 1;
    ASSERT_EQ(*producer->Commit(offsets_, nullptr), TxnResult::kProducerReplaced) << i;
  }
  ASSERT_TRUE(producer->Begin().ok());
  runner_.stick = 1;
  const absl::StatusOr<TxnResult> fourth = producer->Commit(offsets_, nullptr);
  EXPECT_EQ(fourth.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(fourth.status().message(), HasSubstr("4 abandoned Kafka producers"));
}

TEST_F(TransactionalProducerTest, AbandonedClientsWhoseCallsReturnedAreReleased) {
  auto producer = Make();
  ASSERT_TRUE(producer->Start().ok());
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(producer->Begin().ok());
    runner_.stick = 1;
    ASSERT_EQ(*producer->Commit(offsets_, nullptr), TxnResult::kProducerReplaced) << i;
    runner_.ReleaseStuck();  // the stuck call returned at last and let go of its client
    clients_.front().reset();
    clients_.erase(clients_.begin());
  }
}

TEST_F(TransactionalProducerTest, StoppingWithTheBrokerDownLeavesTheTransactionOpen) {
  auto producer = Make([](ScriptedTransactionalClient& c) {
    c.send_offsets = std::deque<absl::Status>(10, absl::UnavailableError("all brokers down"));
  });
  ASSERT_TRUE(producer->Start().ok());
  ASSERT_TRUE(producer->Begin().ok());
  stop_.store(true);
  EXPECT_EQ(*producer->Commit(offsets_, nullptr), TxnResult::kLeftOpen);
  EXPECT_FALSE(producer->in_transaction());
  EXPECT_EQ(clients_[0]->aborts, 0);
  EXPECT_EQ(Errors("retriable"), 3);
}

TEST_F(TransactionalProducerTest, ResultNames) {
  EXPECT_EQ(TxnResultName(TxnResult::kCommitted), "committed");
  EXPECT_EQ(TxnResultName(TxnResult::kLeftOpen), "left_open");
}

}  // namespace
}  // namespace referral
