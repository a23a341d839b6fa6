#include "services/feed/metrics.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"

namespace referral {

FeedMetrics::FeedMetrics(prometheus::Registry& registry)
    : deliveries_(prometheus::BuildCounter()
                      .Name("referral_feed_deliveries_total")
                      .Help("Referrals sent to subscribers, by queue and kind (first, redelivery)")
                      .Register(registry)),
      acknowledgements_(prometheus::BuildCounter()
                            .Name("referral_feed_acknowledgements_total")
                            .Help("Delivery ids acknowledged by subscribers, by queue")
                            .Register(registry)),
      duplicates_(prometheus::BuildCounter()
                      .Name("referral_feed_duplicates_skipped_total")
                      .Help("Referral revisions seen again on a queue within the "
                            "de-duplication window and not sent again, by queue")
                      .Register(registry)),
      refusals_(prometheus::BuildCounter()
                    .Name("referral_feed_refusals_total")
                    .Help("Calls refused, by method and reason")
                    .Register(registry)),
      decisions_(prometheus::BuildCounter()
                     .Name("referral_feed_decisions_total")
                     .Help("Local-authority decisions recorded, by outcome")
                     .Register(registry)),
      streams_(prometheus::BuildGauge()
                   .Name("referral_feed_open_streams")
                   .Help("Subscribe streams open on this replica, by queue")
                   .Register(registry)),
      oldest_(prometheus::BuildGauge()
                  .Name("referral_feed_oldest_unacknowledged_seconds")
                  .Help("Age of the oldest delivery not yet acknowledged on an open stream of "
                        "this replica, by queue (0: none)")
                  .Register(registry)) {}

std::string DecisionOutcomeLabel(v1::DecisionOutcome outcome) {
  absl::string_view name = v1::DecisionOutcome_Name(outcome);
  absl::ConsumePrefix(&name, "DECISION_OUTCOME_");
  return absl::AsciiStrToLower(name);
}

void FeedMetrics::ExportAtZero(const std::vector<std::string>& queues) {
  for (const std::string& queue : queues) {
    for (const char* kind : {"first", "redelivery"}) deliveries_.Add({{"queue", queue}, {"kind", kind}});
    acknowledgements_.Add({{"queue", queue}});
    duplicates_.Add({{"queue", queue}});
  }
  for (const char* method : {"Subscribe", "Acknowledge", "RecordDecision"}) {
    for (const char* reason : {"unauthenticated", "permission_denied", "invalid_argument"}) {
      refusals_.Add({{"method", method}, {"reason", reason}});
    }
  }
  const google::protobuf::EnumDescriptor* outcomes = v1::DecisionOutcome_descriptor();
  for (int i = 0; i < outcomes->value_count(); ++i) {
    const auto outcome = static_cast<v1::DecisionOutcome>(outcomes->value(i)->number());
    if (outcome != v1::DECISION_OUTCOME_UNSPECIFIED) {
      decisions_.Add({{"outcome", DecisionOutcomeLabel(outcome)}});
    }
  }
}

void FeedMetrics::Delivered(const std::string& queue, bool redelivery) {
  deliveries_.Add({{"queue", queue}, {"kind", redelivery ? "redelivery" : "first"}}).Increment();
}

void FeedMetrics::Acknowledged(const std::string& queue, int count) {
  acknowledgements_.Add({{"queue", queue}}).Increment(count);
}

void FeedMetrics::Deduplicated(const std::string& queue) {
  duplicates_.Add({{"queue", queue}}).Increment();
}

void FeedMetrics::Refused(const std::string& method, const std::string& reason) {
  refusals_.Add({{"method", method}, {"reason", reason}}).Increment();
}

void FeedMetrics::Decided(const std::string& outcome) {
  decisions_.Add({{"outcome", outcome}}).Increment();
}

void FeedMetrics::StreamOpened(const std::string& queue) {
  streams_.Add({{"queue", queue}}).Increment();
}

void FeedMetrics::StreamClosed(const std::string& queue) {
  streams_.Add({{"queue", queue}}).Decrement();
}

void FeedMetrics::Oldest(const std::string& queue, uint64_t stream,
                         std::optional<absl::Time> since, absl::Time now) {
  std::lock_guard lock(mutex_);
  auto& streams = oldest_by_queue_[queue];
  if (since) {
    streams[stream] = *since;
  } else {
    streams.erase(stream);
  }
  double age = 0;
  for (const auto& [id, time] : streams) age = std::max(age, absl::ToDoubleSeconds(now - time));
  oldest_.Add({{"queue", queue}}).Set(age);
}

}  // namespace referral
