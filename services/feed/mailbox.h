// One Subscribe stream's Kafka side: a member of the subscription's consumer group on the queue's
// topic, that rebuilds each assigned partition's ledger from the audit and feedback logs, skips
// revisions already seen, writes the disclosure record of every referral before handing it to the
// stream, sends unacknowledged ones again after the ack deadline, keeps at most
// `max_unacknowledged` outstanding, and checkpoints the acknowledged prefix in the group.
#ifndef REFERRAL_SERVICES_FEED_MAILBOX_H_
#define REFERRAL_SERVICES_FEED_MAILBOX_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "referral/v1/feed.pb.h"
#include "services/common/kafka/kafka_settings.h"
#include "services/common/kafka/log_writer.h"
#include "services/feed/config.h"
#include "services/feed/metrics.h"

namespace referral {

// Who reads what.
struct MailboxSpec {
  std::string subscriber;       // Grant.name
  std::string subscription;     // SubscribeRequest.subscription
  std::string queue;            // "frontdoor/E06000023"
  std::string client_identity;  // the certificate identity the stream was opened with
  std::string topic;            // the queue's routed topic
  uint32_t max_unacknowledged = 100;
  // OK while the caller may still read the queue (the grants are re-read while streams run);
  // asked before every disclosure. Its error ends the stream. May be empty: always allowed.
  std::function<absl::Status()> authorised;
};

// Where deliveries go: the gRPC stream.
class DeliverySink {
 public:
  virtual ~DeliverySink() = default;
  // False when the stream is gone. `more` says another delivery follows at once, so the
  // transport may hold this one back to send them together.
  virtual bool Send(const v1::Delivery& delivery, bool more) = 0;
  // True once the client cancelled or the call's deadline passed.
  virtual bool Cancelled() const = 0;
};

// The topics and partitions shared by every mailbox of a feed replica.
struct FeedLogs {
  std::string audit_topic;
  int32_t audit_partitions = 1;
  std::string feedback_topic;
  int32_t feedback_partitions = 1;
};

// Builds the clients a mailbox makes (a subscription consumer, a lean reader) from `settings` and
// drops them: kInvalidArgument naming what librdkafka refuses, so that a bad property fails the
// feed's start instead of every stream.
absl::Status CheckMailboxClients(const KafkaSettings& settings);

// Runs one stream until the client goes, `stop` is set or Kafka fails. Returns OK when the client
// went or the feed is stopping (the stream then ends with UNAVAILABLE so the client reconnects),
// kUnavailable / kInternal / kDataLoss saying what failed.
absl::Status RunMailbox(const MailboxSpec& spec, const KafkaSettings& settings,
                        const FeedOptions& options, const FeedLogs& logs, LogWriter& writer,
                        FeedMetrics& metrics, const std::string& instance, uint64_t stream_id,
                        DeliverySink& sink, const std::atomic<bool>& stop);

}  // namespace referral

#endif  // REFERRAL_SERVICES_FEED_MAILBOX_H_
