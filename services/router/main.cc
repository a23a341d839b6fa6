// The router service: referrals.standardised.v1 → referrals.frontdoor.<la>.v1,
// referrals.edt.<edt>.v1, referrals.triage.v1 (+ referrals.dlq.v1), in Kafka transactions. See
// README.md in this folder.
#include "services/common/service/service_main.h"
#include "services/router/service.h"

int main(int argc, char** argv) {
  referral::RouterFlags flags;
  return referral::ServiceMain(
      argc, argv,
      {.name = "router",
       .summary = "router: standardised referrals in, front door / EDT / triage copies out "
                  "(exactly once)",
       .default_config = "deploy/config/router.yaml",
       .default_http_listen = "0.0.0.0:9102",
       .make = [&flags](const referral::ServiceContext& context) {
         return referral::MakeRouterService(context, flags);
       },
       .add_flags = [&flags](CLI::App& app) { referral::AddRouterFlags(app, flags); }});
}
