#include "services/intake/metrics.h"

#include <string>

namespace referral {

absl::string_view SubmitOutcomeName(SubmitOutcome outcome) {
  switch (outcome) {
    case SubmitOutcome::kAccepted: return "accepted";
    case SubmitOutcome::kInvalid: return "invalid";
    case SubmitOutcome::kUnauthenticated: return "unauthenticated";
    case SubmitOutcome::kDenied: return "denied";
    case SubmitOutcome::kUnavailable: return "unavailable";
    case SubmitOutcome::kFailed: return "failed";
  }
  return "failed";
}

IntakeMetrics::IntakeMetrics(prometheus::Registry& registry)
    : submissions(prometheus::BuildCounter()
                      .Name("referral_intake_submissions_total")
                      .Help("Incidents submitted to the intake, by client and outcome")
                      .Register(registry)),
      violations(prometheus::BuildCounter()
                     .Name("referral_intake_violations_total")
                     .Help("Violations in rejected submissions, by field path without indices")
                     .Register(registry)),
      publish_seconds(prometheus::BuildHistogram()
                          .Name("referral_intake_publish_seconds")
                          .Help("From producing an accepted incident to the broker's "
                                "acknowledgement")
                          .Register(registry)
                          .Add({}, prometheus::Histogram::BucketBoundaries{
                                       0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                       1, 2.5, 5, 10})) {}

void IntakeMetrics::Count(absl::string_view client, SubmitOutcome outcome) {
  submissions
      .Add({{"client", std::string(client)}, {"outcome", std::string(SubmitOutcomeName(outcome))}})
      .Increment();
}

}  // namespace referral
