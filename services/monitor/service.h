// The monitor service: the committed referral topics in, the consistency metrics out (see
// README.md in this folder).
#ifndef REFERRAL_SERVICES_MONITOR_SERVICE_H_
#define REFERRAL_SERVICES_MONITOR_SERVICE_H_

#include <string>

#include "absl/status/statusor.h"
#include "services/common/service/service_main.h"

namespace CLI {
class App;
}

namespace referral {

struct MonitorFlags {
  std::string clock_start;  // --clock-start
};

void AddMonitorFlags(CLI::App& app, MonitorFlags& flags);

absl::StatusOr<LoadedService> MakeMonitorService(const ServiceContext& context,
                                                 const MonitorFlags& flags);

}  // namespace referral

#endif  // REFERRAL_SERVICES_MONITOR_SERVICE_H_
