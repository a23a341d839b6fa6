// referral.v1.ReferralFeed: authorises each call against the caller's certificate and grants,
// runs a Mailbox per Subscribe stream, and writes acknowledgements and decisions to the feedback
// log before answering.
#ifndef REFERRAL_SERVICES_FEED_FEED_SERVICE_H_
#define REFERRAL_SERVICES_FEED_FEED_SERVICE_H_

#include <atomic>
#include <mutex>
#include <string>

#include "referral/v1/feed.grpc.pb.h"
#include "services/common/grpc/server_security.h"
#include "services/common/kafka/kafka_settings.h"
#include "services/common/kafka/log_writer.h"
#include "services/feed/config.h"
#include "services/feed/mailbox.h"
#include "services/feed/metrics.h"

namespace referral {

class FeedService final : public v1::ReferralFeed::Service {
 public:
  // Every reference must outlive the service. `logs` is filled in before the first call.
  FeedService(const FeedSetup& setup, const KafkaSettings& settings, GrantsFile& grants,
              LogWriter& writer, const FeedLogs& logs, FeedMetrics& metrics, std::string instance,
              const std::atomic<bool>& stop);

  grpc::Status Subscribe(grpc::ServerContext* context, const v1::SubscribeRequest* request,
                         grpc::ServerWriter<v1::Delivery>* writer) override;
  grpc::Status Acknowledge(grpc::ServerContext* context, const v1::AcknowledgeRequest* request,
                           v1::AcknowledgeResponse* response) override;
  grpc::Status RecordDecision(grpc::ServerContext* context,
                              const v1::RecordDecisionRequest* request,
                              v1::RecordDecisionResponse* response) override;

 private:
  // The caller's grant when it may read `queue` (request field names in errors), else the status
  // to answer with; counts the refusal under `method`.
  absl::StatusOr<ClientGrant> Authorise(const grpc::ServerContext& context,
                                        const std::string& method, const std::string& queue);
  grpc::Status Refuse(const std::string& method, const absl::Status& status);

  const FeedSetup& setup_;
  const KafkaSettings& settings_;
  GrantsFile& grants_;
  LogWriter& writer_;
  const FeedLogs& logs_;
  FeedMetrics& metrics_;
  const std::string instance_;
  const std::atomic<bool>& stop_;
  std::atomic<uint64_t> next_stream_{1};
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_FEED_FEED_SERVICE_H_
