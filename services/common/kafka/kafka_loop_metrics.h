// The transactional loop's metrics (DESIGN.md §7), built once at start-up on the service's
// registry. Labels come from closed sets: configured topic names and fixed outcomes.
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_LOOP_METRICS_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_LOOP_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace referral {

struct KafkaLoopMetrics {
  explicit KafkaLoopMetrics(prometheus::Registry& registry);

  prometheus::Family<prometheus::Counter>& consumed;   // referral_records_consumed_total{topic}
  // referral_records_committed_total{topic}: input records whose transaction committed, each once.
  prometheus::Family<prometheus::Counter>& committed_records;
  prometheus::Family<prometheus::Counter>& produced;   // referral_records_produced_total{topic}
  prometheus::Counter& committed;                      // referral_transactions_total{outcome}
  prometheus::Counter& aborted;
  prometheus::Family<prometheus::Counter>& kafka_errors;  // referral_kafka_errors_total{class}
  prometheus::Counter& producers_replaced;     // referral_kafka_producers_replaced_total
  prometheus::Histogram& commit_seconds;       // referral_transaction_commit_seconds
  prometheus::Histogram& processing_seconds;   // referral_record_processing_seconds
  prometheus::Gauge& assigned_partitions;      // referral_assigned_partitions
  prometheus::Family<prometheus::Gauge>& consumer_lag;  // referral_consumer_lag_records{topic}
  prometheus::Gauge& stalled_partitions;       // referral_stalled_partitions
  prometheus::Gauge& oldest_uncommitted;       // referral_oldest_uncommitted_input_seconds
  // referral_records_skipped_total{topic}: records that could not even be dead-lettered.
  prometheus::Family<prometheus::Counter>& skipped;
  // referral_loop_seconds_total{phase}: where the loop's wall time goes.
  prometheus::Counter& loop_poll;     // waiting in the consumer's poll for a record
  prometheus::Counter& loop_process;  // processing records and queueing their outputs (and aborts)
  prometheus::Counter& loop_commit;   // sending offsets and committing transactions
  prometheus::Counter& loop_deliver;  // serving the producer's delivery reports

  // consumed{topic}, made once per topic rather than looked up per record.
  prometheus::Counter& Consumed(absl::string_view topic);
  // kafka_errors{class} for `status`'s class.
  void CountError(const absl::Status& status);

 private:
  absl::flat_hash_map<std::string, prometheus::Counter*> consumed_by_topic_;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_LOOP_METRICS_H_
