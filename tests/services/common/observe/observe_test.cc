// The observability layer's small parts: referral_ready computed at scrape time, and the
// blocking-call runner's watchdog (on the real clock, with short waits).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>

#include "absl/time/clock.h"
#include "google/protobuf/stubs/logging.h"
#include "services/common/observe/blocking_call.h"
#include "services/common/observe/log.h"
#include "services/common/observe/status_metrics.h"

namespace referral {
namespace {

// Issue 9: libprotobuf wrote plain-text lines into the services' JSON logs.
TEST(LogTest, LibprotobufMessagesBecomeJsonLines) {
  log::Init("observe-test");
  ::testing::internal::CaptureStderr();
  GOOGLE_LOG(WARNING) << "String field 'referral.v1.Person.given_name' contains invalid UTF-8";
  const std::string out = ::testing::internal::GetCapturedStderr();
  ASSERT_FALSE(out.empty());
  const nlohmann::json line = nlohmann::json::parse(out.substr(0, out.find('\n')));
  EXPECT_EQ(line["event"], "protobuf_log");
  EXPECT_EQ(line["service"], "observe-test");
  EXPECT_EQ(line["level"], "warning");
  EXPECT_EQ(line["message"], "String field 'referral.v1.Person.given_name' contains invalid UTF-8");
}

TEST(ReadinessGaugeTest, IsOneExactlyWhenTheProbeSaysReady) {
  std::string why = "starting";
  ReadinessGauge gauge([&why] { return why; });
  auto families = gauge.Collect();
  ASSERT_EQ(families.size(), 1u);
  EXPECT_EQ(families[0].name, "referral_ready");
  EXPECT_EQ(families[0].metric.at(0).gauge.value, 0);
  why = "";
  EXPECT_EQ(gauge.Collect()[0].metric.at(0).gauge.value, 1);
}

TEST(BuildInfoTest, LabelsServiceAndVersion) {
  prometheus::Registry registry;
  RegisterBuildInfo(registry, "router", "1.2.3");
  auto families = registry.Collect();
  ASSERT_EQ(families.size(), 1u);
  EXPECT_EQ(families[0].name, "referral_build_info");
  const auto& labels = families[0].metric.at(0).label;
  ASSERT_EQ(labels.size(), 2u);
  EXPECT_EQ(labels[0].name, "service");
  EXPECT_EQ(labels[0].value, "router");
  EXPECT_EQ(labels[1].value, "1.2.3");
  EXPECT_EQ(families[0].metric.at(0).gauge.value, 1);
}

TEST(ThreadCallRunnerTest, ReturnsTheStatusOfACallThatEnds) {
  SystemClock clock;
  ThreadCallRunner runner(clock, absl::Milliseconds(5));
  std::optional<absl::Status> status =
      runner.Run([] { return absl::UnavailableError("down"); }, [](absl::Duration) { return false; });
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code(), absl::StatusCode::kUnavailable);
}

TEST(ThreadCallRunnerTest, AbandonsACallStillRunningWhenToldToGiveUpAndItStillOwnsItsState) {
  SystemClock clock;
  ThreadCallRunner runner(clock, absl::Milliseconds(5));
  auto release = std::make_shared<std::atomic<bool>>(false);
  auto finished = std::make_shared<std::atomic<bool>>(false);
  absl::Duration waited_at_give_up;
  std::optional<absl::Status> status = runner.Run(
      [release, finished] {
        while (!release->load()) absl::SleepFor(absl::Milliseconds(1));
        finished->store(true);
        return absl::OkStatus();
      },
      [&](absl::Duration waited) {
        waited_at_give_up = waited;
        return waited >= absl::Milliseconds(30);
      });
  EXPECT_FALSE(status.has_value());
  EXPECT_GE(waited_at_give_up, absl::Milliseconds(30));
  EXPECT_FALSE(finished->load());
  release->store(true);  // the abandoned call ends on its own thread, later
  for (int i = 0; i < 200 && !finished->load(); ++i) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_TRUE(finished->load());
}

// At exit a process must not tear down while an abandoned call still runs librdkafka (and OpenSSL)
// on its thread: ServiceMain asks how many are left and waits for them.
TEST(ThreadCallRunnerTest, CountsItsCallThreadsUntilTheyEndAndWaitsForThemUpToALimit) {
  ASSERT_TRUE(AwaitCallThreads(absl::Seconds(5)));  // none left by the tests before
  SystemClock clock;
  ThreadCallRunner runner(clock, absl::Milliseconds(5));
  auto release = std::make_shared<std::atomic<bool>>(false);
  std::optional<absl::Status> status = runner.Run(
      [release] {
        while (!release->load()) absl::SleepFor(absl::Milliseconds(1));
        return absl::OkStatus();
      },
      [](absl::Duration waited) { return waited >= absl::Milliseconds(20); });
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(CallThreadsRunning(), 1);
  EXPECT_FALSE(AwaitCallThreads(absl::Milliseconds(50)));  // still running: gives up
  release->store(true);
  EXPECT_TRUE(AwaitCallThreads(absl::Seconds(5)));
  EXPECT_EQ(CallThreadsRunning(), 0);
  // A call that ends in time leaves no thread counted either.
  ASSERT_TRUE(runner.Run([] { return absl::OkStatus(); }, [](absl::Duration) { return false; })
                  .has_value());
  EXPECT_TRUE(AwaitCallThreads(absl::Seconds(5)));
}

}  // namespace
}  // namespace referral
