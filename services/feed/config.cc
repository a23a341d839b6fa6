#include "services/feed/config.h"

#include "absl/strings/str_cat.h"
#include "services/common/config/setup.h"
#include "services/common/core/field_error.h"
#include "services/common/core/status_macros.h"

namespace referral {

absl::StatusOr<FeedSetup> LoadFeedSetup(const std::filesystem::path& path) {
  FeedSetup setup;
  LoadedDirectory directory;
  REFERRAL_RETURN_IF_ERROR(LoadServiceConfig(path, setup.config, setup.topics, directory));
  setup.directory = std::move(directory.directory);
  const config::v1::FeedConfig& config = setup.config;
  FeedOptions& options = setup.options;
  FieldErrors errors;
  if (config.ack_deadline_s() > 0) options.ack_deadline = absl::Seconds(config.ack_deadline_s());
  if (config.default_max_unacknowledged() > 0) {
    options.default_max_unacknowledged = config.default_max_unacknowledged();
  }
  if (config.max_unacknowledged_limit() > 0) {
    options.max_unacknowledged_limit = config.max_unacknowledged_limit();
  }
  if (options.default_max_unacknowledged > options.max_unacknowledged_limit) {
    errors.push_back({"default_max_unacknowledged",
                      absl::StrCat("above max_unacknowledged_limit (",
                                   options.max_unacknowledged_limit, ")")});
  }
  if (config.deduplication_window_hours() > 0) {
    if (config.deduplication_window_hours() < 168) {
      errors.push_back({"deduplication_window_hours", "at least 168 (7 days)"});
    }
    options.deduplication_window = absl::Hours(config.deduplication_window_hours());
  }
  if (!config.lawful_basis().empty()) options.lawful_basis = config.lawful_basis();
  if (config.checkpoint_interval_ms() > 0) {
    options.checkpoint_interval = absl::Milliseconds(config.checkpoint_interval_ms());
  }
  if (!config.kafka().group_id().empty()) options.group_prefix = config.kafka().group_id();
  if (config.grpc().grants_file().empty()) {
    errors.push_back({"grpc.grants_file", "required: who may read which queue"});
  } else {
    setup.grants_file = Beside(path, config.grpc().grants_file());
  }
  if (!errors.empty()) return FieldErrorsToStatus(errors, path.string());
  return setup;
}

}  // namespace referral
