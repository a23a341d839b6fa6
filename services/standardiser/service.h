// The standardiser as a Service: its config, core, metrics and record processor in the
// transactional Kafka loop.
#ifndef REFERRAL_SERVICES_STANDARDISER_SERVICE_H_
#define REFERRAL_SERVICES_STANDARDISER_SERVICE_H_

#include "absl/status/statusor.h"
#include "services/common/service/service_main.h"

namespace referral {

// Loads context.config_path. kNotFound / kInvalidArgument name the file and field.
absl::StatusOr<LoadedService> MakeStandardiserService(const ServiceContext& context);

}  // namespace referral

#endif  // REFERRAL_SERVICES_STANDARDISER_SERVICE_H_
