// The monitor service: the committed referral topics in, the inspection's consistency and
// timeliness figures out as Prometheus metrics. See README.md in this folder.
#include "services/common/service/service_main.h"
#include "services/monitor/service.h"

int main(int argc, char** argv) {
  referral::MonitorFlags flags;
  return referral::ServiceMain(
      argc, argv,
      {.name = "monitor",
       .summary = "monitor: committed referrals, acknowledgements and decisions in, consistency "
                  "metrics out (each record counted once)",
       .default_config = "deploy/config/monitor.yaml",
       .default_http_listen = "0.0.0.0:9105",
       .make = [&flags](const referral::ServiceContext& context) {
         return referral::MakeMonitorService(context, flags);
       },
       .add_flags = [&flags](CLI::App& app) { referral::AddMonitorFlags(app, flags); }});
}
