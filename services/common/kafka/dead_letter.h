// Dead letters: the rejected record's own key and bytes, on the dead-letter topic, with headers
// saying why and where it came from (DESIGN.md §5). Validation errors give field paths and rules
// only; a decoder's message can quote a fragment of the bad input, which the record itself holds
// anyway. Dead-letter topics are therefore as sensitive as the input topic; logs never get these.
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_DEAD_LETTER_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_DEAD_LETTER_H_

#include "absl/strings/string_view.h"
#include "services/common/kafka/record.h"

namespace referral {

// Header names of a dead letter.
inline constexpr absl::string_view kDlqReason = "dlq_reason";        // "invalid", "undecodable", ...
inline constexpr absl::string_view kDlqErrors = "dlq_errors";        // "path: rule" lines
inline constexpr absl::string_view kDlqService = "dlq_service";      // who rejected it
inline constexpr absl::string_view kDlqSourceTopic = "dlq_source_topic";
inline constexpr absl::string_view kDlqSourcePartition = "dlq_source_partition";
inline constexpr absl::string_view kDlqSourceOffset = "dlq_source_offset";

// `in` as a dead letter on `topic`: same key and value, its headers kept, then the dlq_* headers.
// `errors` is one "field.path: rule" per line.
OutRecord MakeDeadLetter(const InRecord& in, absl::string_view topic, absl::string_view service,
                         absl::string_view reason, absl::string_view errors);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_DEAD_LETTER_H_
