// KafkaPublisher::SendAndWait() and CheckTopic() on librdkafka's mock cluster (no real broker):
// the call returns only once its own record is acknowledged, says kInvalidArgument for a record
// no topic takes, kUnavailable when the broker is away (and the readiness check says so too),
// and concurrent callers each get their own answer.
#include "services/common/kafka/kafka_publisher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/kafka/kafka_reader.h"
#include "services/common/kafka/mock_cluster.h"

namespace referral {
namespace {

using ::testing::HasSubstr;

constexpr int16_t kProduce = 0;
constexpr int kMessageTooLarge = 10;  // not retriable

class SendAndWaitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = *MockCluster::Start(1);
    ASSERT_TRUE(cluster_->CreateTopic("incidents", 2).ok());
    KafkaSettings settings = ToolSettings(cluster_->bootstrap());
    // A record the broker cannot take fails after 3 s rather than librdkafka's 5 minutes.
    settings.properties.push_back({"message.timeout.ms", "3000"});
    publisher_ = *KafkaPublisher::Create(settings);
  }

  // The values on `topic`, read from the start.
  std::vector<std::string> Values(const std::string& topic) {
    std::vector<std::string> values;
    auto reader = KafkaReader::Open(cluster_->bootstrap(), {topic}, absl::Seconds(10));
    if (!reader.ok()) return values;
    for (;;) {
      auto next = (*reader)->Next(absl::Seconds(1));
      if (!next.ok() || !next->has_value()) return values;
      values.push_back((*next)->value);
    }
  }

  std::unique_ptr<MockCluster> cluster_;
  std::unique_ptr<KafkaPublisher> publisher_;
};

TEST_F(SendAndWaitTest, ReturnsOnceTheRecordIsAcknowledged) {
  ASSERT_TRUE(publisher_->CheckTopic("incidents", absl::Seconds(5)).ok());
  const absl::Status sent =
      publisher_->SendAndWait({"incidents", "k1", "v1", {{"h", "1"}}}, absl::Seconds(10));
  ASSERT_TRUE(sent.ok()) << sent;
  EXPECT_EQ(publisher_->delivered(), 1);  // counted before the call returned
  EXPECT_EQ(Values("incidents"), std::vector<std::string>{"v1"});
}

TEST_F(SendAndWaitTest, ConcurrentCallersEachGetTheirOwnAnswer) {
  constexpr int kThreads = 8;
  constexpr int kEach = 20;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const OutRecord record{"incidents", absl::StrCat("k", t), absl::StrCat(t, "-", i), {}};
        if (publisher_->SendAndWait(record, absl::Seconds(10)).ok()) ok.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), kThreads * kEach);
  EXPECT_EQ(Values("incidents").size(), static_cast<size_t>(kThreads * kEach));
}

TEST_F(SendAndWaitTest, RecordTheBrokerRefusesAsTooLargeIsInvalidArgument) {
  cluster_->PushRequestErrors(kProduce, {kMessageTooLarge});
  const absl::Status sent = publisher_->SendAndWait({"incidents", "k", "v", {}}, absl::Seconds(10));
  EXPECT_EQ(sent.code(), absl::StatusCode::kInvalidArgument) << sent;
  EXPECT_THAT(sent.message(), HasSubstr("produce to incidents"));
}

TEST_F(SendAndWaitTest, RecordLargerThanTheProducerTakesIsInvalidArgumentAtOnce) {
  const absl::Time start = absl::Now();
  const absl::Status sent =
      publisher_->SendAndWait({"incidents", "k", std::string(2 << 20, 'x'), {}}, absl::Seconds(10));
  EXPECT_EQ(sent.code(), absl::StatusCode::kInvalidArgument) << sent;
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

TEST_F(SendAndWaitTest, BrokerDownIsUnavailableWithinTheTimeoutAndNotReady) {
  ASSERT_TRUE(publisher_->SendAndWait({"incidents", "k", "before", {}}, absl::Seconds(10)).ok());
  ASSERT_TRUE(cluster_->SetBrokerUp(1, false).ok());
  const absl::Time start = absl::Now();
  const absl::Status sent =
      publisher_->SendAndWait({"incidents", "k", "during", {}}, absl::Milliseconds(500));
  EXPECT_EQ(sent.code(), absl::StatusCode::kUnavailable) << sent;
  EXPECT_THAT(sent.message(), HasSubstr("no acknowledgement from the broker within 500ms"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_EQ(publisher_->CheckTopic("incidents", absl::Seconds(1)).code(),
            absl::StatusCode::kUnavailable);

  ASSERT_TRUE(cluster_->SetBrokerUp(1, true).ok());
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  absl::Status check = publisher_->CheckTopic("incidents", absl::Seconds(1));
  while (!check.ok() && absl::Now() < deadline) {
    check = publisher_->CheckTopic("incidents", absl::Seconds(1));
  }
  EXPECT_TRUE(check.ok()) << check;
  EXPECT_TRUE(publisher_->SendAndWait({"incidents", "k", "after", {}}, absl::Seconds(10)).ok());
}

}  // namespace
}  // namespace referral
