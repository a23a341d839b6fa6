#include "services/standardiser/config.h"

#include "services/common/config/config_file.h"
#include "services/common/config/setup.h"
#include "services/common/core/status_macros.h"

namespace referral {

absl::StatusOr<StandardiserSetup> LoadStandardiserSetup(const std::filesystem::path& path) {
  StandardiserSetup setup;
  REFERRAL_RETURN_IF_ERROR(LoadConfigFile(path, setup.config));
  REFERRAL_ASSIGN_OR_RETURN(setup.topics, LoadTopics(setup.config.topics(), path));
  REFERRAL_ASSIGN_OR_RETURN(LoadedDirectory directory,
                            LoadDirectory(path, setup.config.directory_file()));
  setup.directory = std::move(directory.directory);
  setup.time_zone = directory.time_zone;
  return setup;
}

}  // namespace referral
