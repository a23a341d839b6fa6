// Dead letters: the rejected record's own key and bytes, on the dead-letter topic, with headers
// saying why and where it came from (DESIGN.md §5). Validation errors give field paths and rules
// only; a decoder's message can quote a fragment of the bad input, which the record itself holds
// anyway. Dead-letter topics are therefore as sensitive as the input topic; logs never get these.
#ifndef REFERRAL_SERVICES_COMMON_MESSAGING_DEAD_LETTER_H_
#define REFERRAL_SERVICES_COMMON_MESSAGING_DEAD_LETTER_H_

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <string>

#include "absl/strings/string_view.h"
#include "services/common/messaging/pending_counters.h"
#include "services/common/messaging/record.h"

namespace referral {

// Header names of a dead letter.
inline constexpr absl::string_view kDlqReason = "dlq_reason";        // "invalid", "undecodable", ...
inline constexpr absl::string_view kDlqErrors = "dlq_errors";        // "path: rule" lines
inline constexpr absl::string_view kDlqService = "dlq_service";      // who rejected it
inline constexpr absl::string_view kDlqSourceTopic = "dlq_source_topic";
inline constexpr absl::string_view kDlqSourcePartition = "dlq_source_partition";
inline constexpr absl::string_view kDlqSourceOffset = "dlq_source_offset";
// What was left out of a dead letter too large to write whole: "value" or "key,value,headers".
inline constexpr absl::string_view kDlqOmitted = "dlq_omitted";
// Legacy marker of a dead letter without its value, kept for readers of earlier letters.
inline constexpr absl::string_view kDlqValueDropped = "dlq_value_dropped";

// CloudEvents type of a dead letter.
inline constexpr absl::string_view kDeadLetterType = "uk.gov.referral.v1.dead_letter";
// A rejected record's own CloudEvents headers are kept under this prefix ("dlq_original_ce_id"):
// the dead letter is an event of its own, so that a consumer that de-duplicates on ce_id does
// not drop it as a copy of the record.
inline constexpr absl::string_view kDlqOriginalPrefix = "dlq_original_";

// `in` as a dead letter on `topic`: same key and value, its headers kept (its ce_* headers
// renamed with kDlqOriginalPrefix), CloudEvents headers of its own (ce_id
// "<source topic>/<partition>/<offset>/dead_letter", deterministic; ce_source
// "/referral-gateway/<service>"; ce_type kDeadLetterType), then the dlq_* headers. `errors` is one
// "field.path: rule" per line.
OutRecord MakeDeadLetter(const InRecord& in, absl::string_view topic, absl::string_view service,
                         absl::string_view reason, absl::string_view errors);

// How much of the rejected record a dead letter carries: the whole of it; without its value; or
// only the dlq_* and ce_* headers (reason and source coordinates, each value cut to 1 KiB), for a
// record whose key or headers alone are too large to write.
enum class DeadLetterForm { kWhole, kWithoutValue, kCoordinatesOnly };

// `letter` (made by MakeDeadLetter) cut down to `form`, with kDlqOmitted saying what was left out.
OutRecord CutDeadLetter(OutRecord letter, DeadLetterForm form);

// referral_dead_letters_total{reason}, registered once per service.
// The reasons the services dead-letter for.
inline constexpr absl::string_view kDeadLetterReasons[] = {
    "invalid",   "undecodable",    "unsupported_content_type", "unroutable",
    "too_large", "produce_failed", "unencodable"};

class DeadLetterMetrics {
 public:
  explicit DeadLetterMetrics(prometheus::Registry& registry);
  // The counter of `reason` (kDeadLetterReasons). Every one of them is exported from the start,
  // at zero.
  prometheus::Counter& For(absl::string_view reason);

 private:
  prometheus::Family<prometheus::Counter>& family_;
};

// Makes a service's dead letters on one topic and counts them: through `pending` when given (so
// that they count once their transaction commits), else at once.
class DeadLetterer {
 public:
  // IMPORTANT: keeps references to `metrics` and `pending`.
  DeadLetterer(std::string topic, std::string service, DeadLetterMetrics& metrics,
               PendingCounters* pending = nullptr)
      : topic_(std::move(topic)), service_(std::move(service)), metrics_(metrics),
        pending_(pending) {}

  // MakeDeadLetter(in, topic, service, reason, errors), counted under `reason`.
  OutRecord operator()(const InRecord& in, absl::string_view reason, absl::string_view errors);

 private:
  const std::string topic_;
  const std::string service_;
  DeadLetterMetrics& metrics_;
  PendingCounters* pending_;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_MESSAGING_DEAD_LETTER_H_
