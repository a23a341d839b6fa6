#include "services/standardiser/service.h"

#include <memory>
#include <utility>

#include "services/common/config/setup.h"
#include "services/common/core/status_macros.h"
#include "services/common/observe/clock.h"
#include "services/common/service/kafka_loop_service.h"
#include "services/standardiser/app.h"
#include "services/standardiser/config.h"

namespace referral {
namespace {

// Everything the processor refers to, alive as long as the service.
struct Parts {
  explicit Parts(StandardiserSetup loaded, prometheus::Registry& registry)
      : setup(std::move(loaded)),
        standardiser(*setup.directory, setup.time_zone, StandardiserOptionsFrom(setup.config)),
        metrics(registry),
        dead_letters(registry),
        processor(standardiser, setup.topics, EncodingOf(setup.config.output_encoding()), clock,
                  metrics, dead_letters, MaxReferralBytes(setup.config)) {}

  StandardiserSetup setup;
  const Standardiser standardiser;
  const SystemClock clock;
  StandardiserMetrics metrics;
  DeadLetterMetrics dead_letters;
  StandardiserProcessor processor;
};

}  // namespace

absl::StatusOr<LoadedService> MakeStandardiserService(const ServiceContext& context) {
  REFERRAL_ASSIGN_OR_RETURN(StandardiserSetup setup, LoadStandardiserSetup(context.config_path));
  auto parts = std::make_shared<Parts>(std::move(setup), *context.registry);
  const config::v1::Topics& topics = parts->setup.topics;
  LoadedService loaded;
  loaded.http_listen = parts->setup.config.http().listen();
  loaded.service = std::make_unique<KafkaLoopService>(
      context, parts->setup.config.kafka(),
      KafkaLoopTopics{.inputs = {topics.incidents()},
                      .outputs = {topics.standardised()},
                      .dead_letters = {topics.dead_letters()}},
      parts->processor, parts);
  return loaded;
}

}  // namespace referral
