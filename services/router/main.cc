// The router service: referrals.standardised.v1 → referrals.frontdoor.<la>.v1,
// referrals.edt.<edt>.v1, referrals.triage.v1 (+ referrals.dlq.v1), in Kafka transactions. See
// README.md in this folder.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>
#include <set>

#include "absl/time/time.h"
#include "services/common/app/clock.h"
#include "services/common/app/log.h"
#include "services/common/app/service_runner.h"
#include "services/common/config/setup.h"
#include "services/common/core/time_util.h"
#include "services/common/core/topics.h"
#include "services/router/app.h"

int main(int argc, char** argv) {
  CLI::App app{"router: standardised referrals in, front door / EDT / triage copies out (exactly once)"};
  std::filesystem::path config_path = "deploy/config/router.yaml";
  std::string instance;
  std::string clock_start;
  app.add_option("--config", config_path, "config file (YAML or JSON)")->capture_default_str();
  std::string http_listen;
  app.add_option("--http-listen", http_listen,
                 "address:port of /metrics /healthz /readyz (overrides http.listen; port 0 picks one)");
  app.add_option("--instance", instance,
                 "instance name, part of the transactional id (default: $POD_NAME, else host name)");
  app.add_option("--clock-start", clock_start,
                 "route as if the clock read this RFC 3339 time at start-up (drills and tests)");
  CLI11_PARSE(app, argc, argv);

  referral::log::Init("router");
  absl::StatusOr<referral::RouterSetup> setup = referral::LoadRouterSetup(config_path);
  if (!setup.ok()) {
    referral::log::Error("config_invalid", {{"error", std::string(setup.status().message())}});
    return referral::kExitBadConfig;
  }
  std::unique_ptr<referral::Clock> clock = std::make_unique<referral::SystemClock>();
  if (!clock_start.empty()) {
    const std::optional<absl::Time> start = referral::ParseRfc3339(clock_start);
    if (!start) {
      referral::log::Error("config_invalid",
                           {{"error", "--clock-start: want RFC 3339 like 2026-11-27T18:30:00Z, got \"" +
                                          clock_start + "\""}});
      return referral::kExitBadConfig;
    }
    clock = std::make_unique<referral::ShiftedClock>(*start);
    referral::log::Warn("clock_shifted", {{"clock_start", clock_start}});
  }

  const referral::Router router(*setup->directory, *setup->holidays, setup->topics, setup->time_zone);
  referral::RouterMetrics metrics(std::make_shared<prometheus::Registry>(), REFERRAL_VERSION);
  const referral::Encoding encoding = referral::EncodingOf(setup->config.output_encoding());
  referral::RouterProcessor processor(router, setup->topics, encoding, *clock, metrics);

  referral::ServiceRun run;
  run.service = "router";
  run.config_path = config_path;
  run.instance = instance;
  run.kafka = setup->config.kafka();
  run.http_listen = http_listen.empty() ? setup->config.http().listen() : http_listen;
  run.default_http_listen = "0.0.0.0:9102";
  run.input_topics = {setup->topics.standardised()};
  std::set<std::string> outputs = {setup->topics.triage(), setup->topics.routing_dead_letters()};
  for (const auto& la : setup->directory->config().local_authorities()) {
    outputs.insert(referral::FrontDoorTopic(setup->topics, la.gss_code()));
    if (!la.edt_id().empty()) outputs.insert(referral::EdtTopic(setup->topics, la.edt_id()));
  }
  run.routed_topics.assign(outputs.begin(), outputs.end());
  return referral::RunService(run, processor, metrics.service);
}
