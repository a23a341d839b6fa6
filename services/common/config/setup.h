// The parts of a service's configuration that services share, loaded and validated: topic names,
// the LA directory and its time zone, the bank-holiday calendar. Each service's own loader
// (services/<service>/config.h) composes them.
#ifndef REFERRAL_SERVICES_COMMON_CONFIG_SETUP_H_
#define REFERRAL_SERVICES_COMMON_CONFIG_SETUP_H_

#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "referral/config/v1/config.pb.h"
#include "services/common/config/config_file.h"
#include "services/common/core/bank_holidays.h"
#include "services/common/core/codec.h"
#include "services/common/core/la_directory.h"

namespace referral {

// `relative` resolved against the folder of the config file `config`; absolute paths unchanged.
std::filesystem::path Beside(const std::filesystem::path& config, const std::string& relative);

// `configured` with defaults applied and validated. kInvalidArgument names `config_path` and field.
absl::StatusOr<config::v1::Topics> LoadTopics(const config::v1::Topics& configured,
                                              const std::filesystem::path& config_path);

struct LoadedDirectory {
  std::unique_ptr<LaDirectory> directory;  // stable address: cores keep references
  absl::TimeZone time_zone;
};

// The directory file named by `directory_file` (relative to `config_path`) and its time zone.
// kInvalidArgument names the file and field; kNotFound for a missing file.
absl::StatusOr<LoadedDirectory> LoadDirectory(const std::filesystem::path& config_path,
                                              const std::string& directory_file);

// What every service config that names a directory shares, loaded from `path`: the config
// message itself (`Config` has `topics()` and `directory_file()`), its topics with defaults, and
// its directory. kNotFound / kInvalidArgument name the file and field.
template <typename Config>
absl::Status LoadServiceConfig(const std::filesystem::path& path, Config& config,
                               config::v1::Topics& topics, LoadedDirectory& directory);

// The bank holidays of `calendar` (file relative to `config_path`). kInvalidArgument names the
// file and the bad part; kNotFound for a missing file.
absl::StatusOr<std::unique_ptr<BankHolidays>> LoadCalendar(const std::filesystem::path& config_path,
                                                           const config::v1::Calendar& calendar);

template <typename Config>
absl::Status LoadServiceConfig(const std::filesystem::path& path, Config& config,
                               config::v1::Topics& topics, LoadedDirectory& directory) {
  if (absl::Status loaded = LoadConfigFile(path, config); !loaded.ok()) return loaded;
  absl::StatusOr<config::v1::Topics> with_defaults = LoadTopics(config.topics(), path);
  if (!with_defaults.ok()) return with_defaults.status();
  topics = *std::move(with_defaults);
  absl::StatusOr<LoadedDirectory> loaded_directory = LoadDirectory(path, config.directory_file());
  if (!loaded_directory.ok()) return loaded_directory.status();
  directory = *std::move(loaded_directory);
  return absl::OkStatus();
}

// The codec encoding for a service's `output_encoding` (unspecified means protobuf).
inline Encoding EncodingOf(config::v1::OutputEncoding output_encoding) {
  return output_encoding == config::v1::JSON ? Encoding::kJson : Encoding::kProtobuf;
}

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_CONFIG_SETUP_H_
