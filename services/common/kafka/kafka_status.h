// librdkafka's errors as our three classes (STYLE.md "Errors"), converted once, here:
// retriable → kUnavailable (back off, try again), abortable → kAborted (abort the transaction,
// rewind to the committed offsets), fatal or fenced → kInternal (not ready, exit non-zero).
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_STATUS_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_STATUS_H_

#include <atomic>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/common/observe/clock.h"

namespace RdKafka {
class Error;
}

namespace referral {

// The class of an error by librdkafka's flags. Fatal wins over abortable over retriable; an
// error that is none of them is a state error of our own making: fatal.
absl::StatusCode ClassifyKafkaError(bool fatal, bool requires_abort, bool retriable);

// librdkafka's error object as a Status whose code is its class and whose message starts with
// `what`. Takes ownership of `error`; OK for nullptr.
absl::Status FromError(RdKafka::Error* error, absl::string_view what);

// "retriable", "abortable" or "fatal": the label of referral_kafka_errors_total{class}.
absl::string_view ErrorClassName(const absl::Status& status);

// What a refused produce() means.
enum class ProduceRefusal {
  kRecord,       // this record can never be produced (too large, invalid): poison
  kTransaction,  // the transaction is in a state that needs an abort
  kFatal,        // the producer is unusable
};

// The meaning of a librdkafka produce() error code (an RdKafka::ErrorCode other than
// QUEUE_FULL, which means back-pressure and is retried by the caller).
ProduceRefusal ClassifyProduceError(int error_code);

// How long to back off between tries of a retriable call, and how many tries to give a call
// once the service is stopping.
struct RetryPolicy {
  absl::Duration first_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(5);
  int attempts_while_stopping = 3;
};

// Why a retried call ended.
enum class RetryEnd {
  kDone,           // `attempt` returned a status that is not retriable (OK, or another class)
  kGaveUpStopping, // still retriable after the tries allowed once `stop` became true
};

// Calls `attempt` until it returns anything but kUnavailable, sleeping on `clock` between tries
// (doubling from first_backoff to max_backoff); `on_retriable` sees each retriable failure. Once
// `stop` is true, gives up after policy.attempts_while_stopping tries. `last` gets the final
// status.
RetryEnd RetryWhileUnavailable(const std::function<absl::Status()>& attempt, const Clock& clock,
                               const std::atomic<bool>& stop, const RetryPolicy& policy,
                               const std::function<void(const absl::Status&)>& on_retriable,
                               absl::Status& last);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_STATUS_H_
