// CloudEvents 1.0 binary-mode Kafka headers (ce_id, ce_source, ce_type, ce_time, ce_specversion)
// plus `content-type`, on every record the gateway produces.
#ifndef REFERRAL_SERVICES_COMMON_MESSAGING_CLOUD_EVENTS_H_
#define REFERRAL_SERVICES_COMMON_MESSAGING_CLOUD_EVENTS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/common/core/codec.h"
#include "services/common/messaging/record.h"

namespace referral {

inline constexpr absl::string_view kContentTypeHeader = "content-type";
// Event types of the records the gateway produces.
inline constexpr absl::string_view kReferralStandardisedType = "uk.gov.referral.v1.standardised";
inline constexpr absl::string_view kReferralRoutedType = "uk.gov.referral.v1.routed";

// The headers of one event: `id` unique per event (the same output of the same input always
// gets the same id, so consumers can de-duplicate), `source` the producing service
// ("/referral-gateway/router"), `time` RFC 3339 UTC.
std::vector<Header> CloudEventHeaders(Encoding encoding, absl::string_view id,
                                      absl::string_view source, absl::string_view type,
                                      absl::Time time);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_MESSAGING_CLOUD_EVENTS_H_
