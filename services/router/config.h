// The router's configuration (proto/referral/config/v1/router.proto) loaded with everything it
// names (LA directory, bank holidays, time zone), validated, into what the router core takes.
// Used by the service and by referralctl.
#ifndef REFERRAL_SERVICES_ROUTER_CONFIG_H_
#define REFERRAL_SERVICES_ROUTER_CONFIG_H_

#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "referral/config/v1/router.pb.h"
#include "services/common/core/bank_holidays.h"
#include "services/common/core/la_directory.h"

namespace referral {

struct RouterSetup {
  config::v1::RouterConfig config;
  config::v1::Topics topics;  // with defaults
  std::unique_ptr<LaDirectory> directory;
  std::unique_ptr<BankHolidays> holidays;  // stable address: the Router keeps a reference
  absl::TimeZone time_zone;
};

// Loads `path` (YAML or JSON) and the files it names relative to itself. Returns kNotFound for a
// missing file and kInvalidArgument naming the file and every bad field.
absl::StatusOr<RouterSetup> LoadRouterSetup(const std::filesystem::path& path);

}  // namespace referral

#endif  // REFERRAL_SERVICES_ROUTER_CONFIG_H_
