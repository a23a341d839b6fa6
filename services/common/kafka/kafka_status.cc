#include "services/common/kafka/kafka_status.h"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"

namespace referral {

absl::StatusCode ClassifyKafkaError(bool fatal, bool requires_abort, bool retriable) {
  if (fatal) return absl::StatusCode::kInternal;
  if (requires_abort) return absl::StatusCode::kAborted;
  if (retriable) return absl::StatusCode::kUnavailable;
  return absl::StatusCode::kInternal;
}

absl::Status FromError(RdKafka::Error* raw, absl::string_view what) {
  if (raw == nullptr) return absl::OkStatus();
  std::unique_ptr<RdKafka::Error> error(raw);
  return absl::Status(
      ClassifyKafkaError(error->is_fatal(), error->txn_requires_abort(), error->is_retriable()),
      absl::StrCat(what, ": ", error->name(), ": ", error->str()));
}

absl::string_view ErrorClassName(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable: return "retriable";
    case absl::StatusCode::kAborted: return "abortable";
    default: return "fatal";
  }
}

ProduceRefusal ClassifyProduceError(int error_code) {
  switch (static_cast<RdKafka::ErrorCode>(error_code)) {
    case RdKafka::ERR_MSG_SIZE_TOO_LARGE:
    case RdKafka::ERR__MSG_TIMED_OUT:
    case RdKafka::ERR__INVALID_ARG:
    case RdKafka::ERR_INVALID_RECORD:
      return ProduceRefusal::kRecord;
    case RdKafka::ERR__STATE:
      return ProduceRefusal::kTransaction;
    default:
      return ProduceRefusal::kFatal;
  }
}

RetryEnd RetryWhileUnavailable(const std::function<absl::Status()>& attempt, const Clock& clock,
                               const std::atomic<bool>& stop, const RetryPolicy& policy,
                               const std::function<void(const absl::Status&)>& on_retriable,
                               absl::Status& last) {
  absl::Duration backoff = policy.first_backoff;
  for (int tries = 1;; ++tries) {
    last = attempt();
    if (last.code() != absl::StatusCode::kUnavailable) return RetryEnd::kDone;
    on_retriable(last);
    if (stop.load() && tries >= policy.attempts_while_stopping) return RetryEnd::kGaveUpStopping;
    clock.SleepFor(backoff);
    backoff = std::min(backoff * 2, policy.max_backoff);
  }
}

}  // namespace referral
