// The intake service: control-room systems submit incidents over gRPC (referral.v1.IncidentIntake,
// mTLS); valid ones go to incidents.v1 and the answer says what will happen to them. See
// README.md in this folder.
#include "services/common/service/service_main.h"
#include "services/intake/service.h"

int main(int argc, char** argv) {
  referral::IntakeFlags flags;
  return referral::ServiceMain(
      argc, argv,
      {.name = "intake",
       .summary = "intake: incidents submitted over gRPC, validated, published on incidents.v1 "
                  "and answered with what will happen",
       .default_config = "deploy/config/intake.yaml",
       .default_http_listen = "0.0.0.0:9104",
       .make = [&flags](const referral::ServiceContext& context) {
         return referral::MakeIntakeService(context, flags);
       },
       .add_flags = [&flags](CLI::App& app) { referral::AddIntakeFlags(app, flags); }});
}
