#include "services/common/app/service_runner.h"

#include <atomic>
#include <memory>

#include "services/common/app/http_endpoint.h"
#include "services/common/app/log.h"
#include "services/common/app/stop_signal.h"
#include "services/common/kafka/kafka_admin.h"
#include "services/common/kafka/kafka_transactional_loop.h"

namespace referral {
namespace {

constexpr absl::Duration kStartupTimeout = absl::Seconds(60);

}  // namespace

int RunService(const ServiceRun& run, RecordProcessor& processor, ServiceMetrics& metrics) {
  const std::atomic<bool>& stop_requested = StopOnSignals();
  absl::StatusOr<KafkaSettings> settings = ResolveKafkaSettings(
      run.kafka, run.service, run.instance, run.config_path.parent_path(), ProcessEnvironment());
  if (!settings.ok()) {
    log::Error("config_invalid", {{"config", run.config_path.string()},
                                  {"error", std::string(settings.status().message())}});
    return kExitBadConfig;
  }

  std::vector<TopicSpec> topics;
  for (const auto* group : {&run.input_topics, &run.output_topics}) {
    for (const std::string& name : *group) topics.push_back({name, settings->topic_partitions});
  }
  for (const std::string& name : run.routed_topics) {
    topics.push_back({name, settings->routed_topic_partitions});
  }
  if (absl::Status status = EnsureTopics(*settings, topics, kStartupTimeout, &stop_requested);
      !status.ok()) {
    if (status.code() == absl::StatusCode::kCancelled) return kExitStopped;
    log::Error("topics_unavailable", {{"error", std::string(status.message())}});
    return kExitBadConfig;
  }

  absl::StatusOr<std::unique_ptr<KafkaTransactionalLoop>> loop =
      KafkaTransactionalLoop::Create(*settings, run.input_topics, processor, metrics);
  if (!loop.ok()) {
    log::Error("kafka_client_invalid", {{"error", std::string(loop.status().message())}});
    return kExitBadConfig;
  }
  KafkaTransactionalLoop& running = **loop;
  const std::string listen = run.http_listen.empty() ? run.default_http_listen : run.http_listen;
  absl::StatusOr<std::unique_ptr<HttpEndpoint>> http =
      HttpEndpoint::Start(listen, metrics.registry, [&running] { return running.NotReadyReason(); });
  if (!http.ok()) {
    log::Error("http_unavailable", {{"error", std::string(http.status().message())}});
    return kExitBadConfig;
  }
  log::Info("started", {{"http_port", (*http)->port()},
                        {"bootstrap_servers", settings->bootstrap_servers},
                        {"group_id", settings->group_id},
                        {"transactional_id", settings->transactional_id},
                        {"inputs", run.input_topics},
                        {"commit_every_records", settings->commit_every_records},
                        {"commit_interval_ms", absl::ToInt64Milliseconds(settings->commit_interval)},
                        {"commit_idle_ms", absl::ToInt64Milliseconds(settings->commit_idle)}});

  const absl::Status status = running.Run(stop_requested);
  return status.ok() ? kExitStopped : kExitFatal;
}

}  // namespace referral
