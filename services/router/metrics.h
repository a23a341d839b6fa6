// The router's metrics: the common service metrics plus routing decisions.
#ifndef REFERRAL_SERVICES_ROUTER_METRICS_H_
#define REFERRAL_SERVICES_ROUTER_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <memory>

#include "absl/strings/string_view.h"
#include "services/common/app/service_metrics.h"

namespace referral {

struct RouterMetrics {
  RouterMetrics(std::shared_ptr<prometheus::Registry> registry, absl::string_view version);

  ServiceMetrics service;
  // referral_referrals_routed_total{la, window, rule}: `la` is a directory GSS code or "triage".
  prometheus::Family<prometheus::Counter>& routed;
  // referral_dead_letters_total{reason}
  prometheus::Family<prometheus::Counter>& dead_letters;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_ROUTER_METRICS_H_
