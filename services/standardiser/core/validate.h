// Validation of incident events from outside: which events are unusable and must be
// dead-lettered. Quality gaps are not validation errors; they are flagged on the referral.
#ifndef REFERRAL_SERVICES_STANDARDISER_CORE_VALIDATE_H_
#define REFERRAL_SERVICES_STANDARDISER_CORE_VALIDATE_H_

#include "absl/time/time.h"
#include "referral/v1/incident.pb.h"
#include "services/common/core/field_error.h"

namespace referral {

// Returns every reason `event` cannot be standardised, each with its field path: a missing
// `event_id`, `incident_id`, `force_code` or `occurred_at`; timestamps out of range; `reported_at`
// before `occurred_at`; a `date_of_birth` that is not a real "YYYY-MM-DD" date, after the
// incident, or over 125 years before it; `age_years` over 125; duplicate `person_ref`s; and
// relationships naming no person of the incident. Messages never repeat the bad value, so they
// are safe to put in dead-letter headers. `tz` decides the incident's local date.
FieldErrors ValidateIncident(const v1::IncidentEvent& event, absl::TimeZone tz);

}  // namespace referral

#endif  // REFERRAL_SERVICES_STANDARDISER_CORE_VALIDATE_H_
