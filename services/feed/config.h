// The feed's configuration (proto/referral/config/v1/feed.proto) loaded with everything it names,
// validated, defaults applied.
#ifndef REFERRAL_SERVICES_FEED_CONFIG_H_
#define REFERRAL_SERVICES_FEED_CONFIG_H_

#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "referral/config/v1/feed.pb.h"
#include "services/common/core/la_directory.h"

namespace referral {

// Recorded on every disclosure unless the config names another.
inline constexpr char kDefaultLawfulBasis[] =
    "DPA 2018 Sch 8 para 4; Children Act 1989 s17/s47; Children Act 2004 s11";

struct FeedOptions {
  absl::Duration ack_deadline = absl::Seconds(60);
  uint32_t default_max_unacknowledged = 100;
  uint32_t max_unacknowledged_limit = 1000;
  absl::Duration deduplication_window = absl::Hours(168);
  std::string lawful_basis = kDefaultLawfulBasis;
  absl::Duration checkpoint_interval = absl::Seconds(1);
  std::string group_prefix = "referral-feed";
};

struct FeedSetup {
  config::v1::FeedConfig config;
  config::v1::Topics topics;  // with defaults
  std::unique_ptr<LaDirectory> directory;
  FeedOptions options;
  std::filesystem::path grants_file;  // resolved against the config's folder
};

// Loads `path` (YAML or JSON) and the directory it names. Returns kNotFound for a missing file and
// kInvalidArgument naming the file and every bad field (a deduplication window under 7 days, no
// grants file, a default flow-control cap above the limit).
absl::StatusOr<FeedSetup> LoadFeedSetup(const std::filesystem::path& path);

}  // namespace referral

#endif  // REFERRAL_SERVICES_FEED_CONFIG_H_
