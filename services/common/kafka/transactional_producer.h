// The transactional producer's life: init, begin, produce, send offsets, commit, abort, with
// retriable errors retried, and the stuck-call watchdog. Every blocking call runs under a
// BlockingCallRunner; one still running past `stuck_call_limit` (or `stopping_call_limit` once
// stopping) has ignored its own timeout (librdkafka issue 5456), so its client is abandoned to
// that call and a new one with the same transactional.id is initialised: that fences the stuck
// one, and the broker aborts its transaction (or completes a commit it had begun). The caller
// then rewinds to the committed offsets, as after any abort: nothing is lost or doubled.
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_TRANSACTIONAL_PRODUCER_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_TRANSACTIONAL_PRODUCER_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/common/kafka/kafka_clients.h"
#include "services/common/kafka/kafka_loop_metrics.h"
#include "services/common/kafka/kafka_status.h"
#include "services/common/observe/blocking_call.h"
#include "services/common/observe/clock.h"

namespace referral {

// How a transaction ended.
enum class TxnResult {
  kCommitted,         // outputs and offsets are in the log
  kAborted,           // aborted: nothing of it is in the log; rewind and process it again
  kProducerReplaced,  // a call got stuck: its producer was replaced; the broker ends the
                      // transaction; rewind as after an abort
  kLeftOpen,          // stopping, and the broker could not be reached in the tries allowed:
                      // the transaction is left for the broker to abort (not drained)
};

absl::string_view TxnResultName(TxnResult result);

class TransactionalProducer {
 public:
  using ClientFactory = std::function<absl::StatusOr<std::shared_ptr<TransactionalClient>>()>;

  struct Options {
    absl::Duration call_timeout = absl::Seconds(10);      // each blocking call's own timeout
    absl::Duration stuck_call_limit = absl::Seconds(30);  // a call this old is stuck
    absl::Duration stopping_call_limit = absl::Seconds(12);  // ... once stopping
    // Abandoned clients that may still be in their stuck call; one more is fatal.
    size_t max_abandoned = 3;
    RetryPolicy retry;
  };

  // IMPORTANT: keeps references to `runner`, `clock`, `stop` and `metrics`.
  TransactionalProducer(ClientFactory factory, BlockingCallRunner& runner, const Clock& clock,
                        const std::atomic<bool>& stop, KafkaLoopMetrics& metrics,
                        Options options);
  ~TransactionalProducer();

  // Creates the client and initialises transactions, retrying retriable errors; once stopping it
  // gives up after a few tries and returns OK, not ready. Returns kInvalidArgument when the
  // client's configuration is refused, kInternal on a fatal error, a stuck init_transactions (its
  // client would go on asking for a producer id and could fence its replacement) or too many
  // abandoned clients.
  absl::Status Start();

  // Transactions are initialised. Thread-safe.
  bool ready() const { return ready_.load(); }
  bool in_transaction() const { return in_transaction_; }

  // Begins a transaction. Returns the error (any class) when the client refuses.
  absl::Status Begin();

  // Produces into the open transaction.
  ProduceResult Produce(const OutRecord& record);

  // Sends `offsets` with the group's metadata and commits. Retriable errors are retried, for at
  // most stuck_call_limit (then the client is replaced as for a stuck call); an abortable one
  // aborts. Returns the outcome, or kInternal for a fatal error.
  absl::StatusOr<TxnResult> Commit(const Offsets& offsets, const GroupMetadata& group);

  // Aborts the open transaction: kAborted, kProducerReplaced or kLeftOpen; kInternal when fatal.
  absl::StatusOr<TxnResult> Abort();

  // Serves the client's callbacks.
  void Poll();

 private:
  // Runs `call` on the current client under the watchdog; std::nullopt: stuck and abandoned.
  std::optional<absl::Status> Call(std::function<absl::Status(TransactionalClient&)> call);
  // How long Retrying() goes on while a call keeps returning retriable errors.
  enum class RetryFor {
    kEver,  // until it succeeds or the service stops: init_transactions through an outage
    // ... or until stuck_call_limit has passed since the first try, when it counts as stuck: a
    // transaction call that keeps timing out may never finish on this client (librdkafka 2.16's
    // abort_transaction after an outage returned _TIMED_OUT every 15 s for minutes).
    kUntilStuckLimit,
  };
  // Retries `call` while it is retriable. `stuck` tells whether it ended stuck.
  RetryEnd Retrying(absl::string_view what,
                    const std::function<absl::Status(TransactionalClient&)>& call, RetryFor limit,
                    absl::Status& last, bool& stuck);
  absl::Status NewClient();
  absl::Status InitTransactions();
  absl::StatusOr<TxnResult> Replace(absl::string_view why);

  const ClientFactory factory_;
  BlockingCallRunner& runner_;
  const Clock& clock_;
  const std::atomic<bool>& stop_;
  KafkaLoopMetrics& metrics_;
  const Options options_;

  std::shared_ptr<TransactionalClient> client_;
  std::vector<std::weak_ptr<TransactionalClient>> abandoned_;
  bool in_transaction_ = false;
  std::atomic<bool> ready_{false};
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_TRANSACTIONAL_PRODUCER_H_
