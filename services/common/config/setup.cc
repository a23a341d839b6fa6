#include "services/common/config/setup.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/common/config/config_file.h"
#include "services/common/core/status_macros.h"
#include "services/common/core/topics.h"

namespace referral {
namespace {

constexpr absl::string_view kDefaultTimeZone = "Europe/London";
constexpr absl::string_view kDefaultDivision = "england-and-wales";

}  // namespace

std::filesystem::path Beside(const std::filesystem::path& config, const std::string& relative) {
  const std::filesystem::path target(relative);
  return target.is_absolute() ? target : config.parent_path() / target;
}

absl::StatusOr<config::v1::Topics> LoadTopics(const config::v1::Topics& configured,
                                              const std::filesystem::path& config_path) {
  config::v1::Topics topics = WithDefaults(configured);
  REFERRAL_RETURN_IF_ERROR(FieldErrorsToStatus(ValidateTopics(topics), config_path.string()));
  return topics;
}

absl::StatusOr<LoadedDirectory> LoadDirectory(const std::filesystem::path& config_path,
                                              const std::string& directory_file) {
  if (directory_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(config_path.string(), ": directory_file: required"));
  }
  const std::filesystem::path path = Beside(config_path, directory_file);
  config::v1::Directory config;
  REFERRAL_RETURN_IF_ERROR(LoadConfigFile(path, config));
  LoadedDirectory loaded;
  const std::string zone = config.time_zone().empty() ? std::string(kDefaultTimeZone) : config.time_zone();
  if (!absl::LoadTimeZone(zone, &loaded.time_zone)) {
    return absl::InvalidArgumentError(absl::StrCat(
        path.string(), ": time_zone: unknown zone \"", zone, "\" (is tzdata installed?)"));
  }
  absl::StatusOr<LaDirectory> created = LaDirectory::Create(std::move(config));
  if (!created.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path.string(), ": ", created.status().message()));
  }
  loaded.directory = std::make_unique<LaDirectory>(*std::move(created));
  return loaded;
}

absl::StatusOr<std::unique_ptr<BankHolidays>> LoadCalendar(const std::filesystem::path& config_path,
                                                           const config::v1::Calendar& calendar) {
  if (calendar.bank_holidays_file().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(config_path.string(), ": calendar.bank_holidays_file: required"));
  }
  const std::filesystem::path holidays_path = Beside(config_path, calendar.bank_holidays_file());
  REFERRAL_ASSIGN_OR_RETURN(const std::string text, ReadFile(holidays_path));
  absl::StatusOr<BankHolidays> holidays = ParseBankHolidays(
      text, calendar.division().empty() ? kDefaultDivision : calendar.division());
  if (!holidays.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(holidays_path.string(), ": ", holidays.status().message()));
  }
  return std::make_unique<BankHolidays>(*std::move(holidays));
}

}  // namespace referral
