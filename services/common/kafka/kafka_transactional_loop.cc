#include "services/common/kafka/kafka_transactional_loop.h"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "services/common/app/log.h"
#include "services/common/core/status_macros.h"
#include "services/common/kafka/consumer_stats.h"
#include "services/common/kafka/kafka_log.h"

namespace referral {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int kTransactionTimeoutMs = kTransactionCallTimeoutMs;
constexpr int kCommittedTimeoutMs = 10000;
constexpr auto kMaxBackoff = std::chrono::milliseconds(5000);
constexpr int kStoppingAttempts = 3;  // retriable failures tolerated while draining on SIGTERM
constexpr int kIsolateAfterAborts = 3;  // aborts in a row before records go one per transaction
// Producers abandoned in a stuck call (KafkaSettings::stuck_call_limit) that may still be
// running it. One more is fatal: the process exits for its supervisor to restart it.
constexpr size_t kMaxAbandonedProducers = 3;
// While stopping, a call is abandoned this long after it began rather than at the stuck-call
// limit: a SIGTERM during a broker outage should not wait out the whole limit.
constexpr auto kStoppingCallLimit = std::chrono::milliseconds(kTransactionTimeoutMs + 2000);

// librdkafka's error object → our three classes (STYLE.md "Errors"). Takes ownership.
absl::Status FromError(RdKafka::Error* raw, absl::string_view what) {
  if (raw == nullptr) return absl::OkStatus();
  std::unique_ptr<RdKafka::Error> error(raw);
  const std::string text = absl::StrCat(what, ": ", error->name(), ": ", error->str());
  if (error->is_fatal()) return absl::InternalError(text);
  if (error->txn_requires_abort()) return absl::AbortedError(text);
  if (error->is_retriable()) return absl::UnavailableError(text);
  // Not retriable, not abortable: a state error of our own making; treat it as fatal.
  return absl::InternalError(text);
}

absl::string_view ClassOf(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable: return "retriable";
    case absl::StatusCode::kAborted: return "abortable";
    default: return "fatal";
  }
}

struct PartitionKey {
  std::string topic;
  int32_t partition;
  bool operator==(const PartitionKey&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const PartitionKey& k) {
    return H::combine(std::move(h), k.topic, k.partition);
  }
};

void FreePartitions(std::vector<RdKafka::TopicPartition*>& partitions) {
  RdKafka::TopicPartition::destroy(partitions);
  partitions.clear();
}

}  // namespace

class KafkaTransactionalLoop::Impl final : public RdKafka::RebalanceCb, public RdKafka::EventCb {
 public:
  Impl(const KafkaSettings& settings, std::vector<std::string> topics, RecordProcessor& processor,
       ServiceMetrics& metrics)
      : settings_(settings), topics_(std::move(topics)), processor_(processor), metrics_(metrics) {}

  // IMPORTANT: the clients call back into this object from their threads; destroy or detach
  // them before the members those callbacks use. (An abandoned producer no longer calls back
  // into this object at all.)
  ~Impl() override {
    consumer_.reset();
    if (producer_ != nullptr) producer_->Detach();  // a call's thread may hold it a moment longer
    producer_.reset();
  }

  absl::Status Init() {
    REFERRAL_ASSIGN_OR_RETURN(
        std::unique_ptr<RdKafka::Conf> consumer_conf,
        MakeConf(settings_,
                 {{"auto.offset.reset", "earliest"},
                  {"client.id", settings_.group_id},
                  // Bounded memory: at most this much prefetched input per instance.
                  {"queued.max.messages.kbytes", "8192"},
                  {"fetch.max.bytes", "8388608"},
                  // The broker answers a fetch as soon as there is data, but an open
                  // transaction's data only counts once committed, and the commit marker does
                  // not wake a waiting fetch: keep the wait short so each hop adds milliseconds,
                  // not the default half second.
                  {"fetch.wait.max.ms", "10"},
                  // For referral_consumer_lag_records (event_cb).
                  {"statistics.interval.ms", "1000"}},
                 {{"group.id", settings_.group_id},
                  {"enable.auto.commit", "false"},
                  {"enable.auto.offset.store", "false"},
                  {"isolation.level", "read_committed"},
                  {"enable.partition.eof", "false"},
                  {"partition.assignment.strategy", "cooperative-sticky"}}));
    std::string error;
    if (consumer_conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(this), error) !=
            RdKafka::Conf::CONF_OK ||
        consumer_conf->set("event_cb", static_cast<RdKafka::EventCb*>(this), error) !=
            RdKafka::Conf::CONF_OK) {
      return absl::InternalError(absl::StrCat("kafka consumer callbacks: ", error));
    }
    consumer_.reset(RdKafka::KafkaConsumer::create(consumer_conf.get(), error));
    if (!consumer_) return absl::InvalidArgumentError(absl::StrCat("kafka consumer: ", error));

    REFERRAL_ASSIGN_OR_RETURN(
        producer_conf_,
        MakeConf(settings_,
                 {{"linger.ms", "5"},
                  {"client.id", settings_.transactional_id},
                  // Bounded memory: produce() blocks (back-pressure) beyond this much queued.
                  {"queue.buffering.max.kbytes", "16384"},
                  // A transaction begun right after a commit is often refused with
                  // CONCURRENT_TRANSACTIONS until the markers are written; retry in 10 ms, not
                  // the default 100 ms that would add to every hop's latency.
                  {"retry.backoff.ms", "10"},
                  // The broker aborts (and fences us for) a transaction open longer than this: it
                  // must outlast a broker outage we ride out (the system test stops the broker for
                  // 20 s; with 30 s the transaction open across it was fenced). A dead instance's
                  // open transaction holds read_committed readers back at most this long, unless
                  // its restart aborts it first.
                  {"transaction.timeout.ms", "60000"}},
                 {{"transactional.id", settings_.transactional_id}, {"enable.idempotence", "true"}}));
    return NewProducer();
  }

  absl::Status Run(const std::atomic<bool>& stop) {
    stop_ = &stop;
    absl::Status status = InitTransactions();
    if (status.ok()) status = Subscribe();
    std::vector<OutRecord> outputs;
    while (status.ok() && !stop.load()) {
      std::unique_ptr<RdKafka::Message> message(consumer_->consume(PollTimeoutMs()));
      const bool input_drained = message->err() == RdKafka::ERR__TIMED_OUT;
      // First what the rebalance callback met inside consume(): after a failure there, the
      // message is left for the next owner.
      status = TakeCallbackStatus();
      if (status.ok()) status = Handle(*message, outputs);
      if (status.ok() && in_transaction_ && CommitDue(input_drained)) status = Commit();
      if (status.ok()) producer_->client->poll(0);
    }
    if (status.ok()) {
      status = Commit();  // drain: what was processed commits before we leave the group
    }
    if (!status.ok()) {
      Fail(status);
      if (in_transaction_ && producer_ != nullptr) {
        // Best effort: a fenced or fatal producer cannot abort; the broker aborts on timeout.
        ProducerCall("abort_transaction", [](RdKafka::Producer& producer) {
          return FromError(producer.abort_transaction(kTransactionTimeoutMs), "abort_transaction");
        }).IgnoreError();
        in_transaction_ = false;
        ResetTransaction();
      }
    }
    closing_ = true;  // the revocation close() triggers must not commit or rewind
    consumer_->close();
    if (status.ok()) status = TakeCallbackStatus();
    ready_producer_.store(false);
    log::Info("stopped", {{"ok", status.ok()}});
    return status;
  }

  std::string NotReadyReason() const {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!fatal_reason_.empty()) return absl::StrCat("fatal Kafka error: ", fatal_reason_);
    }
    if (!ready_producer_.load()) return "transactional producer not initialised";
    if (assigned_.load() == 0) return "no input partitions assigned";
    return "";
  }

  // RdKafka::RebalanceCb: cooperative incremental rebalancing. On revocation the open
  // transaction commits (or aborts when the partitions were lost to another member), so the
  // next owner starts exactly where this one's committed output ends.
  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode code,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    if (code == RdKafka::ERR__ASSIGN_PARTITIONS) {
      absl::Status assigned = FromError(consumer->incremental_assign(partitions), "incremental_assign");
      if (assigned.ok()) assigned_.fetch_add(static_cast<int>(partitions.size()));
      Note(std::move(assigned));
    } else if (code == RdKafka::ERR__REVOKE_PARTITIONS) {
      if (in_transaction_ && !closing_) {
        if (consumer->assignment_lost()) {
          Note(Abort("partitions lost", /*rewind=*/false));
        } else {
          Note(Commit());
        }
      }
      Note(FromError(consumer->incremental_unassign(partitions), "incremental_unassign"));
      assigned_.fetch_sub(static_cast<int>(partitions.size()));
    } else {
      log::Error("rebalance_failed", {{"error", RdKafka::err2str(code)}});
      Note(FromError(consumer->incremental_unassign(partitions), "incremental_unassign"));
      assigned_.store(0);
    }
    metrics_.assigned_partitions.Set(assigned_.load());
    UpdateReadyGauge();
    log::Info("rebalance", {{"change", code == RdKafka::ERR__ASSIGN_PARTITIONS ? "assigned" : "revoked"},
                            {"partitions", static_cast<int>(partitions.size())},
                            {"assigned_now", assigned_.load()}});
  }

  // RdKafka::EventCb: librdkafka's own logs and errors as JSON lines; a fatal error also stops
  // the loop. The consumer's statistics give referral_consumer_lag_records{topic}.
  void event_cb(RdKafka::Event& event) override {
    if (event.type() == RdKafka::Event::EVENT_STATS) {
      absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> lag = LagByTopic(event.str(), topics_);
      if (lag.ok()) {
        for (const auto& [topic, records] : *lag) {
          metrics_.consumer_lag.Add({{"topic", topic}}).Set(static_cast<double>(records));
        }
      } else if (lag.status().code() != absl::StatusCode::kNotFound) {  // kNotFound: a producer's
        log::Warn("kafka_statistics_unreadable", {{"error", std::string(lag.status().message())}});
      }
      return;
    }
    if (event.type() == RdKafka::Event::EVENT_ERROR && event.fatal()) {
      Note(absl::InternalError(
          absl::StrCat("fatal: ", RdKafka::err2str(event.err()), ": ", event.str())));
    }
    logger_.event_cb(event);
  }

 private:
  // One transactional producer and the event callback its librdkafka threads call. The thread
  // running a blocking call on it shares it, so a producer abandoned in a stuck call lives, with
  // its callback, until that call returns, which may be after the loop is gone.
  struct Producer final : public RdKafka::EventCb {
    explicit Producer(Impl& impl) : owner(&impl) {}

    void event_cb(RdKafka::Event& event) override {
      std::lock_guard<std::mutex> lock(mu);
      if (owner != nullptr) {
        owner->event_cb(event);
      } else {
        own_logger.event_cb(event);  // abandoned: its errors (fenced, at last) are not ours
      }
    }

    // From now on it calls back into nothing but itself.
    void Detach() {
      std::lock_guard<std::mutex> lock(mu);
      owner = nullptr;
    }

    std::mutex mu;
    Impl* owner;  // guarded by mu; null once abandoned or the loop is going away
    KafkaEventLogger own_logger;
    std::unique_ptr<RdKafka::Producer> client;  // declared last: destroyed before the callback
  };

  // Creates the transactional producer (not yet initialised). A current one is abandoned to the
  // thread still running its stuck call. kInternal when too many abandoned producers are still
  // stuck; kInvalidArgument when librdkafka refuses the configuration.
  absl::Status NewProducer() {
    if (producer_ != nullptr) {
      producer_->Detach();
      abandoned_.push_back(producer_);
      producer_.reset();
      ready_producer_.store(false);
      UpdateReadyGauge();
    }
    // An abandoned producer whose call has returned is released by that call's thread.
    std::erase_if(abandoned_, [](const std::weak_ptr<Producer>& weak) { return weak.expired(); });
    if (abandoned_.size() > kMaxAbandonedProducers) {
      return absl::InternalError(absl::StrCat(abandoned_.size(),
                                              " abandoned Kafka producers are still stuck"));
    }
    auto producer = std::make_shared<Producer>(*this);
    std::string error;
    if (producer_conf_->set("event_cb", static_cast<RdKafka::EventCb*>(producer.get()), error) !=
        RdKafka::Conf::CONF_OK) {
      return absl::InternalError(absl::StrCat("kafka producer callbacks: ", error));
    }
    // IMPORTANT: create() copies the configuration, so producer_conf_ may be changed again.
    producer->client.reset(RdKafka::Producer::create(producer_conf_.get(), error));
    if (!producer->client) return absl::InvalidArgumentError(absl::StrCat("kafka producer: ", error));
    producer_ = std::move(producer);
    return absl::OkStatus();
  }

  // Runs the blocking `call` on the current producer on a thread of its own and waits for it at
  // most settings_.stuck_call_limit (kStoppingCallLimit once stopping). kDeadlineExceeded: the
  // call is still running, its own timeout ignored (librdkafka issue 5456); the caller replaces
  // the producer. IMPORTANT: `call` must own everything it uses: an abandoned call outlives this
  // frame.
  template <typename F>
  absl::Status ProducerCall(absl::string_view what, F call) {
    auto result = std::make_shared<std::promise<absl::Status>>();
    std::future<absl::Status> done = result->get_future();
    std::thread([producer = producer_, result, call = std::move(call)]() mutable {
      result->set_value(call(*producer->client));
    }).detach();
    const auto started = SteadyClock::now();
    const auto limit = absl::ToChronoMilliseconds(settings_.stuck_call_limit);
    for (;;) {
      if (done.wait_for(std::chrono::milliseconds(100)) == std::future_status::ready) {
        return done.get();
      }
      const auto waited = SteadyClock::now() - started;
      if (waited >= limit || (Stopping() && waited >= kStoppingCallLimit)) {
        return absl::DeadlineExceededError(absl::StrCat(
            what, " still running after ",
            std::chrono::duration_cast<std::chrono::seconds>(waited).count(),
            " s, past its own timeout (librdkafka issue 5456)"));
      }
    }
  }

  // The current producer is stuck in a call: abandon it, start a new one with the same
  // transactional.id and initialise it. That fences the abandoned producer, and the broker
  // aborts its open transaction (or completes a commit it had begun), so, as after any abort,
  // the input rewinds to the committed offsets (with `rewind`) and nothing is lost or doubled.
  absl::Status ReplaceProducer(absl::string_view why, bool rewind) {
    log::Error("producer_replaced", {{"reason", std::string(why)}});
    metrics_.producers_replaced.Increment();
    in_transaction_ = false;  // the abandoned producer's, for the broker to end
    // Their dead letters were not refused, only caught in the stuck transaction.
    for (const auto& key : dead_lettered_in_transaction_) poison_[key].dead_lettered = false;
    ResetTransaction();
    REFERRAL_RETURN_IF_ERROR(NewProducer());
    REFERRAL_RETURN_IF_ERROR(InitTransactions());
    if (Stopping()) {
      // Not drained: the stuck transaction is the broker's to abort (the new producer's
      // init_transactions() did so if it succeeded), and the next owner reprocesses it.
      return absl::AbortedError("transaction abandoned in a stuck call while stopping");
    }
    return rewind ? Rewind() : absl::OkStatus();
  }

  absl::Status InitTransactions() {
    auto backoff = std::chrono::milliseconds(100);
    for (;;) {
      absl::Status status = ProducerCall("init_transactions", [](RdKafka::Producer& producer) {
        return FromError(producer.init_transactions(kTransactionTimeoutMs), "init_transactions");
      });
      if (status.ok()) break;
      if (status.code() == absl::StatusCode::kDeadlineExceeded) {
        // Fatal, not replaced: librdkafka would go on asking for a producer id in the
        // background, and an answer after the replacement's would fence the replacement.
        return absl::InternalError(status.message());
      }
      CountError(status);
      if (status.code() != absl::StatusCode::kUnavailable) return status;
      if (Stopping()) return absl::OkStatus();
      log::Warn("init_transactions_retry", {{"error", std::string(status.message())}});
      Backoff(backoff);
    }
    ready_producer_.store(true);
    UpdateReadyGauge();
    log::Info("transactions_initialised", {{"transactional_id", settings_.transactional_id}});
    return absl::OkStatus();
  }

  absl::Status Subscribe() {
    const RdKafka::ErrorCode code = consumer_->subscribe(topics_);
    if (code != RdKafka::ERR_NO_ERROR) {
      return absl::InternalError(absl::StrCat("subscribe: ", RdKafka::err2str(code)));
    }
    log::Info("subscribed", {{"topics", topics_}, {"group_id", settings_.group_id}});
    return absl::OkStatus();
  }

  // While a transaction is open, poll no longer than the commit deadline; once the transaction
  // is commit_idle old, only take what is already waiting (poll without blocking).
  int PollTimeoutMs() const {
    if (!in_transaction_) return 100;
    const auto now = SteadyClock::now();
    if (now - transaction_started_ >= absl::ToChronoMilliseconds(settings_.commit_idle)) return 0;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(CommitDeadline() - now);
    return static_cast<int>(std::clamp<int64_t>(left.count(), 0, 100));
  }

  SteadyClock::time_point CommitDeadline() const {
    return transaction_started_ + absl::ToChronoMilliseconds(settings_.commit_interval);
  }

  // Commit after N records, after T ms, or once the transaction is commit_idle old and no more
  // input is waiting: large batches under load (the fetch queue never runs dry), low latency
  // when the stream is light.
  bool CommitDue(bool input_drained) const {
    const auto now = SteadyClock::now();
    if (Isolating()) return true;  // one record per transaction until a commit succeeds
    return records_in_transaction_ >= settings_.commit_every_records || now >= CommitDeadline() ||
           (input_drained &&
            now - transaction_started_ >= absl::ToChronoMilliseconds(settings_.commit_idle));
  }

  absl::Status Handle(RdKafka::Message& message, std::vector<OutRecord>& outputs) {
    switch (message.err()) {
      case RdKafka::ERR_NO_ERROR:
        break;
      case RdKafka::ERR__TIMED_OUT:
      case RdKafka::ERR__PARTITION_EOF:
        return absl::OkStatus();
      case RdKafka::ERR__FATAL:
        return absl::InternalError(absl::StrCat("consumer: ", message.errstr()));
      default:
        // Transport and metadata errors: librdkafka retries them itself.
        metrics_.kafka_errors.Add({{"class", "retriable"}}).Increment();
        log::Warn("consume_error", {{"error", RdKafka::err2str(message.err())},
                                    {"detail", message.errstr()}});
        return absl::OkStatus();
    }
    const auto started = SteadyClock::now();
    if (!in_transaction_) {
      REFERRAL_RETURN_IF_ERROR(FromError(producer_->client->begin_transaction(), "begin_transaction"));
      in_transaction_ = true;
      transaction_started_ = started;
    }
    // IMPORTANT: topic_name() returns a temporary; InRecord only views the copy kept here.
    const PartitionKey partition{message.topic_name(), message.partition()};
    InRecord in;
    in.topic = partition.topic;
    in.partition = message.partition();
    in.offset = message.offset();
    if (message.key_pointer() != nullptr) {
      in.key = absl::string_view(static_cast<const char*>(message.key_pointer()), message.key_len());
    }
    if (message.payload() != nullptr) {
      in.value = absl::string_view(static_cast<const char*>(message.payload()), message.len());
    }
    if (const RdKafka::Headers* headers = message.headers(); headers != nullptr) {
      for (const RdKafka::Headers::Header& header : headers->get_all()) {
        in.headers.push_back({header.key(), header.value() == nullptr
                                                ? std::string()
                                                : std::string(header.value_string(), header.value_size())});
      }
    }
    ConsumedCounter(in.topic).Increment();

    outputs.clear();
    if (auto poisoned = poison_.find(std::make_pair(partition, in.offset));
        poisoned != poison_.end() && poisoned->second.confirmed()) {
      OutRecord letter = processor_.DeadLetter(in, "produce_failed", poisoned->second.reason);
      if (poisoned->second.dead_lettered) {
        // Its dead letter was refused too (it carries the whole record): send the headers alone.
        letter.value.clear();
        letter.headers.push_back({"dlq_value_dropped", "true"});
      }
      poisoned->second.dead_lettered = true;
      dead_lettered_in_transaction_.push_back(poisoned->first);
      outputs.push_back(std::move(letter));
    } else {
      processor_.Process(in, outputs);
    }
    for (const OutRecord& out : outputs) {
      absl::Status status = Produce(out);
      if (status.code() == absl::StatusCode::kFailedPrecondition) {
        // This record's output can never be produced: abort, rewind, and dead-letter it next time.
        log::Warn("output_unproducible", {{"topic", partition.topic}, {"partition", in.partition},
                                          {"offset", in.offset}, {"error", std::string(status.message())}});
        PoisonEntry& entry = poison_[std::make_pair(partition, in.offset)];
        entry.reason = std::string(status.message());
        entry.refused_at_once = true;
        return Abort("unproducible output", /*rewind=*/true);
      }
      if (status.code() == absl::StatusCode::kAborted) return Abort(status.message(), true);
      REFERRAL_RETURN_IF_ERROR(status);
      ++pending_produced_[out.topic];
    }
    next_offsets_[partition] = in.offset + 1;
    last_record_ = std::make_pair(partition, in.offset);
    ++records_in_transaction_;
    metrics_.processing_seconds.Observe(
        std::chrono::duration<double>(SteadyClock::now() - started).count());
    return absl::OkStatus();
  }

  absl::Status Produce(const OutRecord& out) {
    RdKafka::Headers* headers = RdKafka::Headers::create();
    for (const Header& header : out.headers) headers->add(header.name, header.value);
    for (;;) {
      const RdKafka::ErrorCode code = producer_->client->produce(
          out.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
          const_cast<char*>(out.value.data()), out.value.size(), out.key.data(), out.key.size(),
          /*timestamp=*/0, headers, /*msg_opaque=*/nullptr);
      if (code == RdKafka::ERR_NO_ERROR) return absl::OkStatus();  // librdkafka owns headers now
      if (code == RdKafka::ERR__QUEUE_FULL) {
        producer_->client->poll(50);  // back-pressure: wait for deliveries, bounded memory
        continue;
      }
      delete headers;
      const std::string text = absl::StrCat("produce to ", out.topic, ": ", RdKafka::err2str(code));
      switch (code) {
        case RdKafka::ERR_MSG_SIZE_TOO_LARGE:
        case RdKafka::ERR__MSG_TIMED_OUT:
        case RdKafka::ERR__INVALID_ARG:
        case RdKafka::ERR_INVALID_RECORD:
          return absl::FailedPreconditionError(text);
        case RdKafka::ERR__STATE:
          return absl::AbortedError(text);
        default:
          return absl::InternalError(text);
      }
    }
  }

  // Commits the open transaction with the offsets after every record it holds. Retriable errors
  // back off and retry; abortable ones abort and rewind (OK is returned: nothing was lost).
  absl::Status Commit() {
    if (!in_transaction_) return absl::OkStatus();
    const auto started = SteadyClock::now();
    std::vector<std::tuple<std::string, int32_t, int64_t>> offsets;
    for (const auto& [partition, next] : next_offsets_) {
      offsets.emplace_back(partition.topic, partition.partition, next);
    }
    absl::Status status = Retrying("send_offsets_to_transaction", [&] {
      std::shared_ptr<RdKafka::ConsumerGroupMetadata> group(consumer_->groupMetadata());
      return ProducerCall("send_offsets_to_transaction",
                          [offsets, group](RdKafka::Producer& producer) {
                            std::vector<RdKafka::TopicPartition*> list;
                            for (const auto& [topic, partition, next] : offsets) {
                              list.push_back(RdKafka::TopicPartition::create(topic, partition, next));
                            }
                            absl::Status sent = FromError(
                                producer.send_offsets_to_transaction(list, group.get(),
                                                                     kTransactionTimeoutMs),
                                "send_offsets_to_transaction");
                            FreePartitions(list);
                            return sent;
                          });
    });
    if (status.ok()) {
      status = Retrying("commit_transaction", [&] {
        return ProducerCall("commit_transaction", [](RdKafka::Producer& producer) {
          return FromError(producer.commit_transaction(kTransactionTimeoutMs), "commit_transaction");
        });
      });
    }
    if (status.code() == absl::StatusCode::kDeadlineExceeded) {
      return ReplaceProducer(status.message(), /*rewind=*/true);
    }
    if (status.code() == absl::StatusCode::kAborted) return Abort(status.message(), true);
    if (!status.ok()) return status;
    in_transaction_ = false;
    consecutive_aborts_ = 0;
    for (const auto& key : dead_lettered_in_transaction_) poison_.erase(key);  // now committed
    metrics_.committed.Increment();
    for (const auto& [topic, count] : pending_produced_) {
      metrics_.produced.Add({{"topic", topic}}).Increment(count);
    }
    ResetTransaction();
    metrics_.commit_seconds.Observe(std::chrono::duration<double>(SteadyClock::now() - started).count());
    return absl::OkStatus();
  }

  // Aborts the open transaction and, with `rewind`, seeks every assigned partition back to its
  // committed offset so the aborted records are processed again.
  absl::Status Abort(absl::string_view why, bool rewind) {
    log::Warn("transaction_abort", {{"reason", std::string(why)}});
    absl::Status status = Retrying("abort_transaction", [&] {
      return ProducerCall("abort_transaction", [](RdKafka::Producer& producer) {
        return FromError(producer.abort_transaction(kTransactionTimeoutMs), "abort_transaction");
      });
    });
    if (status.code() == absl::StatusCode::kDeadlineExceeded) return ReplaceProducer(status.message(), rewind);
    if (!status.ok()) return status;
    // A broker that refuses a transaction (a record too large for the topic, say) would refuse
    // it again after the rewind. After kIsolateAfterAborts aborts in a row, records go one per
    // transaction; one whose transaction fails twice on its own is dead-lettered when it comes
    // round again (twice, so that one transient refusal does not dead-letter a good record).
    if (Isolating() && records_in_transaction_ == 1 && last_record_) {
      PoisonEntry& entry = poison_[*last_record_];
      if (entry.reason.empty()) entry.reason = std::string(why);
      ++entry.failures_alone;
      log::Warn("record_isolated", {{"topic", last_record_->first.topic},
                                    {"partition", last_record_->first.partition},
                                    {"offset", last_record_->second},
                                    {"failures_alone", entry.failures_alone}});
    }
    ++consecutive_aborts_;
    in_transaction_ = false;
    metrics_.aborted.Increment();
    ResetTransaction();
    // While stopping there is nothing to go on with: the next owner starts from the committed
    // offsets anyway, and a broker that is down would keep the rewind waiting.
    return rewind && !Stopping() ? Rewind() : absl::OkStatus();
  }

  absl::Status Rewind() {
    std::vector<RdKafka::TopicPartition*> partitions;
    RdKafka::ErrorCode code = consumer_->assignment(partitions);
    if (code != RdKafka::ERR_NO_ERROR) {
      return absl::InternalError(absl::StrCat("assignment: ", RdKafka::err2str(code)));
    }
    // The committed offsets, every partition's without error: an errored entry's offset is not
    // "nothing committed", and reading from the beginning would duplicate committed output.
    absl::Status fetched = Retrying("committed", [&] {
      code = consumer_->committed(partitions, kCommittedTimeoutMs);
      if (code == RdKafka::ERR_NO_ERROR) {
        for (const RdKafka::TopicPartition* partition : partitions) {
          if (partition->err() != RdKafka::ERR_NO_ERROR) code = partition->err();
        }
      }
      return code == RdKafka::ERR_NO_ERROR
                 ? absl::OkStatus()
                 : absl::UnavailableError(absl::StrCat("committed: ", RdKafka::err2str(code)));
    });
    if (!fetched.ok()) {
      FreePartitions(partitions);
      return fetched;
    }
    for (RdKafka::TopicPartition* partition : partitions) {
      if (partition->offset() < 0) partition->set_offset(RdKafka::Topic::OFFSET_BEGINNING);
      code = consumer_->seek(*partition, kCommittedTimeoutMs);
      if (code != RdKafka::ERR_NO_ERROR) {
        FreePartitions(partitions);
        return absl::InternalError(absl::StrCat("seek: ", RdKafka::err2str(code)));
      }
    }
    log::Info("rewound", {{"partitions", static_cast<int>(partitions.size())}});
    FreePartitions(partitions);
    return absl::OkStatus();
  }

  // Calls `attempt` until it is not retriable; backs off between tries. While stopping, gives up
  // after a few tries and reports kAborted, so SIGTERM during a broker outage still exits.
  template <typename F>
  absl::Status Retrying(absl::string_view what, F attempt) {
    auto backoff = std::chrono::milliseconds(100);
    for (int tries = 1;; ++tries) {
      absl::Status status = attempt();
      if (status.ok() || status.code() == absl::StatusCode::kDeadlineExceeded) return status;
      CountError(status);
      if (status.code() != absl::StatusCode::kUnavailable) return status;
      if (Stopping() && tries >= kStoppingAttempts) {
        return absl::AbortedError(absl::StrCat(what, ": giving up while stopping"));
      }
      log::Warn("kafka_retry", {{"call", std::string(what)}, {"error", std::string(status.message())}});
      Backoff(backoff);
    }
  }

  void Backoff(std::chrono::milliseconds& backoff) {
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kMaxBackoff));
  }

  void CountError(const absl::Status& status) {
    metrics_.kafka_errors.Add({{"class", std::string(ClassOf(status))}}).Increment();
  }

  // referral_records_consumed_total{topic}, looked up once per topic rather than per record.
  prometheus::Counter& ConsumedCounter(absl::string_view topic) {
    auto it = consumed_by_topic_.find(topic);
    if (it == consumed_by_topic_.end()) {
      it = consumed_by_topic_
               .emplace(std::string(topic), &metrics_.consumed.Add({{"topic", std::string(topic)}}))
               .first;
    }
    return *it->second;
  }

  bool Isolating() const { return consecutive_aborts_ >= kIsolateAfterAborts; }

  // SIGTERM has come (Run() sets stop_ before anything else runs).
  bool Stopping() const { return stop_ != nullptr && stop_->load(); }

  void ResetTransaction() {
    records_in_transaction_ = 0;
    last_record_.reset();
    dead_lettered_in_transaction_.clear();
    next_offsets_.clear();
    pending_produced_.clear();
  }

  // Keeps the first fatal error a callback meets; the loop picks it up after consume() returns.
  void Note(absl::Status status) {
    if (status.ok()) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (callback_status_.ok()) callback_status_ = std::move(status);
  }

  absl::Status TakeCallbackStatus() {
    std::lock_guard<std::mutex> lock(mu_);
    absl::Status status = std::move(callback_status_);
    callback_status_ = absl::OkStatus();
    return status;
  }

  void Fail(const absl::Status& status) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      fatal_reason_ = std::string(status.message());
    }
    UpdateReadyGauge();
    log::Error("fatal", {{"error", std::string(status.message())}});
  }

  void UpdateReadyGauge() { metrics_.ready.Set(NotReadyReason().empty() ? 1 : 0); }

  const KafkaSettings settings_;
  const std::vector<std::string> topics_;
  RecordProcessor& processor_;
  ServiceMetrics& metrics_;
  const std::atomic<bool>* stop_ = nullptr;
  KafkaEventLogger logger_;

  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::unique_ptr<RdKafka::Conf> producer_conf_;
  std::shared_ptr<Producer> producer_;
  std::vector<std::weak_ptr<Producer>> abandoned_;  // stuck in a call on their own thread

  bool in_transaction_ = false;
  uint32_t records_in_transaction_ = 0;
  SteadyClock::time_point transaction_started_;
  absl::flat_hash_map<PartitionKey, int64_t> next_offsets_;
  absl::flat_hash_map<std::string, int64_t> pending_produced_;
  absl::flat_hash_map<std::string, prometheus::Counter*> consumed_by_topic_;
  struct PoisonEntry {
    std::string reason;
    bool refused_at_once = false;  // produce() refused its output for good
    int failures_alone = 0;        // transactions holding only this record that were refused
    bool dead_lettered = false;    // its dead letter was tried once already
    bool confirmed() const { return refused_at_once || failures_alone >= 2; }
  };
  absl::flat_hash_map<std::pair<PartitionKey, int64_t>, PoisonEntry> poison_;
  std::optional<std::pair<PartitionKey, int64_t>> last_record_;  // the newest in the transaction
  std::vector<std::pair<PartitionKey, int64_t>> dead_lettered_in_transaction_;
  int consecutive_aborts_ = 0;
  bool closing_ = false;

  std::atomic<bool> ready_producer_{false};
  std::atomic<int> assigned_{0};
  mutable std::mutex mu_;
  std::string fatal_reason_;        // guarded by mu_
  absl::Status callback_status_;    // guarded by mu_
};

absl::StatusOr<std::unique_ptr<KafkaTransactionalLoop>> KafkaTransactionalLoop::Create(
    const KafkaSettings& settings, std::vector<std::string> input_topics,
    RecordProcessor& processor, ServiceMetrics& metrics) {
  auto impl = std::make_unique<Impl>(settings, std::move(input_topics), processor, metrics);
  REFERRAL_RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<KafkaTransactionalLoop>(new KafkaTransactionalLoop(std::move(impl)));
}

KafkaTransactionalLoop::KafkaTransactionalLoop(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KafkaTransactionalLoop::~KafkaTransactionalLoop() = default;

absl::Status KafkaTransactionalLoop::Run(const std::atomic<bool>& stop) { return impl_->Run(stop); }

std::string KafkaTransactionalLoop::NotReadyReason() const { return impl_->NotReadyReason(); }

}  // namespace referral
