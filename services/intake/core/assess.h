// What the intake makes of a submitted incident, before publishing it: every reason it is
// unusable (validation errors and enum values this version does not define), or the answer to
// give: the referrals it makes, where each goes at a given moment, and their quality. Built from
// the standardiser and router cores, so the answer is what they will do. Pure: the caller passes
// the moment.
#ifndef REFERRAL_SERVICES_INTAKE_CORE_ASSESS_H_
#define REFERRAL_SERVICES_INTAKE_CORE_ASSESS_H_

#include <cstddef>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "referral/config/v1/config.pb.h"
#include "referral/v1/incident.pb.h"
#include "referral/v1/intake.pb.h"
#include "services/common/core/field_error.h"
#include "services/common/core/la_directory.h"
#include "services/router/core/route.h"
#include "services/standardiser/core/standardise.h"

namespace referral {

// The queue name of force triage in the answer ("frontdoor/<GSS>" and "edt/<id>" are the feed's
// queue names; triage has no feed queue).
inline constexpr absl::string_view kTriageQueue = "triage";

// What a submission is.
struct Assessment {
  // Every reason the incident cannot be accepted, with its field path in the IncidentEvent
  // ("persons[2].date_of_birth"); a path of "" is the incident as a whole. Empty when valid.
  FieldErrors violations;
  // When `violations` is empty: the answer (event id, previews, quality issues, or why no
  // referral).
  v1::SubmitResponse response;
};

class Assessor {
 public:
  // `topics` must have WithDefaults() applied. `max_referral_bytes` is the standardiser's: a
  // referral larger than that, in binary protobuf or JSON, is dead-lettered there, so it is a
  // violation here. IMPORTANT: keeps references to `standardiser`, `router` and `directory`,
  // which must outlive the Assessor.
  Assessor(const Standardiser& standardiser, const Router& router, const LaDirectory& directory,
           const config::v1::Topics& topics, size_t max_referral_bytes);

  // Assesses `event` as if the router routed its referrals at `now`.
  //  - invalid: `violations` lists the standardiser's validation errors, then each enum value
  //    this version does not define ("unrecognised value 12"), then any referral too large;
  //  - valid with referrals: one preview per referral, in the standardiser's order, and the union
  //    of their quality issues in enum order;
  //  - valid, no referral: `no_referral_reason`.
  // Messages never repeat a value sent, except the number of an unrecognised enum value.
  // Returns kFailedPrecondition when the router cannot decide (hours with no working day within
  // a year: a config problem, not the incident's).
  absl::StatusOr<Assessment> Assess(const v1::IncidentEvent& event, absl::Time now) const;

  // The queue a routed topic stands for: "frontdoor/<GSS>", "edt/<id>" or "triage"; the topic
  // name itself for a topic the directory does not name.
  std::string QueueOf(const std::string& topic) const;

 private:
  const Standardiser& standardiser_;
  const Router& router_;
  const size_t max_referral_bytes_;
  absl::flat_hash_map<std::string, std::string> queue_by_topic_;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_INTAKE_CORE_ASSESS_H_
