#include "services/common/observe/status_metrics.h"

#include <prometheus/gauge.h>

namespace referral {

std::vector<prometheus::MetricFamily> ReadinessGauge::Collect() const {
  prometheus::MetricFamily family;
  family.name = "referral_ready";
  family.help = "1 while the service is ready (what /readyz says), 0 otherwise";
  family.type = prometheus::MetricType::Gauge;
  prometheus::ClientMetric metric;
  metric.gauge.value = probe_().empty() ? 1 : 0;
  family.metric.push_back(metric);
  return {family};
}

void RegisterBuildInfo(prometheus::Registry& registry, absl::string_view service,
                       absl::string_view version) {
  prometheus::BuildGauge()
      .Name("referral_build_info")
      .Help("Build of this service; always 1")
      .Register(registry)
      .Add({{"service", std::string(service)}, {"version", std::string(version)}})
      .Set(1);
}

}  // namespace referral
