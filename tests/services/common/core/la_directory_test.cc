#include "services/common/core/la_directory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "services/common/config/config_file.h"

namespace referral {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

config::v1::Directory Parse(const std::string& yaml) {
  config::v1::Directory directory;
  const absl::Status status = ParseConfigText(yaml, "test", directory);
  EXPECT_TRUE(status.ok()) << status;
  return directory;
}

constexpr char kSmall[] = R"(
default_office_hours: {monday: {open: "09:00", close: "17:00"}}
local_authorities:
  - {gss_code: E06000023, name: Bristol, edt_id: avon}
  - {gss_code: E06000025, name: South Gloucestershire, edt_id: avon}
postcode_districts: {BS1: E06000023, BS16: E06000025, "BS16 1": E06000023}
)";

TEST(NormalisePostcodeTest, CanonicalForm) {
  EXPECT_EQ(NormalisePostcode("bs14dj"), "BS1 4DJ");
  EXPECT_EQ(NormalisePostcode(" BS1  4DJ "), "BS1 4DJ");
  EXPECT_EQ(NormalisePostcode("SW1A1AA"), "SW1A 1AA");
  EXPECT_EQ(NormalisePostcode("bs16"), "BS16");
  EXPECT_EQ(NormalisePostcode("not a postcode"), "");
  EXPECT_EQ(NormalisePostcode("BS1 4D"), "");
  EXPECT_EQ(NormalisePostcode(""), "");
}

// The shortest postcodes: a one-letter area and a one-digit district, five characters written
// without the space ("B1 1AA", "M1 1AE"); and the shortest a character less is not one.
TEST(NormalisePostcodeTest, FiveCharacterPostcodesNormaliseAndFourDoNot) {
  EXPECT_EQ(NormalisePostcode("B11AA"), "B1 1AA");
  EXPECT_EQ(NormalisePostcode("m1 1ae"), "M1 1AE");
  EXPECT_EQ(NormalisePostcode("B1 1A"), "");
  EXPECT_EQ(NormalisePostcode("B1"), "B1");  // a district on its own
}

TEST(LaDirectoryTest, FiveCharacterPostcodesResolveBySectorAndDistrict) {
  const auto directory = LaDirectory::Create(Parse(R"(
default_office_hours: {monday: {open: "09:00", close: "17:00"}}
local_authorities:
  - {gss_code: E08000025, name: Birmingham, edt_id: birmingham}
  - {gss_code: E08000003, name: Manchester, edt_id: manchester}
postcode_districts: {B1: E08000025, "M1 1": E08000003}
)"));
  ASSERT_TRUE(directory.ok()) << directory.status();
  v1::Address address;
  address.set_postcode("B1 1AA");
  EXPECT_EQ(directory->Resolve(address), "E08000025");  // by district
  address.set_postcode("M11AE");
  EXPECT_EQ(directory->Resolve(address), "E08000003");  // by sector
  address.set_postcode("M2 1AE");
  EXPECT_EQ(directory->Resolve(address), "");
}

// Keys are written by people: "bs16" and "bs16 1" match as "BS16" and "BS16 1" do, rather than
// passing validation and never matching.
TEST(LaDirectoryTest, LowerCaseDistrictAndSectorKeysResolve) {
  const auto directory = LaDirectory::Create(Parse(R"(
default_office_hours: {monday: {open: "09:00", close: "17:00"}}
local_authorities:
  - {gss_code: E06000023, name: Bristol, edt_id: avon}
  - {gss_code: E06000025, name: South Gloucestershire, edt_id: avon}
postcode_districts: {bs16: E06000025, "bs16 1": E06000023}
)"));
  ASSERT_TRUE(directory.ok()) << directory.status();
  v1::Address address;
  address.set_postcode("BS16 2AB");
  EXPECT_EQ(directory->Resolve(address), "E06000025");
  address.set_postcode("bs16 1aa");
  EXPECT_EQ(directory->Resolve(address), "E06000023");
}

TEST(LaDirectoryTest, ResolvesExplicitCodeThenSectorThenDistrict) {
  const auto directory = LaDirectory::Create(Parse(kSmall));
  ASSERT_TRUE(directory.ok()) << directory.status();
  v1::Address address;
  address.set_postcode("bs16 2ab");
  EXPECT_EQ(directory->Resolve(address), "E06000025");  // district
  address.set_postcode("BS16 1AA");
  EXPECT_EQ(directory->Resolve(address), "E06000023");  // sector wins
  address.set_la_code(" e06000066 ");
  EXPECT_EQ(directory->Resolve(address), "E06000066");  // explicit, even if not in directory
  EXPECT_EQ(directory->Resolve(v1::Address()), "");
  address.Clear();
  address.set_postcode("CF10 1AA");
  EXPECT_EQ(directory->Resolve(address), "");
}

TEST(LaDirectoryTest, FindsByGssCode) {
  const auto directory = LaDirectory::Create(Parse(kSmall));
  ASSERT_TRUE(directory.ok());
  ASSERT_NE(directory->Find("E06000025"), nullptr);
  EXPECT_EQ(directory->Find("E06000025")->name(), "South Gloucestershire");
  EXPECT_EQ(directory->Find("E06000066"), nullptr);
}

TEST(ValidateDirectoryTest, ReportsEveryProblemWithItsPath) {
  const config::v1::Directory directory = Parse(R"(
default_office_hours: {monday: {open: "9am", close: "17:00"}, friday: {open: "17:00", close: "16:30"}}
local_authorities:
  - {gss_code: E06000023, name: Bristol, edt_id: avon}
  - {gss_code: E06000023, name: "", edt_id: "bad id"}
  - gss_code: X1
    name: Nowhere
    edt_id: x
    office_hours: {}
    closure_dates: ["2026-13-01"]
    special_hours: [{date: "2026-12-24", hours: {open: "08:45", close: "12:60"}}]
postcode_districts: {"B S1": E06000023, BS2: nope}
)");
  EXPECT_THAT(
      ValidateDirectory(directory),
      ElementsAre(
          FieldError{"default_office_hours.monday.open", "want HH:MM, got \"9am\""},
          FieldError{"default_office_hours.friday.close", "not after open"},
          FieldError{"local_authorities[1].gss_code", "duplicate E06000023"},
          FieldError{"local_authorities[1].name", "required"},
          FieldError{"local_authorities[1].edt_id", "required: letters, digits, '-' or '_'"},
          FieldError{"local_authorities[2].gss_code",
                     "want a GSS code like E06000023, got \"X1\""},
          FieldError{"local_authorities[2].office_hours",
                     "no open day (omit it to use default_office_hours)"},
          FieldError{"local_authorities[2].closure_dates[0]", "want YYYY-MM-DD, got \"2026-13-01\""},
          FieldError{"local_authorities[2].special_hours[0].hours.close",
                     "want HH:MM, got \"12:60\""},
          FieldError{"postcode_districts[\"B S1\"]",
                     "key is not a postcode district (\"BS1\") or sector (\"BS16 7\")"},
          FieldError{"postcode_districts[\"BS2\"]", "value is not a GSS code: \"nope\""}));
}

// Councils of every UK nation: England E, Wales W, Scotland S, Northern Ireland N. No other
// letter, and exactly eight digits after it.
TEST(ValidateDirectoryTest, GssCodesOfEveryUkNationAreAccepted) {
  for (const char* code : {"E06000023", "W06000015", "S12000036", "N09000003"}) {
    SCOPED_TRACE(code);
    const auto directory = LaDirectory::Create(Parse(absl::StrCat(R"(
default_office_hours: {monday: {open: "09:00", close: "17:00"}}
local_authorities: [{gss_code: )", code, R"(, name: A council, edt_id: edt}]
postcode_districts: {CF10: )", code, "}\n")));
    EXPECT_TRUE(directory.ok()) << directory.status();
  }
  for (const char* code : {"K06000023", "e06000023", "E0600002", "E060000231", "E06O00023"}) {
    SCOPED_TRACE(code);
    const auto directory = LaDirectory::Create(Parse(absl::StrCat(R"(
default_office_hours: {monday: {open: "09:00", close: "17:00"}}
local_authorities: [{gss_code: )", code, R"(, name: A council, edt_id: edt}]
)")));
    ASSERT_FALSE(directory.ok());
    EXPECT_THAT(directory.status().message(), HasSubstr("local_authorities[0].gss_code"));
  }
}

TEST(ValidateDirectoryTest, DefaultHoursAreRequiredForTriage) {
  const auto directory = LaDirectory::Create(Parse(R"(
local_authorities: [{gss_code: E06000023, name: Bristol, edt_id: avon}]
)"));
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(directory.status().message(),
              HasSubstr("default_office_hours: no open day (also the hours of force triage)"));
}

TEST(ValidateDirectoryTest, ShippedDirectoryIsValid) {
  config::v1::Directory directory;
  ASSERT_TRUE(
      LoadConfigFile(std::string(REFERRAL_SOURCE_DIR) + "/deploy/config/directory.yaml", directory)
          .ok());
  EXPECT_THAT(ValidateDirectory(directory), IsEmpty());
  EXPECT_EQ(directory.local_authorities_size(), 5);
}

}  // namespace
}  // namespace referral
