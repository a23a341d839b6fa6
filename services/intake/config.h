// The intake's configuration (proto/referral/config/v1/intake.proto) loaded with everything it
// names (LA directory, bank holidays, time zone), validated, into what the intake core and shell
// take.
#ifndef REFERRAL_SERVICES_INTAKE_CONFIG_H_
#define REFERRAL_SERVICES_INTAKE_CONFIG_H_

#include <cstddef>
#include <filesystem>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "referral/config/v1/intake.pb.h"
#include "services/common/core/bank_holidays.h"
#include "services/common/core/field_error.h"
#include "services/common/core/la_directory.h"
#include "services/standardiser/core/standardise.h"

namespace referral {

struct IntakeSetup {
  config::v1::IntakeConfig config;
  config::v1::Topics topics;  // with defaults
  std::unique_ptr<LaDirectory> directory;
  std::unique_ptr<BankHolidays> holidays;  // stable address: the Router keeps a reference
  absl::TimeZone time_zone;
  std::filesystem::path grants_file;  // grpc.grants_file, resolved beside the config file
};

// Checks what the proto cannot: grpc.grants_file present, publish_timeout_ms at most 120000.
// (The TLS files are checked when the server's credentials are made.)
FieldErrors ValidateIntakeConfig(const config::v1::IntakeConfig& config);

// How long a submission waits for the broker's acknowledgement (publish_timeout_ms, else 10 s).
absl::Duration PublishTimeout(const config::v1::IntakeConfig& config);

// The standardiser options and referral size limit the preview uses: the config's, else the
// standardiser's defaults.
StandardiserOptions IntakeStandardiserOptions(const config::v1::IntakeConfig& config);
size_t IntakeMaxReferralBytes(const config::v1::IntakeConfig& config);

// Loads `path` (YAML or JSON) and the files it names relative to itself. Returns kNotFound for a
// missing file and kInvalidArgument naming the file and every bad field.
absl::StatusOr<IntakeSetup> LoadIntakeSetup(const std::filesystem::path& path);

}  // namespace referral

#endif  // REFERRAL_SERVICES_INTAKE_CONFIG_H_
