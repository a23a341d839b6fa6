#include "services/router/service.h"

#include <CLI/CLI.hpp>

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/config/setup.h"
#include "services/common/core/status_macros.h"
#include "services/common/core/time_util.h"
#include "services/common/core/topics.h"
#include "services/common/observe/clock.h"
#include "services/common/observe/log.h"
#include "services/common/service/kafka_loop_service.h"
#include "services/router/app.h"
#include "services/router/config.h"

namespace referral {
namespace {

// Everything the processor refers to, alive as long as the service.
struct Parts {
  Parts(RouterSetup loaded, std::unique_ptr<Clock> routing_clock, prometheus::Registry& registry)
      : setup(std::move(loaded)),
        clock(std::move(routing_clock)),
        router(*setup.directory, *setup.holidays, setup.topics, setup.time_zone),
        metrics(registry),
        dead_letters(registry),
        processor(router, setup.topics, EncodingOf(setup.config.output_encoding()), *clock,
                  metrics, dead_letters) {}

  RouterSetup setup;
  std::unique_ptr<Clock> clock;
  const Router router;
  RouterMetrics metrics;
  DeadLetterMetrics dead_letters;
  RouterProcessor processor;
};

}  // namespace

void AddRouterFlags(CLI::App& app, RouterFlags& flags) {
  app.add_option("--clock-start", flags.clock_start,
                 "route as if the clock read this RFC 3339 time at start-up (drills and tests)");
}

absl::StatusOr<LoadedService> MakeRouterService(const ServiceContext& context,
                                                const RouterFlags& flags) {
  REFERRAL_ASSIGN_OR_RETURN(std::unique_ptr<Clock> clock, ClockFromFlag(flags.clock_start));
  REFERRAL_ASSIGN_OR_RETURN(RouterSetup setup, LoadRouterSetup(context.config_path));
  auto parts = std::make_shared<Parts>(std::move(setup), std::move(clock), *context.registry);
  const std::set<std::string> routed =
      RoutedTopics(parts->setup.topics, parts->setup.directory->config());
  LoadedService loaded;
  loaded.http_listen = parts->setup.config.http().listen();
  loaded.service = std::make_unique<KafkaLoopService>(
      context, parts->setup.config.kafka(),
      KafkaLoopTopics{.inputs = {parts->setup.topics.standardised()},
                      .routed = {routed.begin(), routed.end()},
                      .dead_letters = {parts->setup.topics.routing_dead_letters()}},
      parts->processor, parts);
  return loaded;
}

}  // namespace referral
