// The intake's own metrics: what became of each submission. The gRPC server's request metrics
// (GrpcMetrics) are composed beside them by GrpcService. Every label comes from a closed set:
// outcomes, grant names from the grants file, field paths of the contract.
#ifndef REFERRAL_SERVICES_INTAKE_METRICS_H_
#define REFERRAL_SERVICES_INTAKE_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

#include "absl/strings/string_view.h"

namespace referral {

// The outcome label of a submission.
enum class SubmitOutcome {
  kAccepted,         // valid and acknowledged by the broker
  kInvalid,          // INVALID_ARGUMENT: violations, nothing published
  kUnauthenticated,  // no or an unknown client certificate
  kDenied,           // PERMISSION_DENIED: a force the client may not submit for
  kUnavailable,      // the broker did not acknowledge in time
  kFailed,           // anything else (INTERNAL, FAILED_PRECONDITION): a bug or bad config
};

// "accepted", "invalid", "unauthenticated", "denied", "unavailable", "failed".
absl::string_view SubmitOutcomeName(SubmitOutcome outcome);

struct IntakeMetrics {
  explicit IntakeMetrics(prometheus::Registry& registry);

  // Counts one submission of `client` (a grant name; "unknown" before authentication).
  void Count(absl::string_view client, SubmitOutcome outcome);

  // referral_intake_submissions_total{client, outcome}
  prometheus::Family<prometheus::Counter>& submissions;
  // referral_intake_violations_total{field}: violations in rejected submissions, by field path
  // without indices ("persons.date_of_birth"; "incident" for the incident as a whole).
  prometheus::Family<prometheus::Counter>& violations;
  // referral_intake_publish_seconds: from producing an accepted incident to the broker's
  // acknowledgement (or giving up).
  prometheus::Histogram& publish_seconds;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_INTAKE_METRICS_H_
