// The standardiser service's record processor: incident events in (binary protobuf or JSON, by
// content-type), standard referrals out on the standardised topic keyed by referral id, and
// rejected events to the dead-letter topic with the reason. The Kafka loop around it lives in
// services/common/kafka.
#ifndef REFERRAL_SERVICES_STANDARDISER_APP_H_
#define REFERRAL_SERVICES_STANDARDISER_APP_H_

#include <vector>

#include "referral/config/v1/config.pb.h"
#include "services/common/observe/clock.h"
#include "services/common/core/codec.h"
#include "services/common/messaging/dead_letter.h"
#include "services/common/messaging/record.h"
#include "services/standardiser/core/standardise.h"
#include "services/standardiser/metrics.h"

namespace referral {

inline constexpr absl::string_view kStandardiserSource = "/referral-gateway/standardiser";

class StandardiserProcessor final : public RecordProcessor {
 public:
  // `topics` must have WithDefaults() applied. IMPORTANT: keeps references to `standardiser`,
  // `clock`, `metrics` and `dead_letters`, which must outlive the processor.
  // A referral larger than `max_referral_bytes` in either encoding is not produced: the incident
  // is dead-lettered whole with reason "too_large".
  StandardiserProcessor(const Standardiser& standardiser, config::v1::Topics topics,
                        Encoding output_encoding, const Clock& clock, StandardiserMetrics& metrics,
                        DeadLetterMetrics& dead_letters,
                        size_t max_referral_bytes = size_t{1048588} - 8192)
      : max_referral_bytes_(max_referral_bytes),
        standardiser_(standardiser),
        topics_(std::move(topics)),
        output_encoding_(output_encoding),
        clock_(clock),
        metrics_(metrics),
        dead_letter_(topics_.dead_letters(), "standardiser", dead_letters, &pending_) {}

  // One referral record per responsible LA; nothing for a skipped incident; a dead letter for an
  // unsupported content-type ("unsupported_content_type"), undecodable bytes ("undecodable") or
  // an invalid event ("invalid", with every field error).
  void Process(const InRecord& in, std::vector<OutRecord>& out) override;
  OutRecord DeadLetter(const InRecord& in, absl::string_view reason,
                       absl::string_view detail) override;
  // Its counters count what commits (PendingCounters).
  void Committed() override { pending_.Commit(); }
  void Aborted() override { pending_.Discard(); }

 private:
  // Empty when `referral` is deliverable, else why not (its sizes against the limit).
  std::string TooLarge(const v1::Referral& referral, const std::string& encoded) const;

  const size_t max_referral_bytes_;
  const Standardiser& standardiser_;
  const config::v1::Topics topics_;
  const Encoding output_encoding_;
  const Clock& clock_;
  StandardiserMetrics& metrics_;
  PendingCounters pending_;  // before dead_letter_, which keeps a pointer to it
  DeadLetterer dead_letter_;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_STANDARDISER_APP_H_
