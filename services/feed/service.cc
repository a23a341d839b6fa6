#include "services/feed/service.h"

#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/core/queue.h"
#include "services/common/core/status_macros.h"
#include "services/common/kafka/kafka_admin.h"
#include "services/common/kafka/kafka_settings.h"
#include "services/common/kafka/log_writer.h"
#include "services/common/observe/log.h"
#include "services/common/service/grpc_service.h"
#include "services/feed/config.h"
#include "services/feed/feed_service.h"
#include "services/feed/mailbox.h"
#include "services/feed/metrics.h"

namespace referral {
namespace {

constexpr absl::Duration kProbeEvery = absl::Seconds(5);
constexpr absl::Duration kProbeTimeout = absl::Seconds(3);

// The feed: makes sure its logs exist and learns their partitions, then serves gRPC. Ready while
// the gRPC server serves and the cluster answers.
class FeedRunner final : public Service {
 public:
  FeedRunner(const ServiceContext& context, FeedSetup setup, KafkaSettings settings,
             std::unique_ptr<GrantsFile> grants, std::unique_ptr<LogWriter> writer,
             GrpcService::Options options)
      : setup_(std::move(setup)),
        settings_(std::move(settings)),
        grants_(std::move(grants)),
        writer_(std::move(writer)),
        metrics_(*context.registry),
        logs_{.audit_topic = setup_.topics.audit(), .feedback_topic = setup_.topics.feedback()},
        feed_(setup_, settings_, *grants_, *writer_, logs_, metrics_, context.instance, stopping_),
        grpc_(context, std::move(options), {&feed_}, {"referral.v1.ReferralFeed"},
              [this] { return KafkaNotReadyReason(); }) {
    std::vector<std::string> queues;
    for (const Queue& queue : DirectoryQueues(setup_.directory->config())) {
      queues.push_back(queue.Name());
    }
    metrics_.ExportAtZero(queues);
  }

  absl::Status Start(const std::atomic<bool>& stop) override {
    REFERRAL_RETURN_IF_ERROR(EnsureTopics(
        settings_,
        // Kept until an operator decides otherwise: the audit log is the record of every
        // disclosure (DOMAIN.md §5), and both logs are a subscription's state.
        {{.name = logs_.audit_topic,
          .partitions = settings_.topic_partitions,
          .configs = {{"retention.ms", "-1"}}},
         {.name = logs_.feedback_topic,
          .partitions = settings_.topic_partitions,
          .configs = {{"retention.ms", "-1"}}}},
        settings_.startup_timeout, &stop));
    REFERRAL_ASSIGN_OR_RETURN(logs_.audit_partitions,
                              writer_->Partitions(logs_.audit_topic, settings_.startup_timeout));
    REFERRAL_ASSIGN_OR_RETURN(logs_.feedback_partitions,
                              writer_->Partitions(logs_.feedback_topic, settings_.startup_timeout));
    return grpc_.Start(stop);
  }

  absl::StatusOr<RunOutcome> Run(const std::atomic<bool>& stop) override {
    std::thread relay([&] {
      while (!stop.load()) absl::SleepFor(absl::Milliseconds(50));
      stopping_.store(true);  // open streams end and tell their clients to reconnect
    });
    absl::StatusOr<RunOutcome> outcome = grpc_.Run(stop);
    relay.join();
    return outcome;
  }

  std::string NotReadyReason() const override { return grpc_.NotReadyReason(); }

  nlohmann::json Describe() const override {
    nlohmann::json described = grpc_.Describe();
    described["audit_topic"] = logs_.audit_topic;
    described["feedback_topic"] = logs_.feedback_topic;
    return described;
  }

 private:
  // Probes the cluster at most every kProbeEvery; the last answer stands in between.
  std::string KafkaNotReadyReason() {
    std::lock_guard lock(probe_mutex_);
    const absl::Time now = absl::Now();
    if (now - probed_at_ >= kProbeEvery) {
      probed_at_ = now;
      absl::StatusOr<int32_t> partitions = writer_->Partitions(logs_.audit_topic, kProbeTimeout);
      probe_result_ = partitions.ok() ? "" : absl::StrCat("Kafka: ", partitions.status().message());
      if (std::string fatal = writer_->FatalError(); !fatal.empty()) {
        probe_result_ = absl::StrCat("the audit and feedback producer failed for good: ", fatal);
      }
    }
    return probe_result_;
  }

  FeedSetup setup_;
  KafkaSettings settings_;
  std::unique_ptr<GrantsFile> grants_;
  std::unique_ptr<LogWriter> writer_;
  FeedMetrics metrics_;
  FeedLogs logs_;
  std::atomic<bool> stopping_{false};
  FeedService feed_;
  GrpcService grpc_;
  std::mutex probe_mutex_;
  absl::Time probed_at_ = absl::InfinitePast();
  std::string probe_result_;
};

}  // namespace

absl::StatusOr<LoadedService> MakeFeedService(const ServiceContext& context) {
  REFERRAL_ASSIGN_OR_RETURN(FeedSetup setup, LoadFeedSetup(context.config_path));
  REFERRAL_ASSIGN_OR_RETURN(
      KafkaSettings settings,
      ResolveKafkaSettings(setup.config.kafka(), "feed", context.instance,
                           context.config_path.parent_path(), ProcessEnvironment()));
  REFERRAL_RETURN_IF_ERROR(CheckMailboxClients(settings));
  REFERRAL_ASSIGN_OR_RETURN(
      GrpcService::Options options,
      GrpcService::OptionsFrom(setup.config.grpc(), context.config_path, "0.0.0.0:50051"));
  REFERRAL_ASSIGN_OR_RETURN(std::unique_ptr<GrantsFile> grants,
                            GrantsFile::Open(setup.grants_file, setup.directory->config()));
  REFERRAL_ASSIGN_OR_RETURN(std::unique_ptr<LogWriter> writer, LogWriter::Create(settings));
  LoadedService loaded;
  loaded.http_listen = setup.config.http().listen();
  loaded.service = std::make_unique<FeedRunner>(context, std::move(setup), std::move(settings),
                                                std::move(grants), std::move(writer),
                                                std::move(options));
  return loaded;
}

}  // namespace referral
