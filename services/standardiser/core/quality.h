// The quality checks of a referral: what HMICFRS found missing in inadequate child protection
// cases (DOMAIN.md §1), measured the same way for every source system.
#ifndef REFERRAL_SERVICES_STANDARDISER_CORE_QUALITY_H_
#define REFERRAL_SERVICES_STANDARDISER_CORE_QUALITY_H_

#include "referral/v1/incident.pb.h"
#include "referral/v1/referral.pb.h"

namespace referral {

// Assesses `referral` (its children, adults, household, risk, actions, referrer, sharing and LA
// already filled in) built from `event`. Returns every issue that applies, in enum order, and
// completeness = applicable checks passed / applicable checks. The children's-views check applies
// only when a child was spoken to, the suspect check only when the incident has a suspect; the
// other nine always apply.
v1::Quality AssessQuality(const v1::Referral& referral, const v1::IncidentEvent& event);

}  // namespace referral

#endif  // REFERRAL_SERVICES_STANDARDISER_CORE_QUALITY_H_
