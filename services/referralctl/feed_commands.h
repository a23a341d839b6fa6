// referralctl's feed commands: a social-care system's view of the gRPC feed (subscribe, ack,
// decide) over mTLS, and the disclosure audit read from Kafka (who received a referral, when).
#ifndef REFERRAL_SERVICES_REFERRALCTL_FEED_COMMANDS_H_
#define REFERRAL_SERVICES_REFERRALCTL_FEED_COMMANDS_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace grpc {
class Channel;
}

namespace referral::ctl {

// How to reach a gRPC service with a client certificate.
struct GrpcTarget {
  std::string target = "localhost:50051";
  std::filesystem::path cert;  // client certificate (PEM)
  std::filesystem::path key;   // its private key (PEM)
  std::filesystem::path ca;    // the CA of the server's certificate (PEM)
  std::string server_name;     // the name the server's certificate holds, when not the target's host
};

// A TLS channel to `target` with its client certificate; nullptr (after saying why on `err`) when
// a file cannot be read.
std::shared_ptr<grpc::Channel> Connect(const GrpcTarget& target, std::ostream& err);

struct SubscribeOptions {
  GrpcTarget grpc;
  std::string queue;
  std::string subscription;
  bool ack = false;             // acknowledge each delivery once printed
  bool json = false;            // print each referral as JSON (holds personal data)
  uint32_t max_unacknowledged = 0;
  std::optional<int64_t> count;    // stop after N deliveries
  std::optional<double> timeout;   // stop after this many seconds without a delivery
};
// Prints one line per delivery: delivery id, referral id and revision, attempt, redelivery,
// window, due time (no personal data), or with `json` the referral as JSON.
int Subscribe(const SubscribeOptions& options, std::ostream& out, std::ostream& err);

struct AckOptions {
  GrpcTarget grpc;
  std::string queue;
  std::string subscription;
  std::vector<std::string> delivery_ids;
};
int Ack(const AckOptions& options, std::ostream& out, std::ostream& err);

struct DecideOptions {
  GrpcTarget grpc;
  std::string referral_id;
  uint64_t revision = 1;
  std::string queue;
  std::string outcome;  // a DecisionOutcome name, with or without its prefix, any case
  std::string decider_role;
  std::string reason;
  std::optional<std::string> decided_at;  // RFC 3339; default now
};
int Decide(const DecideOptions& options, std::ostream& out, std::ostream& err);

struct AuditOptions {
  std::string bootstrap;
  std::string kafka_config;  // Kafka client settings file (client_settings.h)
  std::string audit_topic = "referrals.audit.v1";
  std::string feedback_topic = "referrals.feedback.v1";
  std::vector<std::string> referral_ids;  // one or more
  double timeout = 5;  // seconds without a new record before the answer is complete
};
// Every disclosure of the referrals (when, to which subscriber and subscription, on which queue,
// which attempt, under which lawful basis) and every acknowledgement and decision, in time order,
// one JSON line each (with its `referral_id`). Returns 1 when one of them was never disclosed.
int Audit(const AuditOptions& options, std::ostream& out, std::ostream& err);

}  // namespace referral::ctl

#endif  // REFERRAL_SERVICES_REFERRALCTL_FEED_COMMANDS_H_
