#include "services/router/metrics.h"

namespace referral {

RouterMetrics::RouterMetrics(std::shared_ptr<prometheus::Registry> registry,
                             absl::string_view version)
    : service(registry, "router", version),
      routed(prometheus::BuildCounter()
                 .Name("referral_referrals_routed_total")
                 .Help("Referrals routed, by LA, window and rule")
                 .Register(*registry)),
      dead_letters(prometheus::BuildCounter()
                       .Name("referral_dead_letters_total")
                       .Help("Records sent to a dead-letter topic, by reason")
                       .Register(*registry)) {}

}  // namespace referral
