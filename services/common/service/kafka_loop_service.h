// A Service that runs a RecordProcessor in the transactional Kafka loop: resolves the Kafka
// settings (environment, secrets), makes sure the topics exist, then consumes, processes and
// produces exactly once until stopped.
#ifndef REFERRAL_SERVICES_COMMON_SERVICE_KAFKA_LOOP_SERVICE_H_
#define REFERRAL_SERVICES_COMMON_SERVICE_KAFKA_LOOP_SERVICE_H_

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/registry.h>

#include "referral/config/v1/config.pb.h"
#include "services/common/kafka/kafka_loop_metrics.h"
#include "services/common/kafka/kafka_settings.h"
#include "services/common/kafka/kafka_transactional_loop.h"
#include "services/common/messaging/record.h"
#include "services/common/service/service.h"
#include "services/common/service/service_main.h"

namespace referral {

struct KafkaLoopTopics {
  std::vector<std::string> inputs;        // consumed; created with kafka.topic_partitions
  std::vector<std::string> outputs;       // likewise
  std::vector<std::string> routed;        // created with kafka.routed_topic_partitions
  std::vector<std::string> dead_letters;  // kafka.topic_partitions and a larger record limit
};

class KafkaLoopService final : public Service {
 public:
  // A service's own check at start-up, once the topics exist and its Kafka settings are resolved
  // (a setting against the cluster, say). An error refuses the start as Start() does.
  using StartCheck = std::function<absl::Status(const KafkaSettings&)>;

  // IMPORTANT: keeps a reference to `processor`; `owner` (what the processor refers to) lives
  // as long as the service.
  KafkaLoopService(const ServiceContext& context, config::v1::Kafka kafka, KafkaLoopTopics topics,
                   RecordProcessor& processor, std::shared_ptr<const void> owner,
                   StartCheck start_check = nullptr);

  // kInvalidArgument naming the kafka.* field; kFailedPrecondition or kUnavailable for topics.
  absl::Status Start(const std::atomic<bool>& stop) override;
  absl::StatusOr<RunOutcome> Run(const std::atomic<bool>& stop) override;
  std::string NotReadyReason() const override;
  nlohmann::json Describe() const override;

 private:
  const ServiceContext context_;
  const config::v1::Kafka kafka_;
  const KafkaLoopTopics topics_;
  RecordProcessor& processor_;
  const std::shared_ptr<const void> owner_;
  const StartCheck start_check_;
  KafkaLoopMetrics metrics_;
  KafkaSettings settings_;
  std::unique_ptr<KafkaTransactionalLoop> loop_;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_SERVICE_KAFKA_LOOP_SERVICE_H_
