// The standardiser service: incidents.v1 → referrals.standardised.v1 (+ incidents.dlq.v1), in
// Kafka transactions. See README.md in this folder.
#include "services/common/service/service_main.h"
#include "services/standardiser/service.h"

int main(int argc, char** argv) {
  return referral::ServiceMain(
      argc, argv,
      {.name = "standardiser",
       .summary = "standardiser: incident events in, standard referrals out (exactly once)",
       .default_config = "deploy/config/standardiser.yaml",
       .default_http_listen = "0.0.0.0:9101",
       .make = referral::MakeStandardiserService});
}
