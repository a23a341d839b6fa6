#include "services/standardiser/metrics.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "referral/v1/referral.pb.h"
#include "services/standardiser/core/standardise.h"

namespace referral {

StandardiserMetrics::StandardiserMetrics(prometheus::Registry& registry)
    : incidents(prometheus::BuildCounter()
                    .Name("referral_incidents_total")
                    .Help("Incident events standardised in committed transactions, by outcome (each once)")
                    .Register(registry)),
      skipped(prometheus::BuildCounter()
                  .Name("referral_incidents_skipped_total")
                  .Help("Incident events that needed no referral, by reason (committed, each once)")
                  .Register(registry)),
      referrals(prometheus::BuildCounter()
                    .Name("referral_referrals_standardised_total")
                    .Help("Standard referrals committed (one per responsible LA)")
                    .Register(registry)
                    .Add({})),
      quality_issues(prometheus::BuildCounter()
                         .Name("referral_quality_issues_total")
                         .Help("Quality issues of committed standardised referrals, by issue")
                         .Register(registry)),
      unrecognised(prometheus::BuildCounter()
                       .Name("referral_unrecognised_values_total")
                       .Help("Enum values of incident events the gateway does not recognise, by "
                             "field path (kept on the referral and flagged)")
                       .Register(registry)),
      incidents_referred(incidents.Add({{"outcome", "referred"}})),
      incidents_skipped(incidents.Add({{"outcome", "skipped"}})),
      incidents_rejected(incidents.Add({{"outcome", "rejected"}})) {
  // At zero from the start, so that the first skip shows in increase() (a closed set).
  for (SkipReason reason : {SkipReason::kNoChild, SkipReason::kOtherTypeNoRisk}) {
    skipped.Add({{"reason", std::string(SkipReasonName(reason))}});
  }
  const google::protobuf::EnumDescriptor* issues = v1::QualityIssue_descriptor();
  by_quality_issue.assign(issues->value(issues->value_count() - 1)->number() + 1, nullptr);
  for (int i = 0; i < issues->value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor* issue = issues->value(i);
    if (issue->number() == v1::QUALITY_ISSUE_UNSPECIFIED) continue;
    // "QUALITY_ISSUE_CHILD_VIEWS_NOT_RECORDED" -> "child_views_not_recorded": a closed set.
    const std::string label = absl::AsciiStrToLower(issue->name());
    by_quality_issue[issue->number()] =
        &quality_issues.Add({{"issue", std::string(absl::StripPrefix(label, "quality_issue_"))}});
  }
}

}  // namespace referral
