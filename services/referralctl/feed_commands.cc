#include "services/referralctl/feed_commands.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <map>
#include <set>
#include <memory>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "referral/v1/feed.grpc.pb.h"
#include "referral/v1/feedback.pb.h"
#include "services/common/config/config_file.h"
#include "services/common/core/time_util.h"
#include "services/common/kafka/kafka_reader.h"
#include "services/referralctl/client_settings.h"

namespace referral::ctl {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int Failed(const grpc::Status& status, const std::string& what, std::ostream& err) {
  err << what << ": " << status.error_code() << " " << status.error_message() << "\n";
  return kExitFailure;
}

std::string Rfc3339(const google::protobuf::Timestamp& ts) {
  return FormatRfc3339Utc(ToAbslTime(ts));
}

}  // namespace

std::shared_ptr<grpc::Channel> Connect(const GrpcTarget& target, std::ostream& err) {
  grpc::SslCredentialsOptions tls;
  for (const auto& [path, into] : {std::pair{target.ca, &tls.pem_root_certs},
                                   std::pair{target.cert, &tls.pem_cert_chain},
                                   std::pair{target.key, &tls.pem_private_key}}) {
    if (path.empty()) continue;
    absl::StatusOr<std::string> text = ReadFile(path);
    if (!text.ok()) {
      err << text.status().message() << "\n";
      return nullptr;
    }
    *into = *std::move(text);
  }
  grpc::ChannelArguments arguments;
  if (!target.server_name.empty()) {
    arguments.SetSslTargetNameOverride(target.server_name);
  }
  return grpc::CreateCustomChannel(target.target, grpc::SslCredentials(tls), arguments);
}

int Subscribe(const SubscribeOptions& options, std::ostream& out, std::ostream& err) {
  std::shared_ptr<grpc::Channel> channel = Connect(options.grpc, err);
  if (channel == nullptr) return kExitFailure;
  auto stub = v1::ReferralFeed::NewStub(channel);
  grpc::ClientContext context;
  v1::SubscribeRequest request;
  request.set_subscription(options.subscription);
  request.set_queue(options.queue);
  request.set_max_unacknowledged(options.max_unacknowledged);
  std::unique_ptr<grpc::ClientReader<v1::Delivery>> reader = stub->Subscribe(&context, request);
  // The idle timeout cancels the stream from a watcher: Read() blocks.
  std::atomic<int64_t> last_ms{absl::ToUnixMillis(absl::Now())};
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done.load()) {
      absl::SleepFor(absl::Milliseconds(100));
      if (options.timeout &&
          absl::ToUnixMillis(absl::Now()) - last_ms.load() > *options.timeout * 1000) {
        context.TryCancel();
        return;
      }
    }
  });
  int64_t received = 0;
  v1::Delivery delivery;
  int status = kExitOk;
  while ((!options.count || received < *options.count) && reader->Read(&delivery)) {
    last_ms.store(absl::ToUnixMillis(absl::Now()));
    ++received;
    if (options.json) {
      std::string json;
      google::protobuf::util::JsonPrintOptions print;
      (void)google::protobuf::util::MessageToJsonString(delivery, &json, print);
      out << json << "\n";
    } else {
      const v1::Referral& referral = delivery.referral();
      out << "delivery " << delivery.delivery_id() << " referral " << referral.referral_id()
          << " r" << referral.revision() << " attempt " << delivery.attempt()
          << (delivery.redelivery() ? " redelivery" : "") << " "
          << v1::RoutingDecision::Window_Name(referral.routing().window()) << " due "
          << (referral.routing().has_decision_due_by()
                  ? Rfc3339(referral.routing().decision_due_by())
                  : "-")
          << "\n";
    }
    out.flush();
    if (options.ack) {
      grpc::ClientContext ack_context;
      ack_context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
      v1::AcknowledgeRequest ack;
      ack.set_subscription(options.subscription);
      ack.set_queue(options.queue);
      ack.add_delivery_ids(delivery.delivery_id());
      v1::AcknowledgeResponse response;
      if (grpc::Status s = stub->Acknowledge(&ack_context, ack, &response); !s.ok()) {
        status = Failed(s, "acknowledge", err);
        break;
      }
    }
  }
  done.store(true);
  context.TryCancel();
  const grpc::Status finished = reader->Finish();
  watcher.join();
  if (status != kExitOk) return status;
  if (!finished.ok() && finished.error_code() != grpc::StatusCode::CANCELLED) {
    return Failed(finished, "subscribe", err);
  }
  if (options.count && received < *options.count) {
    err << "subscribe: " << received << " of " << *options.count << " deliveries\n";
    return kExitFailure;
  }
  return kExitOk;
}

int Ack(const AckOptions& options, std::ostream& out, std::ostream& err) {
  std::shared_ptr<grpc::Channel> channel = Connect(options.grpc, err);
  if (channel == nullptr) return kExitFailure;
  auto stub = v1::ReferralFeed::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  v1::AcknowledgeRequest request;
  request.set_subscription(options.subscription);
  request.set_queue(options.queue);
  for (const std::string& id : options.delivery_ids) request.add_delivery_ids(id);
  v1::AcknowledgeResponse response;
  if (grpc::Status s = stub->Acknowledge(&context, request, &response); !s.ok()) {
    return Failed(s, "ack", err);
  }
  out << "acknowledged " << options.delivery_ids.size() << "\n";
  return kExitOk;
}

int Decide(const DecideOptions& options, std::ostream& out, std::ostream& err) {
  v1::RecordDecisionRequest request;
  request.set_referral_id(options.referral_id);
  request.set_revision(options.revision);
  request.set_queue(options.queue);
  std::string outcome = absl::AsciiStrToUpper(options.outcome);
  if (outcome.rfind("DECISION_OUTCOME_", 0) != 0) outcome = "DECISION_OUTCOME_" + outcome;
  v1::DecisionOutcome parsed;
  if (!v1::DecisionOutcome_Parse(outcome, &parsed) || parsed == v1::DECISION_OUTCOME_UNSPECIFIED) {
    err << "OUTCOME: unknown \"" << options.outcome << "\"; want one of";
    for (int i = 1; i <= v1::DecisionOutcome_MAX; ++i) {
      if (v1::DecisionOutcome_IsValid(i)) {
        std::string name = v1::DecisionOutcome_Name(static_cast<v1::DecisionOutcome>(i));
        err << " " << absl::AsciiStrToLower(name.substr(sizeof("DECISION_OUTCOME_") - 1));
      }
    }
    err << "\n";
    return 2;
  }
  request.set_outcome(parsed);
  absl::Time decided = absl::Now();
  if (options.decided_at) {
    std::optional<absl::Time> at = ParseRfc3339(*options.decided_at);
    if (!at) {
      err << "--decided-at: want RFC 3339, got \"" << *options.decided_at << "\"\n";
      return 2;
    }
    decided = *at;
  }
  *request.mutable_decided_at() = ToProtoTimestamp(decided);
  request.set_decider_role(options.decider_role);
  request.set_reason(options.reason);
  std::shared_ptr<grpc::Channel> channel = Connect(options.grpc, err);
  if (channel == nullptr) return kExitFailure;
  auto stub = v1::ReferralFeed::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  v1::RecordDecisionResponse response;
  if (grpc::Status s = stub->RecordDecision(&context, request, &response); !s.ok()) {
    return Failed(s, "decide", err);
  }
  out << "recorded " << absl::AsciiStrToLower(outcome.substr(sizeof("DECISION_OUTCOME_") - 1))
      << " for " << options.referral_id << " r" << options.revision << "\n";
  return kExitOk;
}

int Audit(const AuditOptions& options, std::ostream& out, std::ostream& err) {
  absl::StatusOr<KafkaSettings> settings = ClientSettings(options.bootstrap, options.kafka_config);
  if (!settings.ok()) {
    err << settings.status().message() << "\n";
    return kExitUsage;
  }
  absl::StatusOr<std::unique_ptr<KafkaReader>> reader = KafkaReader::Open(
      *settings, {options.audit_topic, options.feedback_topic}, absl::Seconds(30));
  if (!reader.ok()) {
    err << reader.status().message() << "\n";
    return kExitFailure;
  }
  const std::set<std::string> wanted(options.referral_ids.begin(), options.referral_ids.end());
  std::set<std::string> disclosed;
  std::multimap<absl::Time, nlohmann::json> events;
  absl::Time last = absl::Now();
  while (absl::Now() - last < absl::Seconds(options.timeout)) {
    absl::StatusOr<std::optional<StoredRecord>> next = (*reader)->Next(absl::Milliseconds(500));
    if (!next.ok()) {
      err << next.status().message() << "\n";
      return kExitFailure;
    }
    if (!next->has_value()) continue;
    last = absl::Now();
    const StoredRecord& record = **next;
    if (record.topic == options.audit_topic) {
      v1::Disclosure d;
      if (!d.ParseFromString(record.value) || !wanted.contains(d.referral_id())) continue;
      disclosed.insert(d.referral_id());
      events.emplace(ToAbslTime(d.disclosed_at()),
                     nlohmann::json{{"event", "disclosed"},
                                    {"referral_id", d.referral_id()},
                                    {"time", Rfc3339(d.disclosed_at())},
                                    {"revision", d.revision()},
                                    {"subscriber", d.subscriber()},
                                    {"subscription", d.subscription()},
                                    {"queue", d.queue()},
                                    {"attempt", d.attempt()},
                                    {"lawful_basis", d.lawful_basis()},
                                    {"client_identity", d.client_identity()},
                                    {"delivery_id", d.delivery_id()}});
    } else {
      v1::FeedbackEvent e;
      if (!e.ParseFromString(record.value)) continue;
      if (e.has_acknowledgement() && wanted.contains(e.acknowledgement().referral_id())) {
        const v1::Acknowledgement& a = e.acknowledgement();
        events.emplace(ToAbslTime(a.acknowledged_at()),
                       nlohmann::json{{"event", "acknowledged"},
                                      {"referral_id", a.referral_id()},
                                      {"time", Rfc3339(a.acknowledged_at())},
                                      {"revision", a.revision()},
                                      {"subscriber", a.subscriber()},
                                      {"subscription", a.subscription()},
                                      {"queue", a.queue()},
                                      {"delivery_id", a.delivery_id()}});
      } else if (e.has_decision() && wanted.contains(e.decision().referral_id())) {
        const v1::Decision& d = e.decision();
        // The reason is free text and may hold personal data: not printed here.
        events.emplace(ToAbslTime(d.recorded_at()),
                       nlohmann::json{{"event", "decided"},
                                      {"referral_id", d.referral_id()},
                                      {"time", Rfc3339(d.decided_at())},
                                      {"revision", d.revision()},
                                      {"subscriber", d.subscriber()},
                                      {"queue", d.queue()},
                                      {"outcome", v1::DecisionOutcome_Name(d.outcome())},
                                      {"decider_role", d.decider_role()}});
      }
    }
  }
  for (const auto& [time, event] : events) out << event.dump() << "\n";
  int status = kExitOk;
  for (const std::string& id : wanted) {
    if (!disclosed.contains(id)) {
      err << "audit: no disclosure of " << id << " on " << options.audit_topic << "\n";
      status = kExitFailure;
    }
  }
  return status;
}

}  // namespace referral::ctl
