// The standardiser service: incidents.v1 → referrals.standardised.v1 (+ incidents.dlq.v1), in
// Kafka transactions. See README.md in this folder.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>

#include "services/common/app/clock.h"
#include "services/common/app/log.h"
#include "services/common/app/service_runner.h"
#include "services/common/config/setup.h"
#include "services/standardiser/app.h"

int main(int argc, char** argv) {
  CLI::App app{"standardiser: incident events in, standard referrals out (exactly once)"};
  std::filesystem::path config_path = "deploy/config/standardiser.yaml";
  std::string instance;
  app.add_option("--config", config_path, "config file (YAML or JSON)")
      ->capture_default_str();
  std::string http_listen;
  app.add_option("--http-listen", http_listen,
                 "address:port of /metrics /healthz /readyz (overrides http.listen; port 0 picks one)");
  app.add_option("--instance", instance,
                 "instance name, part of the transactional id (default: $POD_NAME, else host name)");
  CLI11_PARSE(app, argc, argv);

  referral::log::Init("standardiser");
  absl::StatusOr<referral::StandardiserSetup> setup = referral::LoadStandardiserSetup(config_path);
  if (!setup.ok()) {
    referral::log::Error("config_invalid", {{"error", std::string(setup.status().message())}});
    return referral::kExitBadConfig;
  }
  const referral::Standardiser standardiser(*setup->directory, setup->time_zone);
  const referral::SystemClock clock;
  referral::StandardiserMetrics metrics(std::make_shared<prometheus::Registry>(), REFERRAL_VERSION);
  const referral::Encoding encoding = referral::EncodingOf(setup->config.output_encoding());
  referral::StandardiserProcessor processor(standardiser, setup->topics, encoding, clock, metrics);

  referral::ServiceRun run;
  run.service = "standardiser";
  run.config_path = config_path;
  run.instance = instance;
  run.kafka = setup->config.kafka();
  run.http_listen = http_listen.empty() ? setup->config.http().listen() : http_listen;
  run.default_http_listen = "0.0.0.0:9101";
  run.input_topics = {setup->topics.incidents()};
  run.output_topics = {setup->topics.standardised(), setup->topics.dead_letters()};
  return referral::RunService(run, processor, metrics.service);
}
