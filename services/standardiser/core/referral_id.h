// Deterministic referral ids: the same force, incident and LA always give the same id, so a
// reprocessed incident produces the same referral rather than a second one.
#ifndef REFERRAL_SERVICES_STANDARDISER_CORE_REFERRAL_ID_H_
#define REFERRAL_SERVICES_STANDARDISER_CORE_REFERRAL_ID_H_

#include "absl/strings/string_view.h"
#include <string>

namespace referral {

// The gateway's UUID namespace for referral ids.
inline constexpr absl::string_view kReferralIdNamespace = "f7830dfe-7e74-4e9a-ad2f-0535f8b11683";

// Returns the RFC 4122 version-5 UUID (lower-case, hyphenated) of the name
// "<force_code>/<incident_id>/<la_code>" in kReferralIdNamespace. `la_code` is "" for a referral
// whose LA is unresolved. Opaque: safe for logs, unlike the incident id it hides.
std::string ReferralId(absl::string_view force_code, absl::string_view incident_id,
                       absl::string_view la_code);

}  // namespace referral

#endif  // REFERRAL_SERVICES_STANDARDISER_CORE_REFERRAL_ID_H_
