// The operational metrics every Kafka service exports (DESIGN.md §7), built once at start-up on
// the service's registry. Labels come from closed sets: topic names from config, fixed outcomes.
#ifndef REFERRAL_SERVICES_COMMON_APP_SERVICE_METRICS_H_
#define REFERRAL_SERVICES_COMMON_APP_SERVICE_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace referral {

struct ServiceMetrics {
  // `service` and `version` label referral_build_info.
  ServiceMetrics(std::shared_ptr<prometheus::Registry> registry, absl::string_view service,
                 absl::string_view version);

  std::shared_ptr<prometheus::Registry> registry;
  prometheus::Family<prometheus::Counter>& consumed;   // referral_records_consumed_total{topic}
  prometheus::Family<prometheus::Counter>& produced;   // referral_records_produced_total{topic}
  prometheus::Counter& committed;                      // referral_transactions_total{outcome}
  prometheus::Counter& aborted;
  prometheus::Family<prometheus::Counter>& kafka_errors;  // referral_kafka_errors_total{class}
  prometheus::Counter& producers_replaced;     // referral_kafka_producers_replaced_total
  prometheus::Histogram& commit_seconds;       // referral_transaction_commit_seconds
  prometheus::Histogram& processing_seconds;   // referral_record_processing_seconds
  prometheus::Gauge& assigned_partitions;      // referral_assigned_partitions
  prometheus::Family<prometheus::Gauge>& consumer_lag;  // referral_consumer_lag_records{topic}
  prometheus::Gauge& ready;                    // referral_ready (1 ready, 0 not)
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_APP_SERVICE_METRICS_H_
