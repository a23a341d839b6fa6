#include "services/common/kafka/transactional_producer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/core/status_macros.h"
#include "services/common/observe/log.h"

namespace referral {

absl::string_view TxnResultName(TxnResult result) {
  switch (result) {
    case TxnResult::kCommitted: return "committed";
    case TxnResult::kAborted: return "aborted";
    case TxnResult::kProducerReplaced: return "producer_replaced";
    case TxnResult::kLeftOpen: return "left_open";
  }
  return "unknown";
}

TransactionalProducer::TransactionalProducer(ClientFactory factory, BlockingCallRunner& runner,
                                             const Clock& clock, const std::atomic<bool>& stop,
                                             KafkaLoopMetrics& metrics, Options options)
    : factory_(std::move(factory)),
      runner_(runner),
      clock_(clock),
      stop_(stop),
      metrics_(metrics),
      options_(options) {}

TransactionalProducer::~TransactionalProducer() {
  // A call's thread may hold the client a moment longer; it must not call back into the loop.
  if (client_ != nullptr) client_->Detach();
}

absl::Status TransactionalProducer::Start() {
  REFERRAL_RETURN_IF_ERROR(NewClient());
  return InitTransactions();
}

std::optional<absl::Status> TransactionalProducer::Call(
    std::function<absl::Status(TransactionalClient&)> call) {
  return runner_.Run(
      [client = client_, call = std::move(call)] { return call(*client); },
      [this](absl::Duration waited) {
        return waited >= options_.stuck_call_limit ||
               (stop_.load() && waited >= options_.stopping_call_limit);
      });
}

RetryEnd TransactionalProducer::Retrying(
    absl::string_view what, const std::function<absl::Status(TransactionalClient&)>& call,
    RetryFor limit, absl::Status& last, bool& stuck) {
  stuck = false;
  const absl::Time first_try = clock_.Now();
  return RetryWhileUnavailable(
      [&]() -> absl::Status {
        std::optional<absl::Status> status = Call(call);
        if (!status.has_value()) {
          stuck = true;
          return absl::DeadlineExceededError(
              absl::StrCat(what, " still running past its own timeout (librdkafka issue 5456)"));
        }
        if (limit == RetryFor::kUntilStuckLimit && status->code() == absl::StatusCode::kUnavailable &&
            clock_.Now() - first_try >= options_.stuck_call_limit) {
          stuck = true;
          return absl::DeadlineExceededError(
              absl::StrCat(what, " still failing after ", absl::FormatDuration(clock_.Now() - first_try),
                           " of retries: ", status->message()));
        }
        return *std::move(status);
      },
      clock_, stop_, options_.retry,
      [&](const absl::Status& status) {
        metrics_.CountError(status);
        log::Warn("kafka_retry", {{"call", std::string(what)}, {"error", std::string(status.message())}});
      },
      last);
}

absl::Status TransactionalProducer::NewClient() {
  if (client_ != nullptr) {
    client_->Detach();
    abandoned_.push_back(client_);
    client_.reset();
  }
  ready_.store(false);
  // An abandoned client whose call has returned was released by that call.
  std::erase_if(abandoned_, [](const auto& weak) { return weak.expired(); });
  if (abandoned_.size() > options_.max_abandoned) {
    return absl::InternalError(
        absl::StrCat(abandoned_.size(), " abandoned Kafka producers are still stuck"));
  }
  REFERRAL_ASSIGN_OR_RETURN(client_, factory_());
  return absl::OkStatus();
}

absl::Status TransactionalProducer::InitTransactions() {
  const absl::Duration timeout = options_.call_timeout;
  absl::Status last;
  bool stuck = false;
  const RetryEnd end = Retrying(
      "init_transactions",
      [timeout](TransactionalClient& client) { return client.InitTransactions(timeout); },
      RetryFor::kEver, last, stuck);
  if (stuck) return absl::InternalError(last.message());
  if (end == RetryEnd::kGaveUpStopping) return absl::OkStatus();  // stopping; never ready
  if (!last.ok()) {
    metrics_.CountError(last);
    return absl::InternalError(last.message());
  }
  ready_.store(true);
  log::Info("transactions_initialised");
  return absl::OkStatus();
}

absl::Status TransactionalProducer::Begin() {
  REFERRAL_RETURN_IF_ERROR(client_->BeginTransaction());
  in_transaction_ = true;
  return absl::OkStatus();
}

ProduceResult TransactionalProducer::Produce(const OutRecord& record) {
  return client_->Produce(record);
}

void TransactionalProducer::Poll() { client_->Poll(); }

absl::StatusOr<TxnResult> TransactionalProducer::Commit(const Offsets& offsets,
                                                        const GroupMetadata& group) {
  if (!in_transaction_) return TxnResult::kCommitted;
  const absl::Duration timeout = options_.call_timeout;
  absl::Status last;
  bool stuck = false;
  RetryEnd end = Retrying(
      "send_offsets_to_transaction",
      [offsets, group, timeout](TransactionalClient& client) {
        return client.SendOffsets(offsets, group, timeout);
      },
      RetryFor::kUntilStuckLimit, last, stuck);
  if (!stuck && end == RetryEnd::kDone && last.ok()) {
    end = Retrying(
        "commit_transaction",
        [timeout](TransactionalClient& client) { return client.CommitTransaction(timeout); },
        RetryFor::kUntilStuckLimit, last, stuck);
  }
  if (stuck) return Replace(last.message());
  if (end == RetryEnd::kGaveUpStopping) {
    in_transaction_ = false;
    return TxnResult::kLeftOpen;
  }
  if (last.code() == absl::StatusCode::kAborted) {
    metrics_.CountError(last);
    log::Warn("transaction_abort", {{"reason", std::string(last.message())}});
    return Abort();
  }
  if (!last.ok()) {
    metrics_.CountError(last);
    return absl::InternalError(last.message());
  }
  in_transaction_ = false;
  return TxnResult::kCommitted;
}

absl::StatusOr<TxnResult> TransactionalProducer::Abort() {
  if (!in_transaction_) return TxnResult::kAborted;
  const absl::Duration timeout = options_.call_timeout;
  absl::Status last;
  bool stuck = false;
  const RetryEnd end = Retrying(
      "abort_transaction",
      [timeout](TransactionalClient& client) { return client.AbortTransaction(timeout); },
      RetryFor::kUntilStuckLimit, last, stuck);
  if (stuck) return Replace(last.message());
  in_transaction_ = false;
  if (end == RetryEnd::kGaveUpStopping) return TxnResult::kLeftOpen;
  if (!last.ok()) {
    metrics_.CountError(last);
    return absl::InternalError(last.message());
  }
  return TxnResult::kAborted;
}

absl::StatusOr<TxnResult> TransactionalProducer::Replace(absl::string_view why) {
  log::Error("producer_replaced", {{"reason", std::string(why)}});
  metrics_.producers_replaced.Increment();
  in_transaction_ = false;  // the abandoned client's, for the broker to end
  REFERRAL_RETURN_IF_ERROR(NewClient());
  REFERRAL_RETURN_IF_ERROR(InitTransactions());
  return TxnResult::kProducerReplaced;
}

}  // namespace referral
