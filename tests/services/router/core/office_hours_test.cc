// Office hours of one front door: windows, day schedules and decision due times, against the
// shipped default configuration (real Europe/London DST and England and Wales bank holidays) and
// against small directories built in the test.
//
// Every expected instant is worked out by hand from DESIGN.md §4 and DOMAIN.md §2: default hours
// Mon–Thu 08:45–17:00, Fri 08:45–16:30, [open, close); GMT in winter, BST (UTC+1) from
// 29 March 2026 01:00 UTC to 25 October 2026 01:00 UTC.
#include "services/router/core/office_hours.h"

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "referral/config/v1/config.pb.h"
#include "referral/v1/routing.pb.h"
#include "services/common/config/config_file.h"
#include "services/common/config/setup.h"
#include "services/router/config.h"
#include "services/common/core/bank_holidays.h"
#include "services/common/core/la_directory.h"
#include "tests/testing/test_setup.h"

namespace referral {
namespace {

using config::v1::Directory;
using config::v1::LocalAuthority;
using v1::RoutingDecision;

constexpr auto kIn = RoutingDecision::IN_HOURS;
constexpr auto kOut = RoutingDecision::OUT_OF_HOURS;
constexpr absl::string_view kBristol = "E06000023";

// ---- helpers ----------------------------------------------------------------------------------

using testing::At;
using testing::London;

// A window and its reason, comparable and printable by name.
struct Window {
  RoutingDecision::Window window;
  RoutingDecision::WindowReason reason;
  bool operator==(const Window&) const = default;
};
void PrintTo(const Window& w, std::ostream* os) {
  *os << RoutingDecision::Window_Name(w.window) << "/"
      << RoutingDecision::WindowReason_Name(w.reason);
}
const Window kInHours{kIn, RoutingDecision::WINDOW_REASON_OFFICE_HOURS};
const Window kOutsideHours{kOut, RoutingDecision::WINDOW_REASON_OUTSIDE_OFFICE_HOURS};
const Window kNonWorkingDay{kOut, RoutingDecision::WINDOW_REASON_NON_WORKING_DAY};
const Window kBankHoliday{kOut, RoutingDecision::WINDOW_REASON_BANK_HOLIDAY};
const Window kLaClosure{kOut, RoutingDecision::WINDOW_REASON_LA_CLOSURE};

Window WindowOf(const OfficeHours& hours, absl::string_view rfc3339) {
  const WindowAt at = hours.At(At(rfc3339));
  return {at.window, at.reason};
}

// DecisionDueBy(), which must succeed; InfinitePast() after a reported failure.
absl::Time DueBy(const OfficeHours& hours, absl::string_view rfc3339,
                 RoutingDecision::Window window) {
  const absl::StatusOr<absl::Time> due = hours.DecisionDueBy(At(rfc3339), window);
  EXPECT_TRUE(due.ok()) << due.status();
  return due.value_or(absl::InfinitePast());
}

// Minutes after local midnight.
constexpr int HM(int hour, int minute) { return hour * 60 + minute; }
using Hours = std::optional<std::pair<int, int>>;

// The shipped default configuration, loaded once for the whole binary.
const absl::StatusOr<RouterSetup>& DefaultSetup() {
  static const auto* const setup = new absl::StatusOr<RouterSetup>(
      LoadRouterSetup(REFERRAL_SOURCE_DIR "/deploy/config/router.yaml"));
  return *setup;
}

// ---- the default configuration: Bristol's front door -----------------------------------------

class DefaultHoursTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(DefaultSetup().ok()) << DefaultSetup().status();
    const RouterSetup& setup = *DefaultSetup();
    const LocalAuthority* bristol = setup.directory->Find(kBristol);
    ASSERT_NE(bristol, nullptr);
    hours_ = std::make_unique<OfficeHours>(
        *bristol, setup.directory->config().default_office_hours(), *setup.holidays, London());
  }

  const OfficeHours& hours() const { return *hours_; }

 private:
  std::unique_ptr<OfficeHours> hours_;
};

// -- daylight saving time --

TEST_F(DefaultHoursTest, InHoursOnMondayAfterClocksGoForward) {
  // Monday 30 March 2026 is BST: 08:00 UTC = 09:00 local, after 08:45.
  EXPECT_EQ(WindowOf(hours(), "2026-03-30T08:00:00Z"), kInHours);
}

TEST_F(DefaultHoursTest, OutOfHoursOnFridayBeforeClocksGoForward) {
  // Friday 27 March 2026 is still GMT: 08:00 UTC = 08:00 local, before 08:45.
  EXPECT_EQ(WindowOf(hours(), "2026-03-27T08:00:00Z"), kOutsideHours);
}

TEST_F(DefaultHoursTest, OpeningFollowsLocalTimeInSummer) {
  // 08:45 BST is 07:45 UTC.
  EXPECT_EQ(WindowOf(hours(), "2026-03-30T07:44:59Z"), kOutsideHours);
  EXPECT_EQ(WindowOf(hours(), "2026-03-30T07:45:00Z"), kInHours);
}

TEST_F(DefaultHoursTest, ClosingFollowsLocalTimeInSummer) {
  // 17:00 BST is 16:00 UTC.
  EXPECT_EQ(WindowOf(hours(), "2026-03-30T15:59:59Z"), kInHours);
  EXPECT_EQ(WindowOf(hours(), "2026-03-30T16:00:00Z"), kOutsideHours);
}

TEST_F(DefaultHoursTest, OpeningFollowsLocalTimeAfterClocksGoBack) {
  // Monday 26 October 2026 is GMT again: 08:45 local is 08:45 UTC.
  EXPECT_EQ(WindowOf(hours(), "2026-10-26T07:45:00Z"), kOutsideHours);
  EXPECT_EQ(WindowOf(hours(), "2026-10-26T08:45:00Z"), kInHours);
}

TEST_F(DefaultHoursTest, InHoursDueAtSameLocalTimeAcrossClocksGoingBack) {
  // Friday 23 Oct 10:00 BST (09:00Z) → Monday 26 Oct 10:00 GMT = 10:00Z: same wall clock,
  // 73 hours later rather than 72.
  EXPECT_EQ(WindowOf(hours(), "2026-10-23T09:00:00Z"), kInHours);
  EXPECT_EQ(DueBy(hours(), "2026-10-23T09:00:00Z", kIn), At("2026-10-26T10:00:00Z"));
}

TEST_F(DefaultHoursTest, InHoursDueAtSameLocalTimeAcrossClocksGoingForward) {
  // Friday 27 Mar 10:00 GMT (10:00Z) → Monday 30 Mar 10:00 BST = 09:00Z.
  EXPECT_EQ(DueBy(hours(), "2026-03-27T10:00:00Z", kIn), At("2026-03-30T09:00:00Z"));
}

TEST_F(DefaultHoursTest, OutOfHoursDueAtLocalCloseAcrossClocksGoingBack) {
  // Friday 23 Oct 18:00 BST (17:00Z) is after Friday's 16:30 close → Monday 26 Oct 17:00 GMT.
  EXPECT_EQ(WindowOf(hours(), "2026-10-23T17:00:00Z"), kOutsideHours);
  EXPECT_EQ(DueBy(hours(), "2026-10-23T17:00:00Z", kOut), At("2026-10-26T17:00:00Z"));
}

TEST_F(DefaultHoursTest, OutOfHoursDueAtLocalCloseAcrossClocksGoingForward) {
  // Saturday 28 Mar 12:00 GMT → Monday 30 Mar 17:00 BST = 16:00Z.
  EXPECT_EQ(DueBy(hours(), "2026-03-28T12:00:00Z", kOut), At("2026-03-30T16:00:00Z"));
}

TEST_F(DefaultHoursTest, RepeatedHourOnSundayClocksGoBackIsNonWorkingDay) {
  // 01:30 local happens twice on Sunday 25 Oct 2026 (00:30Z BST, 01:30Z GMT); both are Sunday,
  // both due by Monday 26 Oct 17:00 GMT.
  EXPECT_EQ(WindowOf(hours(), "2026-10-25T00:30:00Z"), kNonWorkingDay);
  EXPECT_EQ(WindowOf(hours(), "2026-10-25T01:30:00Z"), kNonWorkingDay);
  EXPECT_EQ(DueBy(hours(), "2026-10-25T00:30:00Z", kOut), At("2026-10-26T17:00:00Z"));
  EXPECT_EQ(DueBy(hours(), "2026-10-25T01:30:00Z", kOut), At("2026-10-26T17:00:00Z"));
}

// -- [open, close) boundaries (January 2026: GMT, local = UTC; Mon 5 … Fri 9 Jan) --

TEST_F(DefaultHoursTest, OpensAtExactly0845) {
  EXPECT_EQ(WindowOf(hours(), "2026-01-05T08:44:59Z"), kOutsideHours);
  EXPECT_EQ(WindowOf(hours(), "2026-01-05T08:45:00Z"), kInHours);
}

TEST_F(DefaultHoursTest, ClosesAtExactly1700) {
  EXPECT_EQ(WindowOf(hours(), "2026-01-05T16:59:59Z"), kInHours);
  EXPECT_EQ(WindowOf(hours(), "2026-01-05T17:00:00Z"), kOutsideHours);
}

TEST_F(DefaultHoursTest, FridayClosesAt1630) {
  EXPECT_EQ(WindowOf(hours(), "2026-01-09T16:29:00Z"), kInHours);
  EXPECT_EQ(WindowOf(hours(), "2026-01-09T16:29:59Z"), kInHours);
  EXPECT_EQ(WindowOf(hours(), "2026-01-09T16:30:00Z"), kOutsideHours);
}

TEST_F(DefaultHoursTest, ThursdayIsStillOpenAt1645) {
  EXPECT_EQ(WindowOf(hours(), "2026-01-08T16:45:00Z"), kInHours);
}

TEST_F(DefaultHoursTest, MidnightIsOutsideOfficeHours) {
  EXPECT_EQ(WindowOf(hours(), "2026-01-06T00:00:00Z"), kOutsideHours);
}

// -- weekends --

TEST_F(DefaultHoursTest, SaturdayIsNonWorkingDayDueMondayClose) {
  // Saturday 10 Jan 2026 → Monday 12 Jan 17:00 GMT.
  EXPECT_EQ(WindowOf(hours(), "2026-01-10T12:00:00Z"), kNonWorkingDay);
  EXPECT_EQ(DueBy(hours(), "2026-01-10T12:00:00Z", kOut), At("2026-01-12T17:00:00Z"));
}

TEST_F(DefaultHoursTest, SundayIsNonWorkingDayDueMondayClose) {
  // Sunday 11 Jan 2026, even during what would be office hours → Monday 12 Jan 17:00 GMT.
  EXPECT_EQ(WindowOf(hours(), "2026-01-11T10:00:00Z"), kNonWorkingDay);
  EXPECT_EQ(DueBy(hours(), "2026-01-11T10:00:00Z", kOut), At("2026-01-12T17:00:00Z"));
}

TEST_F(DefaultHoursTest, SummerSaturdayDueMondayCloseInBst) {
  // Saturday 13 June 2026 10:00 BST → Monday 15 June 17:00 BST = 16:00Z.
  EXPECT_EQ(WindowOf(hours(), "2026-06-13T09:00:00Z"), kNonWorkingDay);
  EXPECT_EQ(DueBy(hours(), "2026-06-13T09:00:00Z", kOut), At("2026-06-15T16:00:00Z"));
}

// -- day schedules --

TEST_F(DefaultHoursTest, ScheduleOfOrdinaryWeekday) {
  const DaySchedule monday = hours().ScheduleFor(absl::CivilDay(2026, 1, 5));
  EXPECT_EQ(monday.hours, Hours(std::make_pair(HM(8, 45), HM(17, 0))));
  EXPECT_EQ(monday.reason, RoutingDecision::WINDOW_REASON_OFFICE_HOURS);
  EXPECT_EQ(monday.title, "");
  EXPECT_FALSE(monday.special);
}

TEST_F(DefaultHoursTest, ScheduleOfFridayClosesEarly) {
  EXPECT_EQ(hours().ScheduleFor(absl::CivilDay(2026, 1, 9)).hours,
            Hours(std::make_pair(HM(8, 45), HM(16, 30))));
}

TEST_F(DefaultHoursTest, ScheduleOfWeekendDayIsClosed) {
  const DaySchedule sunday = hours().ScheduleFor(absl::CivilDay(2026, 1, 11));
  EXPECT_EQ(sunday.hours, std::nullopt);
  EXPECT_EQ(sunday.reason, RoutingDecision::WINDOW_REASON_NON_WORKING_DAY);
  EXPECT_EQ(sunday.title, "");
}

// -- every kind of bank holiday in deploy/config/bank-holidays.json --

struct Holiday {
  absl::CivilDay day;
  const char* title;  // the file's title, with its notes in brackets ("Substitute day")
  const char* noon;   // 12:00 local that day, RFC 3339
  const char* name;   // test name suffix
};

class BankHolidayTest : public DefaultHoursTest, public ::testing::WithParamInterface<Holiday> {};

TEST_P(BankHolidayTest, ScheduleIsClosedWithTitle) {
  const DaySchedule schedule = hours().ScheduleFor(GetParam().day);
  EXPECT_EQ(schedule.hours, std::nullopt);
  EXPECT_EQ(schedule.reason, RoutingDecision::WINDOW_REASON_BANK_HOLIDAY);
  EXPECT_EQ(schedule.title, GetParam().title);
  EXPECT_FALSE(schedule.special);
}

TEST_P(BankHolidayTest, NoonIsOutOfHours) {
  EXPECT_EQ(WindowOf(hours(), GetParam().noon), kBankHoliday);
}

// "New Year’s Day" in the file uses U+2019 RIGHT SINGLE QUOTATION MARK.
#define NEW_YEARS_DAY "New Year\xE2\x80\x99s Day"

INSTANTIATE_TEST_SUITE_P(
    EnglandAndWales, BankHolidayTest,
    ::testing::Values(
        Holiday{absl::CivilDay(2026, 1, 1), NEW_YEARS_DAY, "2026-01-01T12:00:00Z", "NewYear2026"},
        Holiday{absl::CivilDay(2026, 4, 3), "Good Friday", "2026-04-03T12:00:00+01:00",
                "GoodFriday2026"},
        Holiday{absl::CivilDay(2026, 4, 6), "Easter Monday", "2026-04-06T12:00:00+01:00",
                "EasterMonday2026"},
        Holiday{absl::CivilDay(2026, 5, 4), "Early May bank holiday", "2026-05-04T12:00:00+01:00",
                "EarlyMay2026"},
        Holiday{absl::CivilDay(2026, 5, 25), "Spring bank holiday", "2026-05-25T12:00:00+01:00",
                "Spring2026"},
        Holiday{absl::CivilDay(2026, 8, 31), "Summer bank holiday", "2026-08-31T12:00:00+01:00",
                "Summer2026"},
        Holiday{absl::CivilDay(2026, 12, 25), "Christmas Day", "2026-12-25T12:00:00Z",
                "Christmas2026"},
        // Boxing Day 2026 is a Saturday; Monday 28 Dec is the substitute.
        Holiday{absl::CivilDay(2026, 12, 28), "Boxing Day (Substitute day)", "2026-12-28T12:00:00Z",
                "BoxingDaySubstitute2026"},
        // Christmas 2027 is a Saturday, Boxing Day a Sunday: Monday 27 and Tuesday 28 Dec.
        Holiday{absl::CivilDay(2027, 12, 27), "Christmas Day (Substitute day)", "2027-12-27T12:00:00Z",
                "ChristmasSubstitute2027"},
        Holiday{absl::CivilDay(2027, 12, 28), "Boxing Day (Substitute day)", "2027-12-28T12:00:00Z",
                "BoxingDaySubstitute2027"},
        // 1 January 2028 is a Saturday: Monday 3 January is the substitute.
        Holiday{absl::CivilDay(2028, 1, 3), NEW_YEARS_DAY " (Substitute day)", "2028-01-03T12:00:00Z",
                "NewYearSubstitute2028"}),
    [](const ::testing::TestParamInfo<Holiday>& info) { return std::string(info.param.name); });

#undef NEW_YEARS_DAY

// -- decision due times --

TEST_F(DefaultHoursTest, InHoursDueSameTimeNextDay) {
  // Monday 5 Jan 10:00 → Tuesday 6 Jan 10:00.
  EXPECT_EQ(DueBy(hours(), "2026-01-05T10:00:00Z", kIn), At("2026-01-06T10:00:00Z"));
}

TEST_F(DefaultHoursTest, InHoursDueKeepsSecondsAndFraction) {
  EXPECT_EQ(DueBy(hours(), "2026-01-05T10:15:30.123456789Z", kIn),
            At("2026-01-06T10:15:30.123456789Z"));
}

TEST_F(DefaultHoursTest, InHoursOnFridayDueMonday) {
  EXPECT_EQ(DueBy(hours(), "2026-01-09T10:00:00Z", kIn), At("2026-01-12T10:00:00Z"));
}

TEST_F(DefaultHoursTest, InHoursOnThursdayAfterFridayCloseDueSameTimeFriday) {
  // The rule is "same local time on the next working day", even when that is after Friday's
  // 16:30 close: Thursday 8 Jan 16:45 → Friday 9 Jan 16:45.
  EXPECT_EQ(DueBy(hours(), "2026-01-08T16:45:00Z", kIn), At("2026-01-09T16:45:00Z"));
}

TEST_F(DefaultHoursTest, InHoursBeforeEasterDueAfterEasterMonday) {
  // Thursday 2 April 2026 10:00 BST: Good Friday, the weekend and Easter Monday are skipped →
  // Tuesday 7 April 10:00 BST = 09:00Z.
  EXPECT_EQ(DueBy(hours(), "2026-04-02T10:00:00+01:00", kIn), At("2026-04-07T09:00:00Z"));
}

TEST_F(DefaultHoursTest, InHoursOnChristmasEve2026DueTuesday29th) {
  // Thursday 24 Dec 10:00 → Fri 25 (Christmas), Sat, Sun, Mon 28 (substitute) → Tue 29 10:00.
  EXPECT_EQ(DueBy(hours(), "2026-12-24T10:00:00Z", kIn), At("2026-12-29T10:00:00Z"));
}

TEST_F(DefaultHoursTest, InHoursOnChristmasEve2027SkipsBothSubstituteDays) {
  // Friday 24 Dec 2027 10:00 → Sat, Sun, Mon 27 and Tue 28 (substitutes) → Wed 29 10:00.
  EXPECT_EQ(DueBy(hours(), "2027-12-24T10:00:00Z", kIn), At("2027-12-29T10:00:00Z"));
}

TEST_F(DefaultHoursTest, InHoursOnNewYearsEve2027SkipsNewYearSubstitute) {
  // Friday 31 Dec 2027 11:00 → Sat 1, Sun 2, Mon 3 Jan (substitute) → Tue 4 Jan 2028 11:00.
  EXPECT_EQ(DueBy(hours(), "2027-12-31T11:00:00Z", kIn), At("2028-01-04T11:00:00Z"));
}

TEST_F(DefaultHoursTest, OutOfHoursBeforeOpeningDueSameDayClose) {
  // Monday 5 Jan 07:00: Monday's opening (08:45) is after the moment → Monday 17:00.
  EXPECT_EQ(WindowOf(hours(), "2026-01-05T07:00:00Z"), kOutsideHours);
  EXPECT_EQ(DueBy(hours(), "2026-01-05T07:00:00Z", kOut), At("2026-01-05T17:00:00Z"));
}

TEST_F(DefaultHoursTest, OutOfHoursAfterClosingDueNextDayClose) {
  // Monday 5 Jan 18:00 → Tuesday 6 Jan 17:00.
  EXPECT_EQ(DueBy(hours(), "2026-01-05T18:00:00Z", kOut), At("2026-01-06T17:00:00Z"));
}

TEST_F(DefaultHoursTest, OutOfHoursAtThursdayCloseDueFridayEarlyClose) {
  // Thursday 8 Jan 17:00:00 (just closed) → Friday 9 Jan's close, 16:30.
  EXPECT_EQ(DueBy(hours(), "2026-01-08T17:00:00Z", kOut), At("2026-01-09T16:30:00Z"));
}

TEST_F(DefaultHoursTest, OutOfHoursOnFridayEveningDueMondayClose) {
  // Friday 9 Jan 18:00 → Monday 12 Jan 17:00.
  EXPECT_EQ(DueBy(hours(), "2026-01-09T18:00:00Z", kOut), At("2026-01-12T17:00:00Z"));
}

TEST_F(DefaultHoursTest, OutOfHoursOnChristmasEve2026EveningDueTuesday29thClose) {
  // Thursday 24 Dec 19:00 → Fri 25, Sat, Sun, Mon 28 closed → Tuesday 29 Dec 17:00 GMT.
  EXPECT_EQ(DueBy(hours(), "2026-12-24T19:00:00Z", kOut), At("2026-12-29T17:00:00Z"));
}

TEST_F(DefaultHoursTest, OutOfHoursOnGoodFridayDueTuesdayAfterEasterClose) {
  // Good Friday 3 April 2026 12:00 BST → Tuesday 7 April 17:00 BST = 16:00Z.
  EXPECT_EQ(DueBy(hours(), "2026-04-03T11:00:00Z", kOut), At("2026-04-07T16:00:00Z"));
}

TEST_F(DefaultHoursTest, OutOfHoursOnEarlyMayBankHolidayDueTuesdayClose) {
  // Monday 4 May 2026 09:00 BST is a bank holiday → Tuesday 5 May 17:00 BST = 16:00Z.
  EXPECT_EQ(WindowOf(hours(), "2026-05-04T08:00:00Z"), kBankHoliday);
  EXPECT_EQ(DueBy(hours(), "2026-05-04T08:00:00Z", kOut), At("2026-05-05T16:00:00Z"));
}

// ---- directories built in the test: LA hours, closures, special hours -------------------------

// Bank holidays in the GOV.UK format: one holiday per precedence case.
constexpr absl::string_view kHolidaysJson = R"json({
  "england-and-wales": {"division": "england-and-wales", "events": [
    {"title": "Summer bank holiday", "date": "2026-08-31", "notes": "", "bunting": true},
    {"title": "Christmas Day", "date": "2026-12-25", "notes": "", "bunting": true}
  ]}
})json";

// Bristol: default hours with closures and special hours (dates in 2026: Mon 15 June is a closure
// that also has special hours; Tue 16 June a plain closure; Sat 20 June opens specially;
// Mon 31 Aug is a bank holiday with special hours; Thu 31 Dec closes at 13:00; Fri 25 Dec is
// both a bank holiday and a closure).
// Somerset: its own weekly hours, 09:00–17:30 Monday to Thursday only.
// North Somerset: Monday 08:45–17:00 and Saturday mornings 09:00–12:00.
constexpr absl::string_view kDirectoryYaml = R"yaml(
time_zone: Europe/London
default_office_hours:
  monday:    {open: "08:45", close: "17:00"}
  tuesday:   {open: "08:45", close: "17:00"}
  wednesday: {open: "08:45", close: "17:00"}
  thursday:  {open: "08:45", close: "17:00"}
  friday:    {open: "08:45", close: "16:30"}
local_authorities:
  - gss_code: E06000023
    name: Bristol
    edt_id: avon
    closure_dates: ["2026-06-15", "2026-06-16", "2026-12-25"]
    special_hours:
      - {date: "2026-06-15", hours: {open: "10:00", close: "12:00"}}
      - {date: "2026-06-20", hours: {open: "09:00", close: "13:00"}}
      - {date: "2026-08-31", hours: {open: "10:00", close: "14:00"}}
      - {date: "2026-12-31", hours: {open: "08:45", close: "13:00"}}
  - gss_code: E06000066
    name: Somerset
    edt_id: somerset
    office_hours:
      monday:    {open: "09:00", close: "17:30"}
      tuesday:   {open: "09:00", close: "17:30"}
      wednesday: {open: "09:00", close: "17:30"}
      thursday:  {open: "09:00", close: "17:30"}
  - gss_code: E06000024
    name: North Somerset
    edt_id: avon
    office_hours:
      monday:    {open: "08:45", close: "17:00"}
      saturday:  {open: "09:00", close: "12:00"}
)yaml";

absl::StatusOr<LaDirectory> DirectoryFrom(absl::string_view yaml) {
  Directory config;
  if (absl::Status status = ParseConfigText(yaml, "test directory", config); !status.ok()) {
    return status;
  }
  return LaDirectory::Create(std::move(config));
}

class CustomHoursTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<BankHolidays> holidays = ParseBankHolidays(kHolidaysJson, "england-and-wales");
    ASSERT_TRUE(holidays.ok()) << holidays.status();
    holidays_ = *std::move(holidays);
    absl::StatusOr<LaDirectory> directory = DirectoryFrom(kDirectoryYaml);
    ASSERT_TRUE(directory.ok()) << directory.status();
    directory_ = std::make_unique<LaDirectory>(*std::move(directory));
    bristol_ = HoursOf("E06000023");
    somerset_ = HoursOf("E06000066");
    north_somerset_ = HoursOf("E06000024");
  }

  std::unique_ptr<OfficeHours> HoursOf(absl::string_view gss_code) {
    const LocalAuthority* la = directory_->Find(gss_code);
    EXPECT_NE(la, nullptr) << gss_code;
    if (la == nullptr) return nullptr;
    return std::make_unique<OfficeHours>(*la, directory_->config().default_office_hours(),
                                         holidays_, London());
  }

  const OfficeHours& bristol() const { return *bristol_; }
  const OfficeHours& somerset() const { return *somerset_; }
  const OfficeHours& north_somerset() const { return *north_somerset_; }

 private:
  BankHolidays holidays_;
  std::unique_ptr<LaDirectory> directory_;
  std::unique_ptr<OfficeHours> bristol_;
  std::unique_ptr<OfficeHours> somerset_;
  std::unique_ptr<OfficeHours> north_somerset_;
};

// Weekend hours: open on Saturday mornings, [09:00, 12:00) local time, and still closed on
// Sunday. Saturday 13 June 2026 is BST; Saturday 10 January GMT.
TEST_F(CustomHoursTest, SaturdayMorningHoursOpenSaturdayOnlyAndNotSunday) {
  EXPECT_EQ(WindowOf(north_somerset(), "2026-06-13T08:59:00+01:00"), kOutsideHours);
  EXPECT_EQ(WindowOf(north_somerset(), "2026-06-13T09:00:00+01:00"), kInHours);
  EXPECT_EQ(WindowOf(north_somerset(), "2026-06-13T11:59:00+01:00"), kInHours);
  EXPECT_EQ(WindowOf(north_somerset(), "2026-06-13T12:00:00+01:00"), kOutsideHours);
  EXPECT_EQ(WindowOf(north_somerset(), "2026-01-10T09:30:00Z"), kInHours);
  EXPECT_EQ(WindowOf(north_somerset(), "2026-06-14T10:00:00+01:00"), kNonWorkingDay);
  EXPECT_EQ(north_somerset().ScheduleFor(absl::CivilDay(2026, 6, 14)).hours, std::nullopt);
  EXPECT_EQ(north_somerset().ScheduleFor(absl::CivilDay(2026, 6, 13)).hours,
            Hours(std::make_pair(HM(9, 0), HM(12, 0))));
  // Out of hours on Friday evening, the decision is due at Saturday's close, not Monday's.
  EXPECT_EQ(DueBy(north_somerset(), "2026-06-12T18:00:00+01:00", kOut), At("2026-06-13T11:00:00Z"));
  // Out of hours on Saturday afternoon: Sunday is closed, due Monday's close.
  EXPECT_EQ(DueBy(north_somerset(), "2026-06-13T13:00:00+01:00", kOut), At("2026-06-15T16:00:00Z"));
}

TEST_F(CustomHoursTest, ClosureDateIsOutOfHoursWithLaClosure) {
  // Tuesday 16 June 2026 10:00 BST would be in hours.
  EXPECT_EQ(WindowOf(bristol(), "2026-06-16T10:00:00+01:00"), kLaClosure);
  const DaySchedule schedule = bristol().ScheduleFor(absl::CivilDay(2026, 6, 16));
  EXPECT_EQ(schedule.hours, std::nullopt);
  EXPECT_EQ(schedule.reason, RoutingDecision::WINDOW_REASON_LA_CLOSURE);
}

TEST_F(CustomHoursTest, ClosureBeatsSpecialHours) {
  // Monday 15 June has both; 11:00 BST is inside the special 10:00–12:00 but the day is closed.
  EXPECT_EQ(WindowOf(bristol(), "2026-06-15T11:00:00+01:00"), kLaClosure);
  EXPECT_FALSE(bristol().ScheduleFor(absl::CivilDay(2026, 6, 15)).special);
}

TEST_F(CustomHoursTest, ClosureBeatsBankHoliday) {
  const DaySchedule christmas = bristol().ScheduleFor(absl::CivilDay(2026, 12, 25));
  EXPECT_EQ(christmas.hours, std::nullopt);
  EXPECT_EQ(christmas.reason, RoutingDecision::WINDOW_REASON_LA_CLOSURE);
  EXPECT_EQ(christmas.title, "");
}

TEST_F(CustomHoursTest, SpecialHoursBeatBankHoliday) {
  // Summer bank holiday, Monday 31 Aug 2026, opened 10:00–14:00 BST.
  const DaySchedule schedule = bristol().ScheduleFor(absl::CivilDay(2026, 8, 31));
  EXPECT_EQ(schedule.hours, Hours(std::make_pair(HM(10, 0), HM(14, 0))));
  EXPECT_EQ(schedule.reason, RoutingDecision::WINDOW_REASON_OFFICE_HOURS);
  EXPECT_EQ(schedule.title, "");
  EXPECT_TRUE(schedule.special);
  EXPECT_EQ(WindowOf(bristol(), "2026-08-31T09:59:59+01:00"), kOutsideHours);
  EXPECT_EQ(WindowOf(bristol(), "2026-08-31T10:00:00+01:00"), kInHours);
  EXPECT_EQ(WindowOf(bristol(), "2026-08-31T14:00:00+01:00"), kOutsideHours);
}

TEST_F(CustomHoursTest, BankHolidayBeatsWeeklyHours) {
  // Without closures or special hours, Christmas Day (a Friday) is a bank holiday for Somerset
  // too, even though Somerset is not open on Fridays anyway.
  const DaySchedule schedule = somerset().ScheduleFor(absl::CivilDay(2026, 12, 25));
  EXPECT_EQ(schedule.reason, RoutingDecision::WINDOW_REASON_BANK_HOLIDAY);
  EXPECT_EQ(schedule.title, "Christmas Day");
}

TEST_F(CustomHoursTest, SpecialHoursCloseEarly) {
  // Thursday 31 Dec 2026 closes at 13:00 GMT instead of 17:00.
  EXPECT_EQ(WindowOf(bristol(), "2026-12-31T12:59:59Z"), kInHours);
  EXPECT_EQ(WindowOf(bristol(), "2026-12-31T13:00:00Z"), kOutsideHours);
}

TEST_F(CustomHoursTest, SpecialHoursOpenAWeekendDay) {
  // Saturday 20 June 2026 09:00–13:00 BST.
  EXPECT_EQ(WindowOf(bristol(), "2026-06-20T09:30:00+01:00"), kInHours);
  EXPECT_EQ(WindowOf(bristol(), "2026-06-20T13:00:00+01:00"), kOutsideHours);
}

TEST_F(CustomHoursTest, InHoursDueSkipsClosureDays) {
  // Friday 12 June 10:00 BST → Sat 13, Sun 14, Mon 15 and Tue 16 (closures) → Wed 17 June
  // 10:00 BST = 09:00Z.
  EXPECT_EQ(DueBy(bristol(), "2026-06-12T10:00:00+01:00", kIn), At("2026-06-17T09:00:00Z"));
}

TEST_F(CustomHoursTest, InHoursDueLandsOnSpecialWeekendDay) {
  // Friday 19 June 10:00 BST → Saturday 20 June is a working day (special hours) → 10:00 BST.
  EXPECT_EQ(DueBy(bristol(), "2026-06-19T10:00:00+01:00", kIn), At("2026-06-20T09:00:00Z"));
}

TEST_F(CustomHoursTest, OutOfHoursDueAtSpecialClose) {
  // Wednesday 30 Dec 18:00 GMT → Thursday 31 Dec closes at 13:00 GMT.
  EXPECT_EQ(DueBy(bristol(), "2026-12-30T18:00:00Z", kOut), At("2026-12-31T13:00:00Z"));
}

TEST_F(CustomHoursTest, OutOfHoursBeforeSpecialOpeningDueSameDaySpecialClose) {
  // Monday 31 Aug 09:00 BST, before the special 10:00 opening → 14:00 BST = 13:00Z.
  EXPECT_EQ(DueBy(bristol(), "2026-08-31T09:00:00+01:00", kOut), At("2026-08-31T13:00:00Z"));
}

TEST_F(CustomHoursTest, OutOfHoursOnClosureDueAfterIt) {
  // Monday 15 June 11:00 BST (closure) → Tue 16 (closure) → Wednesday 17 June 17:00 BST = 16:00Z.
  EXPECT_EQ(DueBy(bristol(), "2026-06-15T11:00:00+01:00", kOut), At("2026-06-17T16:00:00Z"));
}

TEST_F(CustomHoursTest, LaOwnWeeklyHoursReplaceDefaults) {
  // Somerset opens at 09:00 and closes at 17:30 (Monday 5 Jan 2026, GMT).
  EXPECT_EQ(WindowOf(somerset(), "2026-01-05T08:50:00Z"), kOutsideHours);
  EXPECT_EQ(WindowOf(somerset(), "2026-01-05T17:15:00Z"), kInHours);
  EXPECT_EQ(WindowOf(bristol(), "2026-01-05T08:50:00Z"), kInHours);
}

TEST_F(CustomHoursTest, DayAbsentFromLaWeeklyHoursIsNonWorkingDay) {
  // Somerset lists no Friday: Friday 9 Jan 10:00 is out, due Monday 12 Jan 17:30.
  EXPECT_EQ(WindowOf(somerset(), "2026-01-09T10:00:00Z"), kNonWorkingDay);
  EXPECT_EQ(DueBy(somerset(), "2026-01-09T10:00:00Z", kOut), At("2026-01-12T17:30:00Z"));
}

TEST_F(CustomHoursTest, InHoursOnThursdayDueMondayWhenFridayIsNotWorking) {
  // Somerset Thursday 8 Jan 10:00 → Friday is not a working day → Monday 12 Jan 10:00.
  EXPECT_EQ(DueBy(somerset(), "2026-01-08T10:00:00Z", kIn), At("2026-01-12T10:00:00Z"));
}

// ---- validation guarantees a working day ------------------------------------------------------

TEST(OfficeHoursValidationTest, DirectoryWithoutOpenDefaultDayIsRejected) {
  const absl::StatusOr<LaDirectory> directory = DirectoryFrom(R"yaml(
default_office_hours: {}
local_authorities:
  - {gss_code: E06000023, name: Bristol, edt_id: avon}
)yaml");
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(directory.status().message(),
            "default_office_hours: no open day (also the hours of force triage)");
}

TEST(OfficeHoursValidationTest, LaOfficeHoursWithoutOpenDayIsRejected) {
  const absl::StatusOr<LaDirectory> directory = DirectoryFrom(R"yaml(
default_office_hours:
  monday: {open: "08:45", close: "17:00"}
local_authorities:
  - {gss_code: E06000023, name: Bristol, edt_id: avon, office_hours: {}}
)yaml");
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(directory.status().message(),
            "local_authorities[0].office_hours: no open day (omit it to use "
            "default_office_hours)");
}

}  // namespace
}  // namespace referral
