// Loads a service's config file and everything it points at (LA directory, bank holidays, time
// zone), validated, into the values the pure cores take. Shared by the services and referralctl.
#ifndef REFERRAL_SERVICES_COMMON_CONFIG_SETUP_H_
#define REFERRAL_SERVICES_COMMON_CONFIG_SETUP_H_

#include <filesystem>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "referral/config/v1/config.pb.h"
#include "services/common/core/bank_holidays.h"
#include "services/common/core/codec.h"
#include "services/common/core/la_directory.h"

namespace referral {

// What the standardiser core needs.
struct StandardiserSetup {
  config::v1::StandardiserConfig config;
  config::v1::Topics topics;  // with defaults
  std::unique_ptr<LaDirectory> directory;
  absl::TimeZone time_zone;
};

// What the router core needs.
struct RouterSetup {
  config::v1::RouterConfig config;
  config::v1::Topics topics;  // with defaults
  std::unique_ptr<LaDirectory> directory;
  std::unique_ptr<BankHolidays> holidays;  // stable address: the Router keeps a reference
  absl::TimeZone time_zone;
};

// Loads `path` (YAML or JSON) and the files it names relative to itself. Returns kNotFound for a
// missing file and kInvalidArgument naming the file and every bad field.
absl::StatusOr<StandardiserSetup> LoadStandardiserSetup(const std::filesystem::path& path);
absl::StatusOr<RouterSetup> LoadRouterSetup(const std::filesystem::path& path);

// The codec encoding for a service's `output_encoding` (unspecified means protobuf).
inline Encoding EncodingOf(config::v1::OutputEncoding output_encoding) {
  return output_encoding == config::v1::JSON ? Encoding::kJson : Encoding::kProtobuf;
}

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_CONFIG_SETUP_H_
