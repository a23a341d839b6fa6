#include "services/standardiser/config.h"

#include "services/common/config/setup.h"
#include "services/common/core/status_macros.h"

namespace referral {

StandardiserOptions StandardiserOptionsFrom(const config::v1::StandardiserConfig& config) {
  StandardiserOptions options;
  if (config.max_narrative_bytes() != 0) options.max_narrative_bytes = config.max_narrative_bytes();
  return options;
}

size_t MaxReferralBytes(const config::v1::StandardiserConfig& config) {
  return config.max_referral_bytes() != 0 ? config.max_referral_bytes() : kDefaultMaxReferralBytes;
}

absl::StatusOr<StandardiserSetup> LoadStandardiserSetup(const std::filesystem::path& path) {
  StandardiserSetup setup;
  LoadedDirectory directory;
  REFERRAL_RETURN_IF_ERROR(LoadServiceConfig(path, setup.config, setup.topics, directory));
  setup.directory = std::move(directory.directory);
  setup.time_zone = directory.time_zone;
  return setup;
}

}  // namespace referral
