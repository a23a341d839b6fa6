#include "services/standardiser/metrics.h"

namespace referral {

StandardiserMetrics::StandardiserMetrics(std::shared_ptr<prometheus::Registry> registry,
                                         absl::string_view version)
    : service(registry, "standardiser", version),
      incidents(prometheus::BuildCounter()
                    .Name("referral_incidents_total")
                    .Help("Incident events standardised, by outcome")
                    .Register(*registry)),
      skipped(prometheus::BuildCounter()
                  .Name("referral_incidents_skipped_total")
                  .Help("Incident events that needed no referral, by reason")
                  .Register(*registry)),
      dead_letters(prometheus::BuildCounter()
                       .Name("referral_dead_letters_total")
                       .Help("Records sent to a dead-letter topic, by reason")
                       .Register(*registry)),
      referrals(prometheus::BuildCounter()
                    .Name("referral_referrals_standardised_total")
                    .Help("Standard referrals produced (one per responsible LA)")
                    .Register(*registry)
                    .Add({})),
      quality_issues(prometheus::BuildCounter()
                         .Name("referral_quality_issues_total")
                         .Help("Quality issues found in standardised referrals, by issue")
                         .Register(*registry)) {}

}  // namespace referral
