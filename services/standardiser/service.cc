#include "services/standardiser/service.h"

#include <memory>
#include <set>
#include <utility>

#include "services/common/config/setup.h"
#include "services/common/core/status_macros.h"
#include "services/common/observe/clock.h"
#include "absl/strings/str_cat.h"
#include "services/common/core/topics.h"
#include "services/common/kafka/kafka_admin.h"
#include "services/common/service/kafka_loop_service.h"
#include "services/standardiser/app.h"
#include "services/standardiser/config.h"

namespace referral {
namespace {

constexpr absl::Duration kDescribeTimeout = absl::Seconds(5);

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

// max_referral_bytes against the routed topics that exist already (the router creates the
// rest with the cluster's default): a referral the standardiser produces must fit each of them
// once routed. kInvalidArgument names the setting, the topic and both sizes.
absl::Status CheckMaxReferralBytes(const StandardiserSetup& setup, const KafkaSettings& settings) {
  // The cluster did not describe this service's own topics (librdkafka's mock): nothing to ask.
  if (settings.topic_record_limits.empty()) return absl::OkStatus();
  // Each once (RoutedTopics): a topic asked for twice fails the whole request.
  const std::set<std::string> unique = RoutedTopics(setup.topics, setup.directory->config());
  const std::vector<std::string> routed(unique.begin(), unique.end());
  absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> limits =
      TopicMessageLimits(settings, routed, kDescribeTimeout);
  if (limits.status().code() == absl::StatusCode::kNotFound) {
    // Some are not created yet: the ones that are, one by one.
    limits = absl::flat_hash_map<std::string, int64_t>();
    for (const std::string& topic : routed) {
      if (auto one = TopicMessageLimits(settings, {topic}, kDescribeTimeout); one.ok()) {
        limits->insert(one->begin(), one->end());
      }
    }
  }
  if (!limits.ok()) return absl::OkStatus();  // not describable now: nothing to check against
  const int64_t max_referral = static_cast<int64_t>(MaxReferralBytes(setup.config));
  for (const std::string& topic : routed) {
    auto limit = limits->find(topic);
    if (limit == limits->end()) continue;
    const int64_t takes = RecordLimitOf(limit->second) - kRoutingHeadroomBytes;
    if (max_referral > takes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "max_referral_bytes: ", max_referral, " is more than routed topic ", topic,
          " takes with the router's additions (", takes, " of its max.message.bytes ",
          limit->second, ")"));
    }
  }
  return absl::OkStatus();
}

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
      parts->processor, parts, [parts](const KafkaSettings& settings) {
        return CheckMaxReferralBytes(parts->setup, settings);
      });
  return loaded;
}

}  // namespace referral
