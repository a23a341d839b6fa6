// The feed's own metrics (prefix referral_feed_). Labels only from closed sets: the queue (from
// the directory), the RPC method, the reason of a refusal, the decision outcome.
#ifndef REFERRAL_SERVICES_FEED_METRICS_H_
#define REFERRAL_SERVICES_FEED_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "referral/v1/feed.pb.h"

namespace referral {

// The `outcome` label of a decision: DECISION_OUTCOME_S47_ENQUIRY -> "s47_enquiry".
std::string DecisionOutcomeLabel(v1::DecisionOutcome outcome);

class FeedMetrics {
 public:
  explicit FeedMetrics(prometheus::Registry& registry);

  // Every counter of `queues` ("frontdoor/E06000023", "edt/avon"), every refusal of the feed's
  // methods and every decision outcome, at zero: increase() ignores a series' first sample, so a
  // series born at its first event would hide that event from alerts and dashboards.
  void ExportAtZero(const std::vector<std::string>& queues);

  void Delivered(const std::string& queue, bool redelivery);
  void Acknowledged(const std::string& queue, int count);
  void Deduplicated(const std::string& queue);
  // reason: "unauthenticated", "permission_denied", "invalid_argument".
  void Refused(const std::string& method, const std::string& reason);
  void Decided(const std::string& outcome);
  void StreamOpened(const std::string& queue);
  void StreamClosed(const std::string& queue);
  // Stream `stream`'s oldest unacknowledged delivery on `queue` was first sent at `since`
  // (nullopt: none); the gauge shows the oldest across the replica's streams.
  void Oldest(const std::string& queue, uint64_t stream, std::optional<absl::Time> since,
              absl::Time now);

 private:
  prometheus::Family<prometheus::Counter>& deliveries_;
  prometheus::Family<prometheus::Counter>& acknowledgements_;
  prometheus::Family<prometheus::Counter>& duplicates_;
  prometheus::Family<prometheus::Counter>& refusals_;
  prometheus::Family<prometheus::Counter>& decisions_;
  prometheus::Family<prometheus::Gauge>& streams_;
  prometheus::Family<prometheus::Gauge>& oldest_;
  std::mutex mutex_;
  std::map<std::string, std::map<uint64_t, absl::Time>> oldest_by_queue_;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_FEED_METRICS_H_
