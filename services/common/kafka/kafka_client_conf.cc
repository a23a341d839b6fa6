#include "services/common/kafka/kafka_client_conf.h"

#include <librdkafka/rdkafkacpp.h>

namespace referral {
namespace {

// The broker answers a fetch as soon as there is data, but an open transaction's data only
// counts once committed, and the commit marker does not wake a waiting fetch: keep the wait
// short so each hop adds milliseconds, not the default half second.
constexpr const char* kFetchWaitMaxMs = "10";

// How every consumer here fetches, on top of `buffers`.
Properties FetchDefaults(Properties buffers) {
  buffers.emplace_back("fetch.wait.max.ms", kFetchWaitMaxMs);
  // A partition whose prefetched records pass the buffer limits (librdkafka's defaults, or
  // those in `buffers`) is not fetched again for a second: fetch.queue.backoff.ms from
  // librdkafka 2.2, fixed before (librdkafka issue 2879). Under a backlog the buffers last a few
  // hundred milliseconds, so the loop waited in poll for the rest: 45% of a drain
  // (tests/benchmarks/README.md, "The fetch backoff"). Checking again every 10 ms keeps them
  // filled; while the buffer is not full the setting does nothing. Debian's 2.0.2 cannot be
  // told: it waits the second.
  if (RdKafka::version() >= 0x020200ff) buffers.emplace_back("fetch.queue.backoff.ms", "10");
  return buffers;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> LoopConsumerConf(const KafkaSettings& settings) {
  return MakeConf(settings,
                  FetchDefaults({{"auto.offset.reset", "earliest"},
                                 {"client.id", settings.group_id},
                                 // Bounded memory: at most about this much prefetched input
                                 // per instance, plus one fetch. 4 MiB holds a few hundred ms
                                 // of a drain, refilled every 10 ms (FetchDefaults); with 8
                                 // the router peaked at 64-70 MiB and drained no faster.
                                 {"queued.max.messages.kbytes", "4096"},
                                 {"fetch.max.bytes", "4194304"},
                                 // For referral_consumer_lag_records.
                                 {"statistics.interval.ms", "1000"}}),
                  {{"group.id", settings.group_id},
                   {"enable.auto.commit", "false"},
                   {"enable.auto.offset.store", "false"},
                   {"isolation.level", "read_committed"},
                   {"enable.partition.eof", "false"},
                   {"partition.assignment.strategy", "cooperative-sticky"}});
}

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> TransactionalProducerConf(
    const KafkaSettings& settings) {
  Properties defaults = {
                   // The largest record any output topic takes (ApplyTopicLimits); the loop
                   // checks each output against its own topic's limit before producing it.
                   {"message.max.bytes", std::to_string(settings.producer_message_max_bytes)},
                   {"linger.ms", "5"},
                   {"client.id", settings.transactional_id},
                   // Bounded memory: produce() blocks (back-pressure) beyond this much queued.
                   {"queue.buffering.max.kbytes", "16384"},
                   // A transaction begun right after a commit is often refused with
                   // CONCURRENT_TRANSACTIONS until the markers are written; retry in 10 ms, not
                   // the default 100 ms that would add to every hop's latency.
                   {"retry.backoff.ms", "10"},
                   // The broker aborts (and fences us for) a transaction open longer than this:
                   // it must outlast a broker outage we ride out (the system test stops the
                   // broker for 20 s; with 30 s the transaction open across it was fenced). A
                   // dead instance's open transaction holds read_committed readers back at most
                   // this long, unless its restart aborts it first.
                   {"transaction.timeout.ms", "60000"}};
  if (settings.producer_message_max_bytes <= 0) defaults.erase(defaults.begin());
  return MakeConf(settings, defaults,
                  {{"transactional.id", settings.transactional_id},
                   {"enable.idempotence", "true"}});
}

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> IdempotentProducerConf(
    const KafkaSettings& settings) {
  return MakeConf(settings, {{"linger.ms", "5"}, {"queue.buffering.max.kbytes", "16384"}},
                  {{"enable.idempotence", "true"}, {"acks", "all"}});
}

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> ReaderConf(const KafkaSettings& settings) {
  return MakeConf(settings, FetchDefaults({}),
                  // A group id is required by the consumer API; with assign() and no commits it
                  // never joins the group or stores offsets.
                  {{"group.id", settings.group_id.empty() ? "referral-reader" : settings.group_id},
                   {"enable.auto.commit", "false"},
                   {"enable.auto.offset.store", "false"},
                   {"isolation.level", "read_committed"}});
}

// Small fetch buffers: a record larger than these is still fetched whole (KIP-74), alone.
const Properties kLeanBuffers = {{"queued.max.messages.kbytes", "512"},
                                 {"fetch.max.bytes", "1048576"},  // >= message.max.bytes
                                 {"max.partition.fetch.bytes", "262144"},
                                 {"receive.message.max.bytes", "2097152"}};

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> LeanReaderConf(const KafkaSettings& settings) {
  return MakeConf(settings, FetchDefaults(kLeanBuffers),
                  {{"group.id", settings.group_id.empty() ? "referral-reader" : settings.group_id},
                   {"enable.auto.commit", "false"},
                   {"enable.auto.offset.store", "false"},
                   // An offset below the oldest record (retention moved on) starts at the oldest.
                   {"auto.offset.reset", "earliest"},
                   {"isolation.level", "read_committed"}});
}

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> SubscriptionConsumerConf(
    const KafkaSettings& settings, const std::string& group_id) {
  return MakeConf(settings, FetchDefaults(kLeanBuffers),
                  {{"group.id", group_id},
                   {"partition.assignment.strategy", "range"},
                   {"enable.auto.commit", "false"},
                   {"enable.auto.offset.store", "false"},
                   {"auto.offset.reset", "earliest"},
                   {"isolation.level", "read_committed"}});
}

absl::Status CheckLoopClientConfs(const KafkaSettings& settings) {
  if (auto consumer = LoopConsumerConf(settings); !consumer.ok()) return consumer.status();
  return TransactionalProducerConf(settings).status();
}

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> AdminConf(const KafkaSettings& settings) {
  return MakeConf(settings, {}, {});
}

}  // namespace referral
