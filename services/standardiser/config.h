// The standardiser's configuration (proto/referral/config/v1/standardiser.proto) loaded with
// everything it names, validated, into what the standardiser core takes. Used by the service
// and by referralctl.
#ifndef REFERRAL_SERVICES_STANDARDISER_CONFIG_H_
#define REFERRAL_SERVICES_STANDARDISER_CONFIG_H_

#include <filesystem>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "referral/config/v1/standardiser.pb.h"
#include "services/common/core/la_directory.h"
#include "services/standardiser/core/standardise.h"

namespace referral {

struct StandardiserSetup {
  config::v1::StandardiserConfig config;
  config::v1::Topics topics;  // with defaults
  std::unique_ptr<LaDirectory> directory;
  absl::TimeZone time_zone;
};

// The standardiser core's options from `config` (its defaults for unset fields).
StandardiserOptions StandardiserOptionsFrom(const config::v1::StandardiserConfig& config);

// What the router adds to a referral it routes (the routing decision, CloudEvents headers), at
// most, with room to spare.
inline constexpr int64_t kRoutingHeadroomBytes = 8192 - 512;

// Kafka's default max.message.bytes less 8 KiB for what the router adds.
inline constexpr size_t kDefaultMaxReferralBytes = 1048588 - 8192;

// The largest referral to produce (StandardiserConfig.max_referral_bytes, else the default).
size_t MaxReferralBytes(const config::v1::StandardiserConfig& config);

// Loads `path` (YAML or JSON) and the files it names relative to itself. Returns kNotFound for a
// missing file and kInvalidArgument naming the file and every bad field.
absl::StatusOr<StandardiserSetup> LoadStandardiserSetup(const std::filesystem::path& path);

}  // namespace referral

#endif  // REFERRAL_SERVICES_STANDARDISER_CONFIG_H_
