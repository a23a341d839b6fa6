// The standardiser's own metrics: what happened to each incident. The Kafka loop's and the
// dead-letter metrics are composed beside them (KafkaLoopMetrics, DeadLetterMetrics).
#ifndef REFERRAL_SERVICES_STANDARDISER_METRICS_H_
#define REFERRAL_SERVICES_STANDARDISER_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <memory>
#include <vector>

#include "absl/strings/string_view.h"

namespace referral {

struct StandardiserMetrics {
  explicit StandardiserMetrics(prometheus::Registry& registry);

  // referral_incidents_total{outcome="referred|skipped|rejected"}
  prometheus::Family<prometheus::Counter>& incidents;
  // referral_incidents_skipped_total{reason="no_child|other_type_no_risk"}
  prometheus::Family<prometheus::Counter>& skipped;
  // referral_referrals_standardised_total
  prometheus::Counter& referrals;
  // referral_quality_issues_total{issue}: issues found per referral, `issue` the QualityIssue
  // name without its prefix, lower case ("child_views_not_recorded").
  prometheus::Family<prometheus::Counter>& quality_issues;
  // referral_unrecognised_values_total{field}: enum values of incidents the gateway does not
  // recognise, by field path without indices ("persons.role"): a closed set, the contract's.
  prometheus::Family<prometheus::Counter>& unrecognised;

  // Series of the per-incident path, made once here rather than looked up per incident.
  prometheus::Counter& incidents_referred;  // incidents{outcome="referred"}
  prometheus::Counter& incidents_skipped;   // incidents{outcome="skipped"}
  prometheus::Counter& incidents_rejected;  // incidents{outcome="rejected"}
  // quality_issues by QualityIssue number (nullptr for UNSPECIFIED).
  std::vector<prometheus::Counter*> by_quality_issue;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_STANDARDISER_METRICS_H_
