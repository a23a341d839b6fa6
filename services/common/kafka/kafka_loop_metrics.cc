#include "services/common/kafka/kafka_loop_metrics.h"

#include "services/common/kafka/kafka_status.h"

namespace referral {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

prometheus::Histogram::BucketBoundaries SecondsBuckets() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
          0.5, 1, 2.5, 5, 10};
}

prometheus::Family<prometheus::Counter>& LoopSeconds(prometheus::Registry& registry) {
  return BuildCounter()
      .Name("referral_loop_seconds_total")
      .Help("Wall time of the consume-process-commit loop, by phase: poll (waiting for input), "
            "process, commit, deliver (delivery reports); their rates sum to about 1")
      .Register(registry);
}

prometheus::Family<prometheus::Counter>& Transactions(prometheus::Registry& registry) {
  return BuildCounter()
      .Name("referral_transactions_total")
      .Help("Kafka transactions, by outcome")
      .Register(registry);
}

}  // namespace

KafkaLoopMetrics::KafkaLoopMetrics(prometheus::Registry& registry)
    : consumed(BuildCounter()
                   .Name("referral_records_consumed_total")
                   .Help("Records consumed, by topic (reprocessing after an abort counts again)")
                   .Register(registry)),
      committed_records(BuildCounter()
                            .Name("referral_records_committed_total")
                            .Help("Input records whose transaction committed, by topic: each "
                                  "record once, however often it was processed")
                            .Register(registry)),
      produced(BuildCounter()
                   .Name("referral_records_produced_total")
                   .Help("Records produced in committed transactions, by topic")
                   .Register(registry)),
      committed(Transactions(registry).Add({{"outcome", "committed"}})),
      aborted(Transactions(registry).Add({{"outcome", "aborted"}})),
      kafka_errors(BuildCounter()
                       .Name("referral_kafka_errors_total")
                       .Help("Kafka client errors, by class (retriable, abortable, fatal)")
                       .Register(registry)),
      producers_replaced(BuildCounter()
                             .Name("referral_kafka_producers_replaced_total")
                             .Help("Transactional producers abandoned in a call stuck past its "
                                   "timeout and replaced by a new one")
                             .Register(registry)
                             .Add({})),
      commit_seconds(BuildHistogram()
                         .Name("referral_transaction_commit_seconds")
                         .Help("Time to send offsets and commit one transaction")
                         .Register(registry)
                         .Add({}, SecondsBuckets())),
      processing_seconds(BuildHistogram()
                             .Name("referral_record_processing_seconds")
                             .Help("Time to decode, process and hand one record to the producer")
                             .Register(registry)
                             .Add({}, SecondsBuckets())),
      assigned_partitions(BuildGauge()
                              .Name("referral_assigned_partitions")
                              .Help("Input partitions assigned to this instance")
                              .Register(registry)
                              .Add({})),
      consumer_lag(BuildGauge()
                       .Name("referral_consumer_lag_records")
                       .Help("Committed input records not yet consumed by this instance, summed "
                             "over its assigned partitions of the topic: last stable offset minus "
                             "position, from librdkafka's statistics every second")
                       .Register(registry)),
      stalled_partitions(BuildGauge()
                             .Name("referral_stalled_partitions")
                             .Help("Input partitions whose consumed input has waited longer than "
                                   "kafka.stall_limit_ms to commit (the instance is not ready)")
                             .Register(registry)
                             .Add({})),
      oldest_uncommitted(BuildGauge()
                             .Name("referral_oldest_uncommitted_input_seconds")
                             .Help("How long the oldest consumed but uncommitted input record "
                                   "has waited; 0 when none waits")
                             .Register(registry)
                             .Add({})),
      skipped(BuildCounter()
                  .Name("referral_records_skipped_total")
                  .Help("Input records that could be neither processed nor dead-lettered, even "
                        "cut down to their coordinates, and were skipped so that their "
                        "partition moves on: each one needs an operator")
                  .Register(registry)),
      loop_poll(LoopSeconds(registry).Add({{"phase", "poll"}})),
      loop_process(LoopSeconds(registry).Add({{"phase", "process"}})),
      loop_commit(LoopSeconds(registry).Add({{"phase", "commit"}})),
      loop_deliver(LoopSeconds(registry).Add({{"phase", "deliver"}})) {
  // Every class at zero from the start: increase() ignores a series' first sample, so a first
  // error would otherwise never show in a rate or an alert.
  for (const char* kind : {"retriable", "abortable", "fatal"}) kafka_errors.Add({{"class", kind}});
}

prometheus::Counter& KafkaLoopMetrics::Consumed(absl::string_view topic) {
  auto it = consumed_by_topic_.find(topic);
  if (it == consumed_by_topic_.end()) {
    it = consumed_by_topic_
             .emplace(std::string(topic), &consumed.Add({{"topic", std::string(topic)}}))
             .first;
  }
  return *it->second;
}

void KafkaLoopMetrics::CountError(const absl::Status& status) {
  kafka_errors.Add({{"class", std::string(ErrorClassName(status))}}).Increment();
}

}  // namespace referral
