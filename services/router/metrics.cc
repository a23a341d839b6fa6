#include "services/router/metrics.h"

namespace referral {

RouterMetrics::RouterMetrics(prometheus::Registry& registry)
    : routed(prometheus::BuildCounter()
                 .Name("referral_referrals_routed_total")
                 .Help("Referrals routed, by LA, window and rule")
                 .Register(registry)) {}

}  // namespace referral
