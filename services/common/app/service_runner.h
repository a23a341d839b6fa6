// What every Kafka service's main() does after loading its config: resolve the Kafka settings,
// make sure the topics exist, serve /metrics /healthz /readyz, run the transactional loop until
// SIGTERM or SIGINT, and turn the outcome into an exit status.
#ifndef REFERRAL_SERVICES_COMMON_APP_SERVICE_RUNNER_H_
#define REFERRAL_SERVICES_COMMON_APP_SERVICE_RUNNER_H_

#include <filesystem>
#include <string>
#include <vector>

#include "referral/config/v1/config.pb.h"
#include "services/common/app/service_metrics.h"
#include "services/common/kafka/record.h"

namespace referral {

// Exit statuses of the services.
inline constexpr int kExitStopped = 0;    // SIGTERM/SIGINT: drained and left the group
inline constexpr int kExitFatal = 1;      // fatal or fenced Kafka client: let the supervisor restart
inline constexpr int kExitBadConfig = 2;  // config, topics or endpoint refused at start-up

struct ServiceRun {
  std::string service;                // "standardiser"
  std::filesystem::path config_path;  // secret files are relative to its folder
  std::string instance;               // --instance; may be empty
  config::v1::Kafka kafka;
  std::string http_listen;            // from config, may be empty
  std::string default_http_listen;    // "0.0.0.0:9101"
  std::vector<std::string> input_topics;     // created with kafka.topic_partitions
  std::vector<std::string> output_topics;    // likewise
  std::vector<std::string> routed_topics;    // created with kafka.routed_topic_partitions
};

// Runs the service until it is told to stop or fails. Returns one of the exit statuses above;
// every failure is logged once, first.
int RunService(const ServiceRun& run, RecordProcessor& processor, ServiceMetrics& metrics);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_APP_SERVICE_RUNNER_H_
