#include "services/monitor/config.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/config/setup.h"
#include "services/common/core/field_error.h"
#include "services/common/core/status_macros.h"

namespace referral {

absl::StatusOr<MonitorSetup> LoadMonitorSetup(const std::filesystem::path& path) {
  MonitorSetup setup;
  LoadedDirectory directory;
  REFERRAL_RETURN_IF_ERROR(LoadServiceConfig(path, setup.config, setup.topics, directory));
  setup.directory = std::move(directory.directory);
  setup.time_zone = directory.time_zone;
  const config::v1::MonitorConfig& config = setup.config;
  FieldErrors errors;
  const uint32_t hours =
      config.replay_window_hours() > 0 ? config.replay_window_hours() : kDefaultReplayWindowHours;
  if (hours < 24) errors.push_back({"replay_window_hours", "at least 24"});
  if (hours > 24 * 366) errors.push_back({"replay_window_hours", "at most 8784 (a year)"});
  setup.replay_window = absl::Hours(hours);
  setup.state_topic = config.state_topic().empty() ? std::string(kDefaultMonitorStateTopic)
                                                   : config.state_topic();
  const std::vector<std::string> sources(config.source_systems().begin(),
                                         config.source_systems().end());
  absl::StatusOr<monitor::Labelling> labelling =
      monitor::Labelling::Make(setup.directory->config(), setup.topics, sources);
  if (!labelling.ok()) {
    // "source_systems[1]: why" → field and message.
    const std::string message(labelling.status().message());
    const size_t colon = message.find(": ");
    errors.push_back({message.substr(0, colon), message.substr(colon + 2)});
  } else {
    setup.labelling = std::make_unique<monitor::Labelling>(*std::move(labelling));
  }
  if (!errors.empty()) return FieldErrorsToStatus(errors, path.string());
  return setup;
}

}  // namespace referral
