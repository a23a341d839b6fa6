// Reading a Prometheus registry in unit tests. Header-only.
#ifndef REFERRAL_TESTS_TESTING_METRICS_H_
#define REFERRAL_TESTS_TESTING_METRICS_H_

#include <prometheus/registry.h>

#include <map>
#include <set>
#include <string>

namespace referral::testing {

// Every series of counter family `name`, keyed by its labels joined in their order (by label
// name: "kind=first,queue=edt/avon"), with its value.
inline std::map<std::string, double> CounterSeries(prometheus::Registry& registry,
                                                   const std::string& name) {
  std::map<std::string, double> series;
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      std::string labels;
      for (const prometheus::ClientMetric::Label& label : metric.label) {
        labels += (labels.empty() ? "" : ",") + label.name + "=" + label.value;
      }
      series[labels] = metric.counter.value;
    }
  }
  return series;
}

// The labels of `series`, for comparing with the set a test expects.
inline std::set<std::string> Labels(const std::map<std::string, double>& series) {
  std::set<std::string> labels;
  for (const auto& [key, value] : series) labels.insert(key);
  return labels;
}

}  // namespace referral::testing

#endif  // REFERRAL_TESTS_TESTING_METRICS_H_
