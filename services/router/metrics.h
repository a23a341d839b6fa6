// The router's own metrics: routing decisions. The Kafka loop's and the dead-letter metrics are
// composed beside them (KafkaLoopMetrics, DeadLetterMetrics).
#ifndef REFERRAL_SERVICES_ROUTER_METRICS_H_
#define REFERRAL_SERVICES_ROUTER_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <memory>

#include "absl/strings/string_view.h"

namespace referral {

struct RouterMetrics {
  explicit RouterMetrics(prometheus::Registry& registry);

  // referral_referrals_routed_total{la, window, rule}: `la` is a directory GSS code or "triage".
  prometheus::Family<prometheus::Counter>& routed;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_ROUTER_METRICS_H_
