#include "services/intake/service.h"

#include <CLI/CLI.hpp>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/core/status_macros.h"
#include "services/common/core/time_util.h"
#include "services/common/grpc/server_security.h"
#include "services/common/kafka/kafka_admin.h"
#include "services/common/kafka/kafka_publisher.h"
#include "services/common/kafka/kafka_settings.h"
#include "services/common/config/setup.h"
#include "services/common/observe/clock.h"
#include "services/common/observe/log.h"
#include "services/common/service/grpc_service.h"
#include "services/intake/app.h"
#include "services/intake/config.h"
#include "services/intake/core/assess.h"
#include "services/intake/metrics.h"
#include "services/router/core/route.h"
#include "services/standardiser/core/standardise.h"

namespace referral {
namespace {

constexpr char kDefaultGrpcListen[] = "0.0.0.0:50052";
constexpr char kServiceName[] = "referral.v1.IncidentIntake";
// How often, and how patiently, readiness asks the broker for the incidents topic's metadata.
constexpr absl::Duration kBrokerCheckInterval = absl::Seconds(2);
constexpr absl::Duration kBrokerCheckTimeout = absl::Seconds(2);

// The KafkaPublisher as the server's sink, once Start() has made it.
class KafkaIncidentSink final : public IncidentSink {
 public:
  void Attach(KafkaPublisher* publisher) { publisher_.store(publisher); }
  absl::Status Publish(const OutRecord& record, absl::Duration timeout) override {
    KafkaPublisher* publisher = publisher_.load();
    if (publisher == nullptr) return absl::UnavailableError("the intake is starting");
    return publisher->SendAndWait(record, timeout);
  }

 private:
  std::atomic<KafkaPublisher*> publisher_{nullptr};
};

// Whether the broker answers, asked on a thread of its own every kBrokerCheckInterval so that
// /readyz and the gRPC health check never wait on the network.
class BrokerWatch {
 public:
  ~BrokerWatch() { Stop(); }

  // Checks once now, then keeps checking until Stop(). IMPORTANT: `publisher` must outlive
  // Stop().
  void Start(KafkaPublisher& publisher, std::string topic) {
    topic_ = std::move(topic);
    Check(publisher);
    thread_ = std::thread([this, &publisher] {
      std::unique_lock lock(mutex_);
      while (!stopping_) {
        if (wake_.wait_for(lock, absl::ToChronoNanoseconds(kBrokerCheckInterval),
                           [this] { return stopping_; })) {
          break;
        }
        lock.unlock();
        Check(publisher);
        lock.lock();
      }
    });
  }

  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  // Empty while the last check succeeded, else why not.
  std::string NotReadyReason() const {
    std::lock_guard lock(mutex_);
    return not_ready_;
  }

 private:
  void Check(KafkaPublisher& publisher) {
    const absl::Status status = publisher.CheckTopic(topic_, kBrokerCheckTimeout);
    const std::string reason =
        status.ok() ? "" : absl::StrCat("broker unreachable: ", status.message());
    std::lock_guard lock(mutex_);
    if (reason.empty() && !not_ready_.empty()) {
      log::Info("broker_reachable", {{"topic", topic_}});
    } else if (!reason.empty() && not_ready_ != reason) {
      log::Warn("broker_unreachable",
                {{"topic", topic_}, {"error", std::string(status.message())}});
    }
    not_ready_ = reason;
  }

  std::string topic_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::string not_ready_ = "broker not checked yet";
  std::thread thread_;
};

// Everything the gRPC server refers to, alive as long as the service.
struct Parts {
  Parts(IntakeSetup loaded, std::unique_ptr<Clock> preview_clock,
        std::unique_ptr<GrantsFile> grants_file, prometheus::Registry& registry)
      : setup(std::move(loaded)),
        clock(std::move(preview_clock)),
        grants(std::move(grants_file)),
        standardiser(*setup.directory, setup.time_zone, IntakeStandardiserOptions(setup.config)),
        router(*setup.directory, *setup.holidays, setup.topics, setup.time_zone),
        assessor(standardiser, router, *setup.directory, setup.topics,
                 IntakeMaxReferralBytes(setup.config)),
        metrics(registry),
        server(assessor,
               [this](const grpc::ServerContext& context) {
                 return Authenticate(context, *grants);
               },
               sink, *clock, metrics,
               {.topic = setup.topics.incidents(),
                .encoding = EncodingOf(setup.config.output_encoding()),
                .publish_timeout = PublishTimeout(setup.config)}) {}

  IntakeSetup setup;
  std::unique_ptr<Clock> clock;
  std::unique_ptr<GrantsFile> grants;
  const Standardiser standardiser;
  const Router router;
  const Assessor assessor;
  IntakeMetrics metrics;
  KafkaIncidentSink sink;
  IntakeServer server;
};

class IntakeService final : public Service {
 public:
  IntakeService(const ServiceContext& context, std::unique_ptr<Parts> parts,
                GrpcService::Options options)
      : context_(context),
        parts_(std::move(parts)),
        grpc_(context, std::move(options), {&parts_->server}, {kServiceName},
              [this] { return watch_.NotReadyReason(); }) {}

  // kInvalidArgument naming the kafka.* field; kFailedPrecondition or kUnavailable for the topic;
  // kUnavailable when the gRPC port cannot be had.
  absl::Status Start(const std::atomic<bool>& stop) override {
    absl::StatusOr<KafkaSettings> settings =
        ResolveKafkaSettings(parts_->setup.config.kafka(), context_.name, context_.instance,
                             context_.config_path.parent_path(), ProcessEnvironment());
    if (!settings.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(context_.config_path.string(), ": ", settings.status().message()));
    }
    settings_ = *std::move(settings);
    const std::string& topic = parts_->setup.topics.incidents();
    REFERRAL_RETURN_IF_ERROR(EnsureTopics(settings_, {{topic, settings_.topic_partitions}},
                                          settings_.startup_timeout, &stop));
    absl::StatusOr<std::unique_ptr<KafkaPublisher>> publisher = KafkaPublisher::Create(settings_);
    if (!publisher.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(context_.config_path.string(), ": kafka: ", publisher.status().message()));
    }
    publisher_ = *std::move(publisher);
    parts_->sink.Attach(publisher_.get());
    watch_.Start(*publisher_, topic);
    return grpc_.Start(stop);
  }

  absl::StatusOr<RunOutcome> Run(const std::atomic<bool>& stop) override {
    // Every accepted record was acknowledged before its answer; once no call is in flight, only
    // records whose callers stopped waiting may be queued, and the publisher's destructor gives
    // them a few seconds.
    absl::StatusOr<RunOutcome> outcome = grpc_.Run(stop);
    watch_.Stop();
    return outcome;
  }

  std::string NotReadyReason() const override { return grpc_.NotReadyReason(); }

  nlohmann::json Describe() const override {
    nlohmann::json described = grpc_.Describe();
    described["bootstrap_servers"] = settings_.bootstrap_servers;
    described["topic"] = parts_->setup.topics.incidents();
    described["grants_file"] = parts_->setup.grants_file.string();
    described["publish_timeout_ms"] =
        absl::ToInt64Milliseconds(PublishTimeout(parts_->setup.config));
    return described;
  }

 private:
  const ServiceContext context_;
  // Destroyed last to first: the server (no call in flight after it), the broker watch (which
  // uses the publisher), the publisher, then what the server referred to.
  std::unique_ptr<Parts> parts_;
  KafkaSettings settings_;
  std::unique_ptr<KafkaPublisher> publisher_;
  BrokerWatch watch_;
  GrpcService grpc_;
};

}  // namespace

void AddIntakeFlags(CLI::App& app, IntakeFlags& flags) {
  app.add_option("--clock-start", flags.clock_start,
                 "preview routing as if the clock read this RFC 3339 time at start-up (drills and "
                 "tests)");
}

absl::StatusOr<LoadedService> MakeIntakeService(const ServiceContext& context,
                                                const IntakeFlags& flags) {
  REFERRAL_ASSIGN_OR_RETURN(std::unique_ptr<Clock> clock, ClockFromFlag(flags.clock_start));
  REFERRAL_ASSIGN_OR_RETURN(IntakeSetup setup, LoadIntakeSetup(context.config_path));
  absl::StatusOr<GrpcService::Options> options =
      GrpcService::OptionsFrom(setup.config.grpc(), context.config_path, kDefaultGrpcListen);
  if (!options.ok()) {
    return absl::Status(options.status().code(), absl::StrCat(context.config_path.string(), ": ",
                                                              options.status().message()));
  }
  REFERRAL_ASSIGN_OR_RETURN(std::unique_ptr<GrantsFile> grants,
                            GrantsFile::Open(setup.grants_file, setup.directory->config()));
  LoadedService loaded;
  loaded.http_listen = setup.config.http().listen();
  auto parts = std::make_unique<Parts>(std::move(setup), std::move(clock), std::move(grants),
                                       *context.registry);
  loaded.service =
      std::make_unique<IntakeService>(context, std::move(parts), *std::move(options));
  return loaded;
}

}  // namespace referral
