#include "services/common/kafka/kafka_transactional_loop.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/core/status_macros.h"
#include "services/common/kafka/consumer_stats.h"
#include "services/common/kafka/rdkafka_clients.h"
#include "services/common/messaging/dead_letter.h"
#include "services/common/observe/log.h"

namespace referral {
namespace {

// A record's size as the broker counts it against max.message.bytes, near enough: key, value
// and each header's name and value (RecordLimitOf() leaves room for the framing).
int64_t RecordSize(const OutRecord& out) {
  int64_t size = static_cast<int64_t>(out.key.size() + out.value.size());
  for (const Header& header : out.headers) {
    size += static_cast<int64_t>(header.name.size() + header.value.size());
  }
  return size;
}

// The dead-letter form of each step past kProcess.
DeadLetterForm FormOf(PoisonStep step) {
  switch (step) {
    case PoisonStep::kDeadLetterWithoutValue: return DeadLetterForm::kWithoutValue;
    case PoisonStep::kDeadLetterCoordinatesOnly: return DeadLetterForm::kCoordinatesOnly;
    default: return DeadLetterForm::kWhole;
  }
}

// Wall time per phase of the loop, added up in plain numbers and handed to the counters at each
// commit: no atomic operation per record.
class LoopTimer {
 public:
  LoopTimer(const Clock& clock, KafkaLoopMetrics& metrics)
      : clock_(clock), metrics_(metrics), last_(clock.Now()) {}
  ~LoopTimer() { Publish(); }

  // Adds the time since the last lap to `phase`.
  void Lap(absl::Duration& phase) {
    const absl::Time now = clock_.Now();
    phase += now - last_;
    last_ = now;
  }

  void Publish() {
    Move(poll, metrics_.loop_poll);
    Move(process, metrics_.loop_process);
    Move(commit, metrics_.loop_commit);
    Move(deliver, metrics_.loop_deliver);
  }

  absl::Duration poll, process, commit, deliver;

 private:
  static void Move(absl::Duration& phase, prometheus::Counter& counter) {
    counter.Increment(absl::ToDoubleSeconds(phase));
    phase = absl::ZeroDuration();
  }

  const Clock& clock_;
  KafkaLoopMetrics& metrics_;
  absl::Time last_;
};

// What the loop needs from a service's settings.
KafkaTransactionalLoop::Options OptionsFrom(const KafkaSettings& settings) {
  KafkaTransactionalLoop::Options options;
  options.batch = {settings.commit_every_records, settings.commit_interval, settings.commit_idle};
  options.producer.call_timeout = absl::Milliseconds(kTransactionCallTimeoutMs);
  options.producer.stuck_call_limit = settings.stuck_call_limit;
  // While stopping, a call is abandoned this long after it began rather than at the stuck-call
  // limit: a SIGTERM during a broker outage should not wait out the whole limit.
  options.producer.stopping_call_limit = options.producer.call_timeout + absl::Seconds(2);
  options.stall_limit = settings.stall_limit;
  options.topic_record_limits = settings.topic_record_limits;
  return options;
}

// The system clock and threads of every service's loop.
struct SystemParts {
  SystemClock clock;
  ThreadCallRunner runner{clock};
};

SystemParts& System() {
  static SystemParts* parts = new SystemParts();
  return *parts;
}

}  // namespace

absl::StatusOr<std::unique_ptr<KafkaTransactionalLoop>> KafkaTransactionalLoop::Create(
    const KafkaSettings& settings, std::vector<std::string> input_topics,
    RecordProcessor& processor, KafkaLoopMetrics& metrics, const std::atomic<bool>& stop) {
  return CreateWith(
      OptionsFrom(settings), std::move(input_topics), processor, metrics, stop, System().clock,
      System().runner,
      [&settings](ConsumerListener& listener) { return NewRdKafkaInputConsumer(settings, listener); },
      [settings](ConsumerListener* events) { return NewRdKafkaTransactionalClient(settings, events); });
}

absl::StatusOr<std::unique_ptr<KafkaTransactionalLoop>> KafkaTransactionalLoop::CreateWith(
    Options options, std::vector<std::string> input_topics, RecordProcessor& processor,
    KafkaLoopMetrics& metrics, const std::atomic<bool>& stop, const Clock& clock,
    BlockingCallRunner& runner, const ConsumerFactory& consumer, ProducerFactory producer) {
  std::unique_ptr<KafkaTransactionalLoop> loop(new KafkaTransactionalLoop(
      options, std::move(input_topics), processor, metrics, stop, clock, runner,
      std::move(producer)));
  REFERRAL_ASSIGN_OR_RETURN(loop->consumer_, consumer(*loop));
  return loop;
}

KafkaTransactionalLoop::KafkaTransactionalLoop(Options options, std::vector<std::string> topics,
                                               RecordProcessor& processor,
                                               KafkaLoopMetrics& metrics,
                                               const std::atomic<bool>& stop, const Clock& clock,
                                               BlockingCallRunner& runner, ProducerFactory producer)
    : topics_(std::move(topics)),
      processor_(processor),
      metrics_(metrics),
      stop_(stop),
      clock_(clock),
      retry_(options.producer.retry),
      topic_record_limits_(options.topic_record_limits),
      batch_(options.batch),
      progress_(options.stall_limit) {
  producer_ = std::make_unique<TransactionalProducer>(
      [this, producer = std::move(producer)] { return producer(this); }, runner, clock, stop,
      metrics, options.producer);
  // At zero from the start, so that the first skipped record raises the alert on increase().
  for (const std::string& topic : topics_) metrics_.skipped.Add({{"topic", topic}});
}

// IMPORTANT: the consumer calls back into this object; it goes before the members it uses.
KafkaTransactionalLoop::~KafkaTransactionalLoop() {
  consumer_.reset();
  producer_.reset();
}

absl::StatusOr<LoopStop> KafkaTransactionalLoop::Run() {
  absl::Status status = producer_->Start();
  if (status.ok()) status = consumer_->Subscribe(topics_);
  if (status.ok()) log::Info("subscribed", {{"topics", topics_}});
  LoopTimer timer(clock_, metrics_);
  while (status.ok() && !stop_.load()) {
    const Polled polled = consumer_->Poll(batch_.PollTimeout(clock_.Now()));
    timer.Lap(timer.poll);
    // First what the callbacks met inside Poll(): after a failure there, the record is left
    // for the next owner.
    status = TakeCallbackStatus();
    if (status.ok()) status = Handle(polled);
    timer.Lap(timer.process);
    if (status.ok() &&
        batch_.CommitDue(clock_.Now(), polled.kind == Polled::Kind::kNothing, ledger_.Isolating())) {
      status = CommitBatch();
      timer.Lap(timer.commit);
      timer.Publish();
    }
    if (status.ok()) producer_->Poll();
    timer.Lap(timer.deliver);
  }
  if (status.ok()) status = CommitBatch();  // drain: what was processed commits before we leave
  timer.Lap(timer.commit);  // published as the timer goes out of scope
  if (!status.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    fatal_reason_ = std::string(status.message());
  }
  // Not aborted here on a fatal error: a fenced or fatal producer cannot abort, and the broker
  // aborts the open transaction when this instance's successor initialises (or on timeout).
  closing_ = true;
  consumer_->Close();
  if (status.ok()) status = TakeCallbackStatus();
  if (!status.ok()) return absl::InternalError(status.message());
  log::Info("stopped", {{"drained", !not_drained_}});
  return not_drained_ ? LoopStop::kNotDrained : LoopStop::kDrained;
}

std::string KafkaTransactionalLoop::NotReadyReason() const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!fatal_reason_.empty()) return absl::StrCat("fatal Kafka error: ", fatal_reason_);
    std::string stalled = StalledReason(clock_.Now());
    if (!stalled.empty()) return stalled;
    if (!refusals_.empty()) {
      std::vector<std::string> errors;
      for (const auto& [topic, error] : refusals_) errors.push_back(error);
      return absl::StrCat("refused by Kafka: ", absl::StrJoin(errors, "; "),
                          " (this service's principal lacks an ACL: deploy/README.md)");
    }
  }
  if (!producer_->ready()) return "transactional producer not initialised";
  if (assigned_.load() == 0) return "no input partitions assigned";
  return "";
}

absl::Status KafkaTransactionalLoop::Handle(const Polled& polled) {
  switch (polled.kind) {
    case Polled::Kind::kNothing:
      return absl::OkStatus();
    case Polled::Kind::kTransient:
      // Transport and metadata errors: librdkafka retries them itself. A refusal (a missing
      // ACL) too, since it may be granted while we wait, but the service is not ready meanwhile.
      metrics_.CountError(absl::UnavailableError(polled.error));
      log::Warn("consume_error", {{"error", polled.error}, {"refused", polled.refused}});
      if (polled.refused) {
        std::lock_guard<std::mutex> lock(mu_);
        refusals_[polled.refused_topic] = polled.error;
      }
      return absl::OkStatus();
    case Polled::Kind::kFatal:
      return absl::InternalError(polled.error);
    case Polled::Kind::kRecord:
      break;
  }
  const InRecord& in = polled.record;
  const RecordId id = in.id();
  const absl::Time started = clock_.Now();
  metrics_.Consumed(in.topic).Increment();
  {
    std::lock_guard<std::mutex> lock(mu_);
    progress_.Consumed(id.partition, started);
    // Reading this topic works (again), and so does the group.
    refusals_.erase(std::string(id.partition.topic));
    refusals_.erase("");
  }
  if (!producer_->in_transaction()) {
    REFERRAL_RETURN_IF_ERROR(producer_->Begin());
    batch_.Open(started);
  }
  REFERRAL_RETURN_IF_ERROR(ProduceFor(in, id));
  if (producer_->in_transaction()) {
    batch_.Add(id);
    metrics_.processing_seconds.Observe(absl::ToDoubleSeconds(clock_.Now() - started));
  }
  return absl::OkStatus();
}

// Produces what `in` becomes at its poison step. An output the producer refuses for good moves
// the record a step down the ladder and aborts the transaction: it comes round again after the
// rewind and gets the next step.
absl::Status KafkaTransactionalLoop::ProduceFor(const InRecord& in, const RecordId& id) {
  const PoisonStep step = ledger_.StepFor(id);
  outputs_.clear();
  if (step == PoisonStep::kProcess) {
    processor_.Process(in, outputs_);
  } else if (step == PoisonStep::kSkip) {
    // Not even its coordinates could be dead-lettered: skipped, so that the partition moves on.
    log::Error("record_skipped", {{"topic", id.partition.topic},
                                  {"partition", id.partition.partition},
                                  {"offset", id.offset},
                                  {"reason", ledger_.ReasonFor(id)}});
    metrics_.skipped.Add({{"topic", id.partition.topic}}).Increment();
  } else {
    outputs_.push_back(CutDeadLetter(
        processor_.DeadLetter(in, "produce_failed", ledger_.ReasonFor(id)), FormOf(step)));
    log::Warn("record_dead_lettered", {{"topic", id.partition.topic},
                                       {"partition", id.partition.partition},
                                       {"offset", id.offset},
                                       {"step", std::string(PoisonStepName(step))}});
  }
  for (const OutRecord& out : outputs_) {
    ProduceResult produced;
    if (auto limit = topic_record_limits_.find(out.topic);
        limit != topic_record_limits_.end() && RecordSize(out) > limit->second) {
      // What the broker would refuse, refused here: the record goes down the ladder.
      produced = {.queued = false,
                  .refusal = ProduceRefusal::kRecord,
                  .error = absl::StrCat("output to ", out.topic, " of ", RecordSize(out),
                                        " bytes exceeds the ", limit->second,
                                        " its max.message.bytes allows")};
    } else {
      produced = producer_->Produce(out);
    }
    if (produced.queued) {
      batch_.Produced(out.topic);
      continue;
    }
    switch (produced.refusal) {
      case ProduceRefusal::kRecord:
        log::Warn("output_unproducible", {{"topic", id.partition.topic},
                                          {"partition", id.partition.partition},
                                          {"offset", id.offset},
                                          {"step", std::string(PoisonStepName(step))},
                                          {"error", produced.error}});
        ledger_.Refused(id, produced.error);
        return AbortBatch("unproducible output", /*lone_failure_counts=*/false);
      case ProduceRefusal::kTransaction:
        return AbortBatch(produced.error, /*lone_failure_counts=*/true);
      case ProduceRefusal::kFatal:
        return absl::InternalError(produced.error);
    }
  }
  return absl::OkStatus();
}

absl::Status KafkaTransactionalLoop::CommitBatch() {
  if (!producer_->in_transaction()) return absl::OkStatus();
  const absl::Time started = clock_.Now();
  outputs_.clear();
  processor_.BeforeCommit(outputs_);
  for (const OutRecord& out : outputs_) {
    const ProduceResult produced = producer_->Produce(out);
    if (produced.queued) {
      batch_.Produced(out.topic);
      continue;
    }
    // The transaction failed: it aborts and its records come again, as for any output.
    if (produced.refusal == ProduceRefusal::kTransaction) {
      return AbortBatch(produced.error, /*lone_failure_counts=*/false);
    }
    // Refused for good (too large, say): it would be refused again after every rewind.
    return absl::InternalError(absl::StrCat("the record to commit with the transaction (",
                                            out.topic, ") was refused: ", produced.error));
  }
  const Offsets offsets(batch_.next_offsets().begin(), batch_.next_offsets().end());
  REFERRAL_ASSIGN_OR_RETURN(TxnResult result, producer_->Commit(offsets, consumer_->Group()));
  return Settle(result, "commit refused", /*lone_failure_counts=*/true, started);
}

absl::Status KafkaTransactionalLoop::AbortBatch(absl::string_view reason,
                                                bool lone_failure_counts) {
  log::Warn("transaction_abort", {{"reason", std::string(reason)}});
  const absl::Time started = clock_.Now();
  REFERRAL_ASSIGN_OR_RETURN(TxnResult result, producer_->Abort());
  return Settle(result, reason, lone_failure_counts, started);
}

absl::Status KafkaTransactionalLoop::Settle(TxnResult result, absl::string_view reason,
                                            bool lone_failure_counts, absl::Time started) {
  switch (result) {
    case TxnResult::kCommitted:
      processor_.Committed();
      metrics_.committed.Increment();
      for (const auto& [topic, count] : batch_.consumed()) {
        metrics_.committed_records.Add({{"topic", topic}}).Increment(static_cast<double>(count));
      }
      for (const auto& [topic, count] : batch_.produced()) {
        metrics_.produced.Add({{"topic", topic}}).Increment(static_cast<double>(count));
      }
      ledger_.Committed(batch_.next_offsets());
      {
        std::lock_guard<std::mutex> lock(mu_);
        progress_.Committed(batch_.next_offsets());
      }
      metrics_.commit_seconds.Observe(absl::ToDoubleSeconds(clock_.Now() - started));
      batch_.Clear();
      return absl::OkStatus();
    case TxnResult::kAborted: {
      processor_.Aborted();
      metrics_.aborted.Increment();
      std::optional<RecordId> lone;
      if (lone_failure_counts && batch_.records() == 1) lone = batch_.last_record();
      const bool was_isolating = ledger_.Isolating();
      ledger_.Aborted(lone, reason);
      if (lone && was_isolating) {
        log::Warn("record_isolated", {{"topic", lone->partition.topic},
                                      {"partition", lone->partition.partition},
                                      {"offset", lone->offset},
                                      {"step", std::string(PoisonStepName(ledger_.StepFor(*lone)))}});
      }
      batch_.Clear();
      // While stopping there is nothing to go on with: the next owner starts from the committed
      // offsets anyway, and a broker that is down would keep the rewind waiting.
      return stop_.load() ? absl::OkStatus() : Rewind();
    }
    case TxnResult::kProducerReplaced:
      processor_.Aborted();
      batch_.Clear();
      if (stop_.load()) {
        // The stuck transaction is the broker's to end; the next owner processes it again.
        not_drained_ = true;
        return absl::OkStatus();
      }
      return Rewind();
    case TxnResult::kLeftOpen:
      processor_.Aborted();
      batch_.Clear();
      not_drained_ = true;
      log::Warn("transaction_left_open", {{"reason", "stopping; the broker aborts it"}});
      return absl::OkStatus();
  }
  return absl::InternalError("unknown transaction result");
}

absl::Status KafkaTransactionalLoop::Rewind() {
  absl::Status last;
  RetryWhileUnavailable([this] { return consumer_->RewindToCommitted(); }, clock_, stop_, retry_,
                        [this](const absl::Status& status) {
                          metrics_.CountError(status);
                          log::Warn("kafka_retry", {{"call", "committed"},
                                                    {"error", std::string(status.message())}});
                        },
                        last);
  // Given up while stopping: the next owner starts from the committed offsets anyway.
  return last.code() == absl::StatusCode::kUnavailable ? absl::OkStatus() : last;
}

void KafkaTransactionalLoop::OnAssigned(const std::vector<PartitionId>& partitions) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    progress_.Assigned(partitions);
  }
  assigned_.fetch_add(static_cast<int>(partitions.size()));
  metrics_.assigned_partitions.Set(assigned_.load());
  log::Info("rebalance", {{"change", "assigned"},
                          {"partitions", static_cast<int>(partitions.size())},
                          {"assigned_now", assigned_.load()}});
}

// On revocation the open transaction commits (or aborts when the partitions were lost to another
// member), so the next owner starts exactly where this one's committed output ends.
void KafkaTransactionalLoop::OnRevoked(const std::vector<PartitionId>& partitions, bool lost) {
  if (producer_->in_transaction() && !closing_) {
    absl::Status status;
    if (lost) {
      absl::StatusOr<TxnResult> aborted = producer_->Abort();
      status = aborted.status();
      if (aborted.ok()) {
        processor_.Aborted();
        metrics_.aborted.Increment();
        batch_.Clear();
      }
    } else {
      status = CommitBatch();
    }
    if (!status.ok()) OnFailure(std::move(status));
  }
  ledger_.Revoked(partitions);
  {
    std::lock_guard<std::mutex> lock(mu_);
    progress_.Revoked(partitions);
  }
  assigned_.fetch_sub(static_cast<int>(partitions.size()));
  if (assigned_.load() < 0) assigned_.store(0);
  metrics_.assigned_partitions.Set(assigned_.load());
  log::Info("rebalance", {{"change", lost ? "lost" : "revoked"},
                          {"partitions", static_cast<int>(partitions.size())},
                          {"assigned_now", assigned_.load()}});
}

void KafkaTransactionalLoop::OnStatistics(absl::string_view json) {
  absl::StatusOr<ConsumerStats> stats = ReadConsumerStats(json, topics_);
  if (!stats.ok()) {
    if (stats.status().code() != absl::StatusCode::kNotFound) {
      log::Warn("kafka_statistics_unreadable", {{"error", std::string(stats.status().message())}});
    }
    return;
  }
  for (const auto& [topic, records] : stats->lag_by_topic) {
    metrics_.consumer_lag.Add({{"topic", topic}}).Set(static_cast<double>(records));
  }
  std::lock_guard<std::mutex> lock(mu_);
  progress_.Fetching(stats->fetching, clock_.Now());
}

// Keeps the first failure a callback meets; the loop picks it up after Poll() returns.
void KafkaTransactionalLoop::OnFailure(absl::Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  if (callback_status_.ok()) callback_status_ = std::move(status);
}

absl::Status KafkaTransactionalLoop::TakeCallbackStatus() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(callback_status_, absl::OkStatus());
}

std::string KafkaTransactionalLoop::StalledReason(absl::Time now) const {
  const std::vector<PartitionId> stalled = progress_.Stalled(now);
  metrics_.stalled_partitions.Set(static_cast<double>(stalled.size()));
  metrics_.oldest_uncommitted.Set(absl::ToDoubleSeconds(progress_.OldestWait(now)));
  const std::string names = DescribeStalled(stalled);
  if (names != stalled_logged_) {
    if (!names.empty()) log::Warn("partitions_stalled", {{"partitions", names}});
    stalled_logged_ = names;
  }
  if (stalled.empty()) return "";
  std::string reason = absl::StrCat("input partitions making no progress for over ",
                                    absl::FormatDuration(progress_.stall_limit()), ": ", names);
  const std::vector<PartitionId> not_fetched = progress_.NotFetched(now);
  if (!not_fetched.empty()) {
    absl::StrAppend(&reason, " (not fetched: ", DescribeStalled(not_fetched),
                    ": committed offset unreadable, or the broker unreachable)");
  }
  return reason;
}

}  // namespace referral
