#include "services/common/service/service_main.h"

#include <CLI/CLI.hpp>
#include <prometheus/collectable.h>

#include <atomic>
#include <memory>
#include <vector>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/core/time_util.h"
#include "services/common/observe/blocking_call.h"
#include "services/common/observe/connection_problem.h"
#include "services/common/observe/http_endpoint.h"
#include "services/common/observe/log.h"
#include "services/common/observe/status_metrics.h"
#include "services/common/observe/stop_signal.h"

namespace referral {

absl::StatusOr<std::unique_ptr<Clock>> ClockFromFlag(const std::string& clock_start) {
  if (clock_start.empty()) return std::make_unique<SystemClock>();
  const std::optional<absl::Time> start = ParseRfc3339(clock_start);
  if (!start) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--clock-start: want RFC 3339 like 2026-11-27T18:30:00Z, got \"", clock_start, "\""));
  }
  log::Warn("clock_shifted", {{"clock_start", clock_start}});
  return std::make_unique<ShiftedClock>(*start);
}

namespace {

// A service's own collectable, silent until the service has started (it may read state that
// Start() is still building).
class AfterStart final : public prometheus::Collectable {
 public:
  AfterStart(std::shared_ptr<prometheus::Collectable> inner,
             std::shared_ptr<const std::atomic<bool>> started)
      : inner_(std::move(inner)), started_(std::move(started)) {}
  std::vector<prometheus::MetricFamily> Collect() const override {
    if (!started_->load()) return {};
    return inner_->Collect();
  }

 private:
  std::shared_ptr<prometheus::Collectable> inner_;
  std::shared_ptr<const std::atomic<bool>> started_;
};

// How long an exiting service waits for calls it abandoned (librdkafka issue 5456) to end.
constexpr absl::Duration kAbandonedCallsGrace = absl::Seconds(5);

int Serve(int argc, char** argv, const ServiceDefinition& definition) {
  CLI::App app{definition.summary};
  ServiceContext context;
  context.name = definition.name;
  context.config_path = definition.default_config;
  std::string http_listen;
  bool check_config = false;
  app.add_option("--config", context.config_path, "config file (YAML or JSON)")
      ->capture_default_str();
  app.add_flag("--check-config", check_config,
               "load and validate the config and the files it names, then exit: 0 valid, 2 not "
               "(nothing is contacted; secrets and the cluster are checked at start)");
  app.add_option("--instance", context.instance,
                 "instance name, part of the transactional id (default: $POD_NAME, else host name)");
  app.add_option("--http,--http-listen", http_listen,
                 "address:port of /metrics /healthz /readyz (overrides http.listen; port 0 picks one)");
  if (definition.add_flags) definition.add_flags(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? kExitStopped : kExitBadConfig;
  }

  log::Init(definition.name);
  const std::atomic<bool>& stop = StopOnSignals();
  context.registry = std::make_shared<prometheus::Registry>();
  RegisterBuildInfo(*context.registry, definition.name, REFERRAL_VERSION);

  absl::StatusOr<LoadedService> loaded = definition.make(context);
  if (!loaded.ok()) {
    log::Error("config_invalid", {{"config", context.config_path.string()},
                                  {"error", std::string(loaded.status().message())}});
    return kExitBadConfig;
  }
  if (check_config) {
    log::Info("config_valid", {{"config", context.config_path.string()}});
    return kExitStopped;
  }
  Service& service = *loaded->service;
  // The HTTP port answers from now on: while the service starts (reaching its cluster, checking
  // its topics, which may take a minute), /readyz says so and names the last connection error;
  // a service's own metrics join /metrics once it has started.
  auto has_started = std::make_shared<std::atomic<bool>>(false);
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables;
  for (const auto& collectable : loaded->collectables) {
    collectables.push_back(std::make_shared<AfterStart>(collectable, has_started));
  }
  if (http_listen.empty()) http_listen = loaded->http_listen;
  if (http_listen.empty()) http_listen = definition.default_http_listen;
  absl::StatusOr<std::unique_ptr<HttpEndpoint>> http = HttpEndpoint::Start(
      http_listen, context.registry,
      [&service, has_started]() -> std::string {
        if (has_started->load()) return service.NotReadyReason();
        const std::string problem = LastConnectionProblem();
        return problem.empty() ? "starting"
                               : absl::StrCat("starting: last connection error: ", problem);
      },
      std::move(collectables));
  if (!http.ok()) {
    log::Error("http_unavailable", {{"error", std::string(http.status().message())}});
    return kExitBadConfig;
  }
  log::Info("http_listening", {{"http_port", (*http)->port()}});
  if (absl::Status started = service.Start(stop); !started.ok()) {
    if (started.code() == absl::StatusCode::kCancelled) return kExitStopped;
    // kInvalidArgument: the config is at fault (a Kafka property, a secret); otherwise the
    // cluster or the host refused something (topics, a port).
    log::Error(started.code() == absl::StatusCode::kInvalidArgument ? "config_invalid"
                                                                     : "start_refused",
               {{"config", context.config_path.string()},
                {"error", std::string(started.message())}});
    return kExitBadConfig;
  }
  has_started->store(true);
  nlohmann::json started = service.Describe();
  started["http_port"] = (*http)->port();
  log::Info("started", started);

  const absl::StatusOr<RunOutcome> outcome = service.Run(stop);
  if (!outcome.ok()) {
    log::Error("fatal", {{"error", std::string(outcome.status().message())}});
    return kExitFatal;
  }
  if (*outcome == RunOutcome::kNotDrained) {
    log::Warn("stopped_not_drained", {{"detail", "work left to the successor; nothing is lost"}});
    return kExitFatal;
  }
  return kExitStopped;
}

}  // namespace

int ServiceMain(int argc, char** argv, const ServiceDefinition& definition) {
  const int code = Serve(argc, argv, definition);
  // Every object of the service is gone. A call abandoned still running would meet static
  // destruction (OpenSSL's atexit clean-up among it) mid-call and crash the exit, so the exit
  // status would no longer say what happened: wait a little, then leave without destructors.
  if (!AwaitCallThreads(kAbandonedCallsGrace)) {
    log::Warn("exit_with_calls_running", {{"calls", CallThreadsRunning()},
                                          {"detail", "abandoned Kafka calls still stuck"}});
    std::_Exit(code);
  }
  return code;
}

}  // namespace referral
