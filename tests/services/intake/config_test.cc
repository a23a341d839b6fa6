// The intake's config loader: the shipped default loads; what the proto cannot say is checked
// with field paths.
#include "services/intake/config.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/test_setup.h"

namespace referral {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(IntakeConfigTest, ShippedDefaultLoadsWithItsDefaults) {
  absl::StatusOr<IntakeSetup> setup = LoadIntakeSetup(testing::DefaultConfigPath("intake"));
  ASSERT_TRUE(setup.ok()) << setup.status();
  EXPECT_EQ(setup->topics.incidents(), "incidents.v1");
  EXPECT_EQ(setup->topics.triage(), "referrals.triage.v1");
  EXPECT_EQ(setup->directory->config().local_authorities_size(), 5);
  EXPECT_EQ(setup->grants_file,
            std::filesystem::path(REFERRAL_SOURCE_DIR) / "deploy/config/intake-grants.yaml");
  EXPECT_EQ(PublishTimeout(setup->config), absl::Seconds(10));
  // The standardiser's defaults, so the preview matches what it does.
  EXPECT_EQ(IntakeMaxReferralBytes(setup->config), 1048588u - 8192u);
  EXPECT_EQ(IntakeStandardiserOptions(setup->config).max_narrative_bytes, 256u * 1024u);
}

TEST(IntakeConfigTest, ValidationNamesEachBadField) {
  config::v1::IntakeConfig config;
  config.set_publish_timeout_ms(120001);
  std::vector<std::string> errors;
  for (const FieldError& e : ValidateIntakeConfig(config)) errors.push_back(e.ToString());
  EXPECT_THAT(errors,
              ElementsAre("grpc.grants_file: required", "publish_timeout_ms: at most 120000"));

  config.set_publish_timeout_ms(120000);
  config.mutable_grpc()->set_grants_file("grants.yaml");
  EXPECT_THAT(ValidateIntakeConfig(config), IsEmpty());
  EXPECT_EQ(PublishTimeout(config), absl::Seconds(120));
}

TEST(IntakeConfigTest, SettingsMirroredFromTheStandardiserApply) {
  config::v1::IntakeConfig config;
  config.set_max_referral_bytes(5000);
  config.set_max_narrative_bytes(100);
  EXPECT_EQ(IntakeMaxReferralBytes(config), 5000u);
  EXPECT_EQ(IntakeStandardiserOptions(config).max_narrative_bytes, 100u);
}

TEST(IntakeConfigTest, MissingGrantsFileRefusesTheConfigNamingFileAndField) {
  const std::filesystem::path dir = ::testing::TempDir();
  const std::filesystem::path path = dir / "intake-no-grants.yaml";
  {
    std::ofstream out(path);
    out << "directory_file: " << REFERRAL_SOURCE_DIR << "/deploy/config/directory.yaml\n"
        << "calendar: {bank_holidays_file: " << REFERRAL_SOURCE_DIR
        << "/deploy/config/bank-holidays.json}\n";
  }
  absl::StatusOr<IntakeSetup> setup = LoadIntakeSetup(path);
  ASSERT_EQ(setup.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(setup.status().message(), HasSubstr(path.string()));
  EXPECT_THAT(setup.status().message(), HasSubstr("grpc.grants_file: required"));
}

}  // namespace
}  // namespace referral
