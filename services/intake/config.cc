#include "services/intake/config.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/config/setup.h"
#include "services/common/core/status_macros.h"
#include "services/standardiser/config.h"

namespace referral {
namespace {

constexpr uint32_t kDefaultPublishTimeoutMs = 10000;
constexpr uint32_t kMaxPublishTimeoutMs = 120000;

// The standardiser's config with the two settings the intake mirrors, so that its defaults apply.
config::v1::StandardiserConfig MirroredStandardiserConfig(const config::v1::IntakeConfig& config) {
  config::v1::StandardiserConfig standardiser;
  standardiser.set_max_narrative_bytes(config.max_narrative_bytes());
  standardiser.set_max_referral_bytes(config.max_referral_bytes());
  return standardiser;
}

}  // namespace

FieldErrors ValidateIntakeConfig(const config::v1::IntakeConfig& config) {
  FieldErrors errors;
  if (config.grpc().grants_file().empty()) errors.push_back({"grpc.grants_file", "required"});
  if (config.publish_timeout_ms() > kMaxPublishTimeoutMs) {
    errors.push_back({"publish_timeout_ms", absl::StrCat("at most ", kMaxPublishTimeoutMs)});
  }
  return errors;
}

absl::Duration PublishTimeout(const config::v1::IntakeConfig& config) {
  return absl::Milliseconds(config.publish_timeout_ms() > 0 ? config.publish_timeout_ms()
                                                            : kDefaultPublishTimeoutMs);
}

StandardiserOptions IntakeStandardiserOptions(const config::v1::IntakeConfig& config) {
  return StandardiserOptionsFrom(MirroredStandardiserConfig(config));
}

size_t IntakeMaxReferralBytes(const config::v1::IntakeConfig& config) {
  return MaxReferralBytes(MirroredStandardiserConfig(config));
}

absl::StatusOr<IntakeSetup> LoadIntakeSetup(const std::filesystem::path& path) {
  IntakeSetup setup;
  LoadedDirectory directory;
  REFERRAL_RETURN_IF_ERROR(LoadServiceConfig(path, setup.config, setup.topics, directory));
  REFERRAL_RETURN_IF_ERROR(FieldErrorsToStatus(ValidateIntakeConfig(setup.config), path.string()));
  setup.directory = std::move(directory.directory);
  setup.time_zone = directory.time_zone;
  REFERRAL_ASSIGN_OR_RETURN(setup.holidays, LoadCalendar(path, setup.config.calendar()));
  setup.grants_file = Beside(path, setup.config.grpc().grants_file());
  return setup;
}

}  // namespace referral
