// GrpcService on a real port: gRPC's health service follows readiness, calls are counted by
// method and code, unknown methods stay out of the labels, and stopping shuts the server down.
#include "services/common/service/grpc_service.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "google/protobuf/descriptor.h"
#include "referral/v1/intake.grpc.pb.h"
#include "referral/v1/intake.pb.h"
#include "tests/testing/metrics.h"

namespace referral {
namespace {

// grpc.health.v1.HealthCheckResponse.status as bytes: field 1, varint.
constexpr char kServing[] = {0x08, 0x01};
constexpr char kNotServing[] = {0x08, 0x02};

class GrpcServiceTest : public ::testing::Test {
 protected:
  // What the service is made with; a fixture may serve more.
  virtual GrpcService::Options MakeOptions() { return {.listen = "127.0.0.1:0"}; }
  virtual std::vector<grpc::Service*> Served() { return {}; }
  virtual std::vector<std::string> ServedNames() { return {}; }

  void SetUp() override {
    context_.name = "test";
    context_.registry = std::make_shared<prometheus::Registry>();
    service_ = std::make_unique<GrpcService>(context_, MakeOptions(), Served(), ServedNames(),
                                             [this] {
                                               std::lock_guard<std::mutex> lock(mu_);
                                               return not_ready_;
                                             });
    ASSERT_TRUE(service_->Start(stop_).ok());
    ASSERT_GT(service_->port(), 0);
    runner_ = std::thread([this] { outcome_ = service_->Run(stop_); });
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", service_->port()),
                                   grpc::InsecureChannelCredentials());
  }
  void TearDown() override {
    stop_.store(true);
    if (runner_.joinable()) runner_.join();
  }

  // Calls `method` with an empty request; the status and the response's bytes.
  std::pair<grpc::Status, std::string> Call(const std::string& method) {
    grpc::GenericStub stub(channel_);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    grpc::ByteBuffer request(nullptr, 0), response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status status) { done.set_value(status); });
    grpc::Status status = done.get_future().get();
    std::string bytes;
    std::vector<grpc::Slice> slices;
    if (status.ok() && response.Dump(&slices).ok()) {
      for (const grpc::Slice& slice : slices) {
        bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
      }
    }
    return {status, bytes};
  }

  // Waits up to 20 s (a loaded CI machine) for the health check to answer `want`.
  bool HealthIs(const std::string& want) {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (absl::Now() < deadline) {
      auto [status, bytes] = Call("/grpc.health.v1.Health/Check");
      if (status.ok() && bytes == want) return true;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return false;
  }

  void SetNotReady(std::string why) {
    std::lock_guard<std::mutex> lock(mu_);
    not_ready_ = std::move(why);
  }

  double Metric(const std::string& name, const prometheus::Labels& labels) {
    for (const auto& family : context_.registry->Collect()) {
      if (family.name != name) continue;
      for (const auto& metric : family.metric) {
        bool match = true;
        for (const auto& [key, value] : labels) {
          bool found = false;
          for (const auto& label : metric.label) found |= label.name == key && label.value == value;
          match &= found;
        }
        if (match) return family.type == prometheus::MetricType::Counter ? metric.counter.value
                                                                          : metric.gauge.value;
      }
    }
    return -1;
  }

  ServiceContext context_;
  std::unique_ptr<GrpcService> service_;
  std::atomic<bool> stop_{false};
  std::thread runner_;
  absl::StatusOr<RunOutcome> outcome_ = absl::UnknownError("not run");
  std::shared_ptr<grpc::Channel> channel_;
  std::mutex mu_;
  std::string not_ready_;
};

TEST_F(GrpcServiceTest, HealthFollowsReadiness) {
  EXPECT_EQ(service_->NotReadyReason(), "");
  EXPECT_TRUE(HealthIs(std::string(kServing, 2)));
  SetNotReady("no partitions assigned");
  EXPECT_EQ(service_->NotReadyReason(), "no partitions assigned");
  EXPECT_TRUE(HealthIs(std::string(kNotServing, 2)));
  SetNotReady("");
  EXPECT_TRUE(HealthIs(std::string(kServing, 2)));
}

TEST_F(GrpcServiceTest, CallsAreCountedByMethodAndCodeAndUnknownMethodsStayOutOfLabels) {
  ASSERT_TRUE(HealthIs(std::string(kServing, 2)));
  EXPECT_GE(Metric("referral_grpc_requests_total",
                   {{"method", "/grpc.health.v1.Health/Check"}, {"code", "OK"}}),
            1);
  auto [status, bytes] = Call("/attacker.Chosen/Name");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  for (const auto& family : context_.registry->Collect()) {
    for (const auto& metric : family.metric) {
      for (const auto& label : metric.label) EXPECT_NE(label.value, "/attacker.Chosen/Name");
    }
  }
}

TEST_F(GrpcServiceTest, StopDrainsAndShutsTheServerDown) {
  ASSERT_TRUE(HealthIs(std::string(kServing, 2)));
  stop_.store(true);
  runner_.join();
  ASSERT_TRUE(outcome_.ok());
  EXPECT_EQ(*outcome_, RunOutcome::kDrained);
  EXPECT_EQ(service_->NotReadyReason(), "gRPC server not serving");
  EXPECT_FALSE(Call("/grpc.health.v1.Health/Check").first.ok());
}

TEST(GrpcServiceStartTest, AnAddressInUseIsUnavailable) {
  ServiceContext context;
  context.registry = std::make_shared<prometheus::Registry>();
  std::atomic<bool> stop{false};
  GrpcService first(context, {.listen = "127.0.0.1:0"}, {}, {}, nullptr);
  ASSERT_TRUE(first.Start(stop).ok());
  ServiceContext other = context;
  other.registry = std::make_shared<prometheus::Registry>();
  GrpcService second(other, {.listen = absl::StrCat("127.0.0.1:", first.port())}, {}, {}, nullptr);
  const absl::Status status = second.Start(stop);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("grpc.listen: cannot listen on 127.0.0.1:"), std::string::npos);
}

// An intake whose Submit answers ALREADY_EXISTS: served where it answers that, not where
// UNIMPLEMENTED.
class MarkedIntake final : public v1::IncidentIntake::Service {
  grpc::Status Submit(grpc::ServerContext*, const v1::SubmitRequest*,
                      v1::SubmitResponse*) override {
    return grpc::Status(grpc::StatusCode::ALREADY_EXISTS, "served");
  }
};

// Kubernetes' gRPC probes speak plaintext; the services' own port is mTLS only. health_listen is
// a second port that serves gRPC health and nothing else.
class GrpcHealthPortTest : public GrpcServiceTest {
 protected:
  GrpcService::Options MakeOptions() override {
    return {.listen = "127.0.0.1:0", .health_listen = "127.0.0.1:0"};
  }
  std::vector<grpc::Service*> Served() override { return {&intake_}; }
  std::vector<std::string> ServedNames() override { return {"referral.v1.IncidentIntake"}; }

  // Call() and HealthIs() go to the health port; main_ is the services' own.
  void SetUp() override {
    GrpcServiceTest::SetUp();
    ASSERT_GT(service_->health_port(), 0);
    ASSERT_NE(service_->health_port(), service_->port());
    main_ = channel_;
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", service_->health_port()),
                                   grpc::InsecureChannelCredentials());
  }

  // The server goes before the intake it serves.
  void TearDown() override {
    GrpcServiceTest::TearDown();
    service_.reset();
  }

  MarkedIntake intake_;
  std::shared_ptr<grpc::Channel> main_;
};

TEST_F(GrpcHealthPortTest, ServesHealthFollowingReadinessAndNoOtherService) {
  EXPECT_TRUE(HealthIs(std::string(kServing, 2)));
  SetNotReady("broker unreachable");
  EXPECT_TRUE(HealthIs(std::string(kNotServing, 2)));
  SetNotReady("");
  EXPECT_TRUE(HealthIs(std::string(kServing, 2)));
  // The intake is served on its own port only.
  EXPECT_EQ(Call("/referral.v1.IncidentIntake/Submit").first.error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  std::swap(channel_, main_);
  EXPECT_EQ(Call("/referral.v1.IncidentIntake/Submit").first.error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  std::swap(channel_, main_);
  EXPECT_EQ(service_->Describe()["grpc_health_port"], service_->health_port());
}

TEST_F(GrpcHealthPortTest, StoppingTakesTheHealthPortDownToo) {
  ASSERT_TRUE(HealthIs(std::string(kServing, 2)));
  stop_.store(true);
  runner_.join();
  EXPECT_FALSE(Call("/grpc.health.v1.Health/Check").first.ok());
}

TEST(GrpcServiceStartTest, NoHealthPortUnlessAsked) {
  ServiceContext context;
  context.registry = std::make_shared<prometheus::Registry>();
  std::atomic<bool> stop{false};
  GrpcService service(context, {.listen = "127.0.0.1:0"}, {}, {}, nullptr);
  ASSERT_TRUE(service.Start(stop).ok());
  EXPECT_EQ(service.health_port(), 0);
  EXPECT_FALSE(service.Describe().contains("grpc_health_port"));
}

TEST(GrpcServiceStartTest, AHealthAddressInUseIsUnavailableAndNamed) {
  ServiceContext context;
  context.registry = std::make_shared<prometheus::Registry>();
  std::atomic<bool> stop{false};
  GrpcService first(context, {.listen = "127.0.0.1:0"}, {}, {}, nullptr);
  ASSERT_TRUE(first.Start(stop).ok());
  ServiceContext other = context;
  other.registry = std::make_shared<prometheus::Registry>();
  GrpcService second(other,
                     {.listen = "127.0.0.1:0",
                      .health_listen = absl::StrCat("127.0.0.1:", first.port())},
                     {}, {}, nullptr);
  const absl::Status status = second.Start(stop);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("grpc.health_listen: cannot listen on 127.0.0.1:"),
            std::string::npos);
}

// increase() and rate() ignore a series' first sample: a counter born at its first call hides
// that call from every alert and dashboard (the monitor test met it once the pipeline got fast
// enough to finish its calls before Prometheus first scraped the feed).
TEST(GrpcMetricsTest, EveryMethodAndCodeIsExportedAtZeroFromTheStart) {
  ASSERT_NE(v1::SubmitRequest::descriptor(), nullptr);
  prometheus::Registry registry;
  GrpcMetrics metrics(registry, {"referral.v1.IncidentIntake"});
  const auto zero = testing::CounterSeries(registry, "referral_grpc_requests_total");
  for (const auto& [labels, value] : zero) EXPECT_EQ(value, 0) << labels;
  EXPECT_TRUE(zero.contains("code=OK,method=/referral.v1.IncidentIntake/Submit"));
  EXPECT_TRUE(zero.contains("code=UNAVAILABLE,method=/referral.v1.IncidentIntake/Submit"));
  EXPECT_TRUE(zero.contains("code=OK,method=/grpc.health.v1.Health/Check"));
  EXPECT_TRUE(zero.contains("code=UNIMPLEMENTED,method=unknown"));
  // Every served method (Submit and the intake's others, health, reflection, unknown) by 17 codes.
  const int methods = google::protobuf::DescriptorPool::generated_pool()
                          ->FindServiceByName(v1::IncidentIntake::service_full_name())
                          ->method_count();
  EXPECT_EQ(zero.size(), static_cast<size_t>((methods + 4) * 17));
}

TEST(GrpcMetricsTest, MethodLabelsComeFromServedServicesOnly) {
  ASSERT_NE(v1::SubmitRequest::descriptor(), nullptr);  // links intake.proto's descriptors
  prometheus::Registry registry;
  GrpcMetrics metrics(registry, {"referral.v1.IncidentIntake", "no.such.Service"});
  EXPECT_EQ(metrics.MethodLabel("/referral.v1.IncidentIntake/Submit"),
            "/referral.v1.IncidentIntake/Submit");
  EXPECT_EQ(metrics.MethodLabel("/referral.v1.IncidentIntake/Bogus"), "unknown");
  EXPECT_EQ(metrics.MethodLabel("/referral.v1.ReferralFeed/Subscribe"), "unknown");  // not served
  EXPECT_EQ(metrics.MethodLabel("/grpc.health.v1.Health/Check"), "/grpc.health.v1.Health/Check");
  EXPECT_EQ(metrics.MethodLabel(""), "unknown");
}

}  // namespace
}  // namespace referral
