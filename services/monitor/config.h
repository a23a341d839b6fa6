// The monitor's configuration (proto/referral/config/v1/monitor.proto) loaded with the LA
// directory it names, validated, into the labelling its core takes. Used by the service and by
// `referralctl report`.
#ifndef REFERRAL_SERVICES_MONITOR_CONFIG_H_
#define REFERRAL_SERVICES_MONITOR_CONFIG_H_

#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "referral/config/v1/config.pb.h"
#include "referral/config/v1/monitor.pb.h"
#include "services/common/core/la_directory.h"
#include "services/monitor/core/monitor.h"

namespace referral {

inline constexpr absl::string_view kDefaultMonitorStateTopic = "referrals.monitor.state.v1";
inline constexpr uint32_t kDefaultReplayWindowHours = 336;

struct MonitorSetup {
  config::v1::MonitorConfig config;
  config::v1::Topics topics;  // with defaults
  std::unique_ptr<LaDirectory> directory;
  absl::TimeZone time_zone;  // the directory's
  std::unique_ptr<monitor::Labelling> labelling;  // stable address: the core keeps a pointer
  absl::Duration replay_window;
  std::string state_topic;
};

// Loads `path` (YAML or JSON) and the directory it names. Returns kNotFound for a missing file
// and kInvalidArgument naming the file and every bad field.
absl::StatusOr<MonitorSetup> LoadMonitorSetup(const std::filesystem::path& path);

}  // namespace referral

#endif  // REFERRAL_SERVICES_MONITOR_CONFIG_H_
