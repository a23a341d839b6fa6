// The intake as a Service: its config, cores, clock, grants and metrics, the Kafka producer it
// publishes with, and the gRPC server (GrpcService) serving IncidentIntake. Not ready while the
// broker does not answer.
#ifndef REFERRAL_SERVICES_INTAKE_SERVICE_H_
#define REFERRAL_SERVICES_INTAKE_SERVICE_H_

#include <string>

#include "absl/status/statusor.h"
#include "services/common/service/service_main.h"

namespace referral {

struct IntakeFlags {
  std::string clock_start;  // --clock-start: preview routing as if the clock read this at start-up
};

void AddIntakeFlags(CLI::App& app, IntakeFlags& flags);

// Loads context.config_path, its grants file and TLS files. kNotFound / kInvalidArgument name the
// file and field (or the flag).
absl::StatusOr<LoadedService> MakeIntakeService(const ServiceContext& context,
                                                const IntakeFlags& flags);

}  // namespace referral

#endif  // REFERRAL_SERVICES_INTAKE_SERVICE_H_
