#include "services/common/config/config_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "referral/config/v1/config.pb.h"
#include "services/common/config/setup.h"
#include "services/router/config.h"
#include "services/standardiser/config.h"

namespace referral {
namespace {

using ::testing::HasSubstr;

TEST(YamlToJsonTest, KeepsTypesOfPlainScalarsOnly) {
  const auto json = YamlToJson("a: 1\nb: '1'\nc: true\nd: \"08:45\"\ne: 08:45\nf: [x, 2]\ng: ~\n");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(*json, R"({"a":1,"b":"1","c":true,"d":"08:45","e":"08:45","f":["x",2],"g":null})");
}

TEST(YamlToJsonTest, SyntaxErrorNamesLine) {
  const auto json = YamlToJson("a: [1, 2\nb: 3\n");
  ASSERT_FALSE(json.ok());
  EXPECT_THAT(json.status().message(), HasSubstr("line "));
}

TEST(ParseConfigTextTest, RejectsUnknownKeysNamingThem) {
  config::v1::RouterConfig config;
  const absl::Status status = ParseConfigText("directory_file: d.yaml\ncalender: {}\n", "router.yaml", config);
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("router.yaml"));
  EXPECT_THAT(status.message(), HasSubstr("calender"));
}

TEST(ParseConfigTextTest, AcceptsEnumNamesAndNestedMessages) {
  config::v1::LocalAuthority la;
  ASSERT_TRUE(ParseConfigText("gss_code: E06000066\nout_of_hours_policy: URGENT_ONLY\n"
                              "office_hours: {monday: {open: '08:45', close: '17:00'}}\n",
                              "la", la)
                  .ok());
  EXPECT_EQ(la.out_of_hours_policy(), config::v1::LocalAuthority::URGENT_ONLY);
  EXPECT_EQ(la.office_hours().monday().close(), "17:00");
}

TEST(ParseBankHolidaysTest, ReadsGovUkFormat) {
  const auto holidays = ParseBankHolidays(
      R"({"england-and-wales": {"division": "england-and-wales", "events": [
          {"title": "Christmas Day", "date": "2026-12-25", "notes": "", "bunting": true},
          {"title": "Boxing Day", "date": "2026-12-28", "notes": "Substitute day", "bunting": true}]},
          "scotland": {"events": [{"title": "St Andrew's Day", "date": "2026-11-30"}]}})",
      "england-and-wales");
  ASSERT_TRUE(holidays.ok()) << holidays.status();
  EXPECT_EQ(holidays->size(), 2u);
  ASSERT_NE(holidays->Find(absl::CivilDay(2026, 12, 28)), nullptr);
  EXPECT_EQ(*holidays->Find(absl::CivilDay(2026, 12, 28)), "Boxing Day (Substitute day)");
  EXPECT_EQ(holidays->Find(absl::CivilDay(2026, 11, 30)), nullptr);  // Scotland's only
  EXPECT_EQ(holidays->first_day(), absl::CivilDay(2026, 12, 25));
  EXPECT_EQ(holidays->last_day(), absl::CivilDay(2026, 12, 28));
  EXPECT_THAT(holidays->version(), HasSubstr("england-and-wales@"));
}

TEST(ParseBankHolidaysTest, ErrorsNameTheBadPart) {
  EXPECT_THAT(ParseBankHolidays("{", "england-and-wales").status().message(), HasSubstr("not JSON"));
  EXPECT_THAT(ParseBankHolidays("{}", "england-and-wales").status().message(),
              HasSubstr("no division \"england-and-wales\""));
  EXPECT_THAT(ParseBankHolidays(R"({"d": {"events": [{"date": "2026-02-30"}]}})", "d").status().message(),
              HasSubstr("d.events[0].date: want YYYY-MM-DD"));
}

TEST(SetupTest, LoadsShippedConfigs) {
  const std::string dir = std::string(REFERRAL_SOURCE_DIR) + "/deploy/config/";
  const auto router = LoadRouterSetup(dir + "router.yaml");
  ASSERT_TRUE(router.ok()) << router.status();
  EXPECT_EQ(router->holidays->size(), 40u);  // 2024-2028, 8 a year
  EXPECT_EQ(router->time_zone.name(), "Europe/London");
  EXPECT_EQ(router->topics.triage(), "referrals.triage.v1");
  const auto standardiser = LoadStandardiserSetup(dir + "standardiser.yaml");
  ASSERT_TRUE(standardiser.ok()) << standardiser.status();
  EXPECT_NE(standardiser->directory->Find("E06000066"), nullptr);
}

TEST(SetupTest, MissingFileIsNotFound) {
  EXPECT_EQ(LoadRouterSetup("/nonexistent/router.yaml").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace referral
