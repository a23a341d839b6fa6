#include "services/router/config.h"

#include "services/common/config/setup.h"
#include "services/common/core/status_macros.h"

namespace referral {

absl::StatusOr<RouterSetup> LoadRouterSetup(const std::filesystem::path& path) {
  RouterSetup setup;
  LoadedDirectory directory;
  REFERRAL_RETURN_IF_ERROR(LoadServiceConfig(path, setup.config, setup.topics, directory));
  setup.directory = std::move(directory.directory);
  setup.time_zone = directory.time_zone;
  REFERRAL_ASSIGN_OR_RETURN(setup.holidays, LoadCalendar(path, setup.config.calendar()));
  return setup;
}

}  // namespace referral
