#include "services/common/app/service_metrics.h"

#include <utility>

namespace referral {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

prometheus::Histogram::BucketBoundaries SecondsBuckets() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
          0.5, 1, 2.5, 5, 10};
}

}  // namespace

ServiceMetrics::ServiceMetrics(std::shared_ptr<prometheus::Registry> reg, absl::string_view service,
                               absl::string_view version)
    : registry(std::move(reg)),
      consumed(BuildCounter()
                   .Name("referral_records_consumed_total")
                   .Help("Records consumed, by topic (reprocessing after an abort counts again)")
                   .Register(*registry)),
      produced(BuildCounter()
                   .Name("referral_records_produced_total")
                   .Help("Records produced in committed transactions, by topic")
                   .Register(*registry)),
      committed(BuildCounter()
                    .Name("referral_transactions_total")
                    .Help("Kafka transactions, by outcome")
                    .Register(*registry)
                    .Add({{"outcome", "committed"}})),
      aborted(BuildCounter()
                  .Name("referral_transactions_total")
                  .Help("Kafka transactions, by outcome")
                  .Register(*registry)
                  .Add({{"outcome", "aborted"}})),
      kafka_errors(BuildCounter()
                       .Name("referral_kafka_errors_total")
                       .Help("Kafka client errors, by class (retriable, abortable, fatal)")
                       .Register(*registry)),
      producers_replaced(BuildCounter()
                             .Name("referral_kafka_producers_replaced_total")
                             .Help("Transactional producers abandoned in a call stuck past its "
                                   "timeout and replaced by a new one")
                             .Register(*registry)
                             .Add({})),
      commit_seconds(BuildHistogram()
                         .Name("referral_transaction_commit_seconds")
                         .Help("Time to send offsets and commit one transaction")
                         .Register(*registry)
                         .Add({}, SecondsBuckets())),
      processing_seconds(BuildHistogram()
                             .Name("referral_record_processing_seconds")
                             .Help("Time to decode, process and hand one record to the producer")
                             .Register(*registry)
                             .Add({}, SecondsBuckets())),
      assigned_partitions(BuildGauge()
                              .Name("referral_assigned_partitions")
                              .Help("Input partitions assigned to this instance")
                              .Register(*registry)
                              .Add({})),
      consumer_lag(BuildGauge()
                       .Name("referral_consumer_lag_records")
                       .Help("Committed input records not yet consumed by this instance, summed "
                             "over its assigned partitions of the topic: last stable offset minus "
                             "position, from librdkafka's statistics every second")
                       .Register(*registry)),
      ready(BuildGauge()
                .Name("referral_ready")
                .Help("1 while the service is ready (partitions assigned, producer initialised)")
                .Register(*registry)
                .Add({})) {
  BuildGauge()
      .Name("referral_build_info")
      .Help("Build of this service; always 1")
      .Register(*registry)
      .Add({{"service", std::string(service)}, {"version", std::string(version)}})
      .Set(1);
}

}  // namespace referral
