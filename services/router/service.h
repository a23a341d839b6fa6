// The router as a Service: its config, core, clock, metrics and record processor in the
// transactional Kafka loop.
#ifndef REFERRAL_SERVICES_ROUTER_SERVICE_H_
#define REFERRAL_SERVICES_ROUTER_SERVICE_H_

#include <string>

#include "absl/status/statusor.h"
#include "services/common/service/service_main.h"

namespace referral {

struct RouterFlags {
  std::string clock_start;  // --clock-start: route as if the clock read this at start-up
};

void AddRouterFlags(CLI::App& app, RouterFlags& flags);

// Loads context.config_path. kNotFound / kInvalidArgument name the file and field (or the flag).
absl::StatusOr<LoadedService> MakeRouterService(const ServiceContext& context,
                                                const RouterFlags& flags);

}  // namespace referral

#endif  // REFERRAL_SERVICES_ROUTER_SERVICE_H_
