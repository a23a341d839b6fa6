#include "services/feed/feed_service.h"

#include <set>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/time_util.h"
#include "referral/v1/feedback.pb.h"
#include "services/common/core/queue.h"
#include "services/common/core/time_util.h"
#include "services/common/observe/log.h"
#include "services/feed/core/delivery_id.h"
#include "services/feed/core/ledger.h"

namespace referral {
namespace {

using google::protobuf::util::TimeUtil;

constexpr absl::Duration kWriteTimeout = absl::Seconds(10);
constexpr size_t kMaxAcknowledgeIds = 1000;
constexpr size_t kMaxReasonBytes = 16384;
constexpr size_t kMaxRoleBytes = 200;

google::protobuf::Timestamp Now() {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(absl::Now()));
}

std::string ReasonOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnauthenticated:
      return "unauthenticated";
    case absl::StatusCode::kPermissionDenied:
      return "permission_denied";
    default:
      return "invalid_argument";
  }
}

class StreamSink final : public DeliverySink {
 public:
  StreamSink(grpc::ServerContext& context, grpc::ServerWriter<v1::Delivery>& writer)
      : context_(context), writer_(writer) {}
  // `more` is not passed on as gRPC's buffer hint: measured, corked writes held deliveries back
  // far longer than the batch (one subscriber: 1,141/s → 76/s).
  bool Send(const v1::Delivery& delivery, bool /*more*/) override {
    return writer_.Write(delivery);
  }
  bool Cancelled() const override { return context_.IsCancelled(); }

 private:
  grpc::ServerContext& context_;
  grpc::ServerWriter<v1::Delivery>& writer_;
};

}  // namespace

FeedService::FeedService(const FeedSetup& setup, const KafkaSettings& settings,
                         GrantsFile& grants, LogWriter& writer, const FeedLogs& logs,
                         FeedMetrics& metrics, std::string instance,
                         const std::atomic<bool>& stop)
    : setup_(setup),
      settings_(settings),
      grants_(grants),
      writer_(writer),
      logs_(logs),
      metrics_(metrics),
      instance_(std::move(instance)),
      stop_(stop) {}

grpc::Status FeedService::Refuse(const std::string& method, const absl::Status& status) {
  metrics_.Refused(method, ReasonOf(status.code()));
  return ToGrpcStatus(status);
}

absl::StatusOr<ClientGrant> FeedService::Authorise(const grpc::ServerContext& context,
                                                   const std::string& method,
                                                   const std::string& queue) {
  absl::StatusOr<ClientGrant> grant = Authenticate(context, grants_);
  if (!grant.ok()) {
    log::Warn("feed_call_refused", {{"method", method}, {"reason", "unauthenticated"}});
    return grant.status();
  }
  absl::StatusOr<Queue> parsed = ParseQueue(queue);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("queue: ", parsed.status().message()));
  }
  if (!grant->MayRead(parsed->Name())) {
    log::Warn("feed_call_refused", {{"method", method},
                                    {"reason", "permission_denied"},
                                    {"subscriber", grant->name},
                                    {"queue", parsed->Name()}});
    return absl::PermissionDeniedError(
        absl::StrCat(grant->name, " may not read queue \"", parsed->Name(), "\""));
  }
  return grant;
}

grpc::Status FeedService::Subscribe(grpc::ServerContext* context,
                                    const v1::SubscribeRequest* request,
                                    grpc::ServerWriter<v1::Delivery>* writer) {
  absl::StatusOr<ClientGrant> grant = Authorise(*context, "Subscribe", request->queue());
  if (!grant.ok()) return Refuse("Subscribe", grant.status());
  if (!ValidSubscriptionName(request->subscription())) {
    return Refuse("Subscribe", absl::InvalidArgumentError(
                                   "subscription: 1 to 64 letters, digits, '.', '-' or '_'"));
  }
  const Queue queue = *ParseQueue(request->queue());
  MailboxSpec spec{.subscriber = grant->name,
                   .subscription = request->subscription(),
                   .queue = queue.Name(),
                   .client_identity = PeerIdentities(*context).front(),
                   .topic = QueueTopic(setup_.topics, queue)};
  // Grants are re-read while the stream runs: a queue taken away ends it.
  spec.authorised = [this, context, queue_name = spec.queue,
                     subscriber = spec.subscriber]() -> absl::Status {
    absl::StatusOr<ClientGrant> now = Authenticate(*context, grants_);
    if (!now.ok()) return now.status();
    if (now->name != subscriber || !now->MayRead(queue_name)) {
      return absl::PermissionDeniedError(
          absl::StrCat(now->name, " may no longer read queue \"", queue_name, "\""));
    }
    return absl::OkStatus();
  };
  spec.max_unacknowledged =
      request->max_unacknowledged() == 0
          ? setup_.options.default_max_unacknowledged
          : std::min(request->max_unacknowledged(), setup_.options.max_unacknowledged_limit);
  const uint64_t stream_id = next_stream_.fetch_add(1);
  log::Info("feed_stream_opened", {{"subscriber", spec.subscriber},
                                   {"subscription", spec.subscription},
                                   {"queue", spec.queue},
                                   {"stream", stream_id},
                                   {"max_unacknowledged", spec.max_unacknowledged}});
  metrics_.StreamOpened(spec.queue);
  StreamSink sink(*context, *writer);
  const absl::Status ended = RunMailbox(spec, settings_, setup_.options, logs_, writer_, metrics_,
                                        instance_, stream_id, sink, stop_);
  metrics_.StreamClosed(spec.queue);
  log::Info("feed_stream_closed", {{"subscriber", spec.subscriber},
                                   {"queue", spec.queue},
                                   {"stream", stream_id},
                                   {"status", ended.ok() ? "OK" : ended.ToString()}});
  if (!ended.ok()) return ToGrpcStatus(ended);
  if (stop_.load()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the feed is stopping");
  return grpc::Status::OK;
}

grpc::Status FeedService::Acknowledge(grpc::ServerContext* context,
                                      const v1::AcknowledgeRequest* request,
                                      v1::AcknowledgeResponse*) {
  absl::StatusOr<ClientGrant> grant = Authorise(*context, "Acknowledge", request->queue());
  if (!grant.ok()) return Refuse("Acknowledge", grant.status());
  if (!ValidSubscriptionName(request->subscription())) {
    return Refuse("Acknowledge", absl::InvalidArgumentError(
                                     "subscription: 1 to 64 letters, digits, '.', '-' or '_'"));
  }
  if (static_cast<size_t>(request->delivery_ids_size()) > kMaxAcknowledgeIds) {
    return Refuse("Acknowledge",
                  absl::InvalidArgumentError(absl::StrCat("delivery_ids: at most ",
                                                          kMaxAcknowledgeIds, " per call")));
  }
  const Queue queue = *ParseQueue(request->queue());
  const std::string topic = QueueTopic(setup_.topics, queue);
  const std::string key = SubscriptionKey(grant->name, request->subscription(), queue.Name());
  const int32_t partition = LogPartition(key, logs_.feedback_partitions);
  const google::protobuf::Timestamp now = Now();
  std::vector<PartitionedRecord> records;
  std::set<std::string> seen;
  for (int i = 0; i < request->delivery_ids_size(); ++i) {
    const std::string& id = request->delivery_ids(i);
    absl::StatusOr<DeliveryRef> ref = ParseDeliveryId(id);
    if (!ref.ok()) {
      return Refuse("Acknowledge", absl::InvalidArgumentError(absl::StrCat(
                                       "delivery_ids[", i, "]: ", ref.status().message())));
    }
    if (!seen.insert(id).second) continue;
    v1::FeedbackEvent event;
    v1::Acknowledgement& ack = *event.mutable_acknowledgement();
    ack.set_referral_id(ref->referral_id);
    ack.set_revision(ref->revision);
    ack.set_subscriber(grant->name);
    ack.set_subscription(request->subscription());
    ack.set_queue(queue.Name());
    ack.set_delivery_id(id);
    ack.mutable_position()->set_topic(topic);
    ack.mutable_position()->set_partition(ref->partition);
    ack.mutable_position()->set_offset(ref->offset);
    *ack.mutable_acknowledged_at() = now;
    PartitionedRecord record{.partition = partition};
    record.record.topic = logs_.feedback_topic;
    record.record.key = key;
    record.record.value = event.SerializeAsString();
    record.record.headers = {{"content-type", "application/x-protobuf"}};
    records.push_back(std::move(record));
  }
  if (records.empty()) return grpc::Status::OK;
  absl::StatusOr<std::vector<int64_t>> written = writer_.Write(records, kWriteTimeout);
  if (!written.ok()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        absl::StrCat("acknowledgements not recorded; send them again: ",
                                     written.status().message()));
  }
  return grpc::Status::OK;
}

grpc::Status FeedService::RecordDecision(grpc::ServerContext* context,
                                         const v1::RecordDecisionRequest* request,
                                         v1::RecordDecisionResponse*) {
  absl::StatusOr<ClientGrant> grant = Authorise(*context, "RecordDecision", request->queue());
  if (!grant.ok()) return Refuse("RecordDecision", grant.status());
  std::vector<std::string> errors;
  if (request->referral_id().empty() || request->referral_id().size() > 128) {
    errors.push_back("referral_id: required, at most 128 characters");
  }
  if (request->outcome() == v1::DECISION_OUTCOME_UNSPECIFIED ||
      !v1::DecisionOutcome_IsValid(request->outcome())) {
    errors.push_back(absl::StrCat("outcome: want one of the DecisionOutcome values, got ",
                                  request->outcome()));
  }
  if (!request->has_decided_at()) {
    errors.push_back("decided_at: required");
  } else if (!InAcceptedRange(request->decided_at()) ||
             ToAbslTime(request->decided_at()) > absl::Now() + absl::Minutes(5)) {
    errors.push_back("decided_at: not a valid time, or in the future");
  }
  const std::string role(absl::StripAsciiWhitespace(request->decider_role()));
  if (role.empty() || role.size() > kMaxRoleBytes) {
    errors.push_back(absl::StrCat("decider_role: required, at most ", kMaxRoleBytes, " bytes"));
  }
  if (request->reason().size() > kMaxReasonBytes) {
    errors.push_back(absl::StrCat("reason: at most ", kMaxReasonBytes, " bytes"));
  }
  if (!errors.empty()) {
    return Refuse("RecordDecision", absl::InvalidArgumentError(absl::StrJoin(errors, "; ")));
  }
  const Queue queue = *ParseQueue(request->queue());
  v1::FeedbackEvent event;
  v1::Decision& decision = *event.mutable_decision();
  decision.set_referral_id(request->referral_id());
  decision.set_revision(request->revision());
  decision.set_subscriber(grant->name);
  decision.set_queue(queue.Name());
  decision.set_outcome(request->outcome());
  *decision.mutable_decided_at() = request->decided_at();
  decision.set_reason(request->reason());
  decision.set_decider_role(role);
  *decision.mutable_recorded_at() = Now();
  PartitionedRecord record{.partition =
                               LogPartition(request->referral_id(), logs_.feedback_partitions)};
  record.record.topic = logs_.feedback_topic;
  record.record.key = request->referral_id();
  record.record.value = event.SerializeAsString();
  record.record.headers = {{"content-type", "application/x-protobuf"}};
  absl::StatusOr<std::vector<int64_t>> written = writer_.Write({record}, kWriteTimeout);
  if (!written.ok()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        absl::StrCat("decision not recorded; send it again: ",
                                     written.status().message()));
  }
  metrics_.Decided(DecisionOutcomeLabel(request->outcome()));
  // The outcome is not logged beside the referral id: what was decided about a child is for the
  // feedback topic and the aggregate metric only.
  log::Info("feed_decision_recorded",
            {{"referral_id", request->referral_id()}, {"subscriber", grant->name}});
  return grpc::Status::OK;
}

}  // namespace referral
