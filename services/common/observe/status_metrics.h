// The metrics every service exports whatever it does: referral_build_info{service,version} and
// referral_ready, which is computed when scraped from the same probe as /readyz, so the two
// never disagree.
#ifndef REFERRAL_SERVICES_COMMON_OBSERVE_STATUS_METRICS_H_
#define REFERRAL_SERVICES_COMMON_OBSERVE_STATUS_METRICS_H_

#include <prometheus/collectable.h>
#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace referral {

// Empty when ready, else why not ("no partitions assigned").
using ReadinessProbe = std::function<std::string()>;

// referral_ready: 1 while `probe` says ready, 0 otherwise.
class ReadinessGauge final : public prometheus::Collectable {
 public:
  explicit ReadinessGauge(ReadinessProbe probe) : probe_(std::move(probe)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  ReadinessProbe probe_;
};

// Registers referral_build_info{service, version} = 1 on `registry`.
void RegisterBuildInfo(prometheus::Registry& registry, absl::string_view service,
                       absl::string_view version);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_OBSERVE_STATUS_METRICS_H_
