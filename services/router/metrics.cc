#include "services/router/metrics.h"

namespace referral {

RouterMetrics::RouterMetrics(prometheus::Registry& registry)
    : routed(prometheus::BuildCounter()
                 .Name("referral_referrals_routed_total")
                 .Help("Referrals routed in committed transactions, by LA, window and rule (each once)")
                 .Register(registry)) {}

}  // namespace referral
