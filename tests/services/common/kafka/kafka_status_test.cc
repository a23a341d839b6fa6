// Error classification and the retry loop, on a fake clock.
#include "services/common/kafka/kafka_status.h"

#include <librdkafka/rdkafkacpp.h>

#include <gtest/gtest.h>

#include "tests/testing/kafka_doubles.h"

namespace referral {
namespace {

using testing::FakeClock;

TEST(KafkaStatusTest, FatalWinsOverAbortableOverRetriable) {
  EXPECT_EQ(ClassifyKafkaError(true, true, true), absl::StatusCode::kInternal);
  EXPECT_EQ(ClassifyKafkaError(false, true, true), absl::StatusCode::kAborted);
  EXPECT_EQ(ClassifyKafkaError(false, false, true), absl::StatusCode::kUnavailable);
  // Neither: a state error of our own making.
  EXPECT_EQ(ClassifyKafkaError(false, false, false), absl::StatusCode::kInternal);
}

TEST(KafkaStatusTest, ErrorClassNames) {
  EXPECT_EQ(ErrorClassName(absl::UnavailableError("x")), "retriable");
  EXPECT_EQ(ErrorClassName(absl::AbortedError("x")), "abortable");
  EXPECT_EQ(ErrorClassName(absl::InternalError("x")), "fatal");
}

TEST(KafkaStatusTest, FromErrorOfNothingIsOk) { EXPECT_TRUE(FromError(nullptr, "x").ok()); }

TEST(KafkaStatusTest, ProduceRefusals) {
  for (RdKafka::ErrorCode code : {RdKafka::ERR_MSG_SIZE_TOO_LARGE, RdKafka::ERR__MSG_TIMED_OUT,
                                  RdKafka::ERR__INVALID_ARG, RdKafka::ERR_INVALID_RECORD}) {
    EXPECT_EQ(ClassifyProduceError(code), ProduceRefusal::kRecord) << RdKafka::err2str(code);
  }
  EXPECT_EQ(ClassifyProduceError(RdKafka::ERR__STATE), ProduceRefusal::kTransaction);
  EXPECT_EQ(ClassifyProduceError(RdKafka::ERR__FENCED), ProduceRefusal::kFatal);
  EXPECT_EQ(ClassifyProduceError(RdKafka::ERR__UNKNOWN_TOPIC), ProduceRefusal::kFatal);
}

class RetryTest : public ::testing::Test {
 protected:
  // Runs RetryWhileUnavailable over `script` (then OK).
  RetryEnd Retry(std::vector<absl::Status> script) {
    size_t next = 0;
    return RetryWhileUnavailable(
        [&] { return next < script.size() ? script[next++] : absl::OkStatus(); }, clock_, stop_,
        RetryPolicy{}, [&](const absl::Status&) { ++retriable_; }, last_);
  }
  FakeClock clock_;
  std::atomic<bool> stop_{false};
  absl::Status last_;
  int retriable_ = 0;
};

TEST_F(RetryTest, BacksOffDoublingUpToFiveSeconds) {
  std::vector<absl::Status> script(8, absl::UnavailableError("down"));
  EXPECT_EQ(Retry(script), RetryEnd::kDone);
  EXPECT_TRUE(last_.ok());
  EXPECT_EQ(retriable_, 8);
  // 0.1 + 0.2 + 0.4 + 0.8 + 1.6 + 3.2 + 5 + 5
  EXPECT_EQ(clock_.slept(), absl::Milliseconds(16300));
}

TEST_F(RetryTest, ReturnsOtherClassesAtOnce) {
  EXPECT_EQ(Retry({absl::AbortedError("abort")}), RetryEnd::kDone);
  EXPECT_EQ(last_.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(clock_.slept(), absl::ZeroDuration());
  EXPECT_EQ(retriable_, 0);
}

TEST_F(RetryTest, GivesUpAfterThreeTriesOnceStopping) {
  stop_.store(true);
  EXPECT_EQ(Retry(std::vector<absl::Status>(10, absl::UnavailableError("down"))),
            RetryEnd::kGaveUpStopping);
  EXPECT_EQ(retriable_, 3);
  EXPECT_EQ(last_.code(), absl::StatusCode::kUnavailable);
}

TEST_F(RetryTest, StoppingStillFinishesACallThatSucceedsOnTheThirdTry) {
  stop_.store(true);
  EXPECT_EQ(Retry({absl::UnavailableError("a"), absl::UnavailableError("b")}), RetryEnd::kDone);
  EXPECT_TRUE(last_.ok());
}

}  // namespace
}  // namespace referral
