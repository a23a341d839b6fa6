#include "services/router/config.h"

#include "services/common/config/setup.h"
#include "services/common/core/status_macros.h"
#include "services/common/core/topics.h"

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

std::set<std::string> RoutedTopics(const RouterSetup& setup) {
  std::set<std::string> topics = {setup.topics.triage()};
  for (const auto& la : setup.directory->config().local_authorities()) {
    topics.insert(FrontDoorTopic(setup.topics, la.gss_code()));
    if (!la.edt_id().empty()) topics.insert(EdtTopic(setup.topics, la.edt_id()));
  }
  return topics;
}

}  // namespace referral
