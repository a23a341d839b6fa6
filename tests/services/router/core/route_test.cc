// Router: where a referral goes and with which routing decision, against the shipped default
// configuration and against small directories built in the test.
//
// Expected values come from DESIGN.md §4: in hours → the LA's front door only; out of hours → the
// EDT covering the LA, then a handover copy to the front door (unless the LA's policy is
// URGENT_ONLY and the referral is not IMMEDIATE); no known LA → force triage. Default hours
// Mon–Thu 08:45–17:00, Fri 08:45–16:30, Europe/London. January 2026 dates are GMT (local = UTC):
// Monday 5, Friday 9, Saturday 10, Monday 12.
#include "services/router/core/route.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/util/message_differencer.h"
#include "referral/config/v1/config.pb.h"
#include "referral/v1/referral.pb.h"
#include "referral/v1/routing.pb.h"
#include "services/common/config/config_file.h"
#include "services/common/config/setup.h"
#include "services/router/config.h"
#include "services/common/core/bank_holidays.h"
#include "services/common/core/la_directory.h"
#include "services/common/core/time_util.h"
#include "services/common/core/topics.h"
#include "tests/testing/test_setup.h"

namespace referral {
namespace {

using config::v1::Directory;
using config::v1::Topics;
using google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using ::testing::MatchesRegex;
using v1::Referral;
using v1::RoutingDecision;

constexpr auto kImmediate = Referral::IMMEDIATE;
constexpr auto kStandard = Referral::STANDARD;

constexpr absl::string_view kBathNes = "E06000022";
constexpr absl::string_view kBristol = "E06000023";
constexpr absl::string_view kNorthSomerset = "E06000024";
constexpr absl::string_view kSouthGlos = "E06000025";
constexpr absl::string_view kSomerset = "E06000066";

constexpr absl::string_view kBristolFrontDoor = "referrals.frontdoor.E06000023.v1";
constexpr absl::string_view kAvonEdt = "referrals.edt.avon.v1";
constexpr absl::string_view kSomersetEdt = "referrals.edt.somerset.v1";
constexpr absl::string_view kTriage = "referrals.triage.v1";

// Monday 5 Jan 2026 10:00 GMT: in hours. Monday 5 Jan 18:00 GMT: after closing.
constexpr absl::string_view kMondayMorning = "2026-01-05T10:00:00Z";
constexpr absl::string_view kMondayEvening = "2026-01-05T18:00:00Z";

// ---- helpers ----------------------------------------------------------------------------------

using testing::At;
using testing::London;

std::vector<std::string> Destinations(const RoutingDecision& decision) {
  return {decision.destinations().begin(), decision.destinations().end()};
}

absl::Time DueBy(const RoutingDecision& decision) { return ToAbslTime(decision.decision_due_by()); }

// Decide(), which must succeed.
RoutingDecision MustDecide(const Router& router, absl::string_view la_code,
                           Referral::Urgency urgency, absl::string_view rfc3339) {
  absl::StatusOr<RoutingDecision> decision = router.Decide(la_code, urgency, At(rfc3339));
  EXPECT_TRUE(decision.ok()) << decision.status();
  return decision.value_or(RoutingDecision());
}

// Route(), which must succeed.
std::vector<Delivery> MustRoute(const Router& router, const Referral& referral,
                                absl::string_view rfc3339) {
  absl::StatusOr<std::vector<Delivery>> deliveries = router.Route(referral, At(rfc3339));
  EXPECT_TRUE(deliveries.ok()) << deliveries.status();
  return deliveries.value_or(std::vector<Delivery>());
}

Referral ReferralTo(absl::string_view la_code, Referral::Urgency urgency) {
  Referral referral;
  referral.set_referral_id("6f1c2b9e-0d1a-5b7e-9f3c-2a4d5e6f7a8b");
  referral.set_revision(3);
  referral.set_la_code(std::string(la_code));
  referral.set_urgency(urgency);
  referral.add_concerns("3A");
  referral.add_concerns("16A");
  referral.set_narrative("Officers attended a domestic incident; two children present.");
  referral.set_incident_children_count(2);
  return referral;
}

// The default configuration and a Router over it, built once for the whole binary.
struct DefaultRouting {
  absl::StatusOr<RouterSetup> setup;
  std::unique_ptr<Router> router;
};

const DefaultRouting& Default() {
  static const DefaultRouting* const routing = [] {
    auto* built = new DefaultRouting{LoadRouterSetup(REFERRAL_SOURCE_DIR
                                                     "/deploy/config/router.yaml"),
                                     nullptr};
    if (built->setup.ok()) {
      built->router = std::make_unique<Router>(*built->setup->directory, *built->setup->holidays,
                                               built->setup->topics, London());
    }
    return built;
  }();
  return *routing;
}

class DefaultRouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Default().setup.ok()) << Default().setup.status();
    ASSERT_NE(Default().router, nullptr);
  }

  static const Router& router() { return *Default().router; }
  static const RouterSetup& setup() { return *Default().setup; }
};

// ---- in hours ---------------------------------------------------------------------------------

TEST_F(DefaultRouterTest, InHoursGoesToFrontDoorOnly) {
  const RoutingDecision decision = MustDecide(router(), kBristol, kStandard, kMondayMorning);
  EXPECT_EQ(decision.window(), RoutingDecision::IN_HOURS);
  EXPECT_EQ(decision.window_reason(), RoutingDecision::WINDOW_REASON_OFFICE_HOURS);
  EXPECT_THAT(Destinations(decision), ElementsAre(kBristolFrontDoor));
  EXPECT_EQ(decision.rule_id(), "in_hours.front_door");
}

TEST_F(DefaultRouterTest, InHoursImmediateAlsoGoesToFrontDoorOnly) {
  const RoutingDecision decision = MustDecide(router(), kBristol, kImmediate, kMondayMorning);
  EXPECT_THAT(Destinations(decision), ElementsAre(kBristolFrontDoor));
  EXPECT_EQ(decision.rule_id(), "in_hours.front_door");
}

TEST_F(DefaultRouterTest, InHoursDueSameTimeNextWorkingDay) {
  // Monday 10:00 → Tuesday 6 Jan 10:00.
  EXPECT_EQ(DueBy(MustDecide(router(), kBristol, kStandard, kMondayMorning)),
            At("2026-01-06T10:00:00Z"));
}

TEST_F(DefaultRouterTest, DecideLeavesHandoverAndDeliveredToUnset) {
  const RoutingDecision decision = MustDecide(router(), kBristol, kStandard, kMondayEvening);
  EXPECT_FALSE(decision.handover());
  EXPECT_EQ(decision.delivered_to(), "");
}

TEST_F(DefaultRouterTest, InHoursRouteGivesOneCopyWithoutHandover) {
  const std::vector<Delivery> deliveries =
      MustRoute(router(), ReferralTo(kBristol, kStandard), kMondayMorning);
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(deliveries[0].topic, kBristolFrontDoor);
  EXPECT_EQ(deliveries[0].referral.routing().delivered_to(), kBristolFrontDoor);
  EXPECT_FALSE(deliveries[0].referral.routing().handover());
}

TEST_F(DefaultRouterTest, MondayAfterClocksGoForwardIsInHours) {
  // Monday 30 March 2026 08:00 UTC = 09:00 BST → front door, due Tuesday 31 March 09:00 BST.
  const RoutingDecision decision =
      MustDecide(router(), kBristol, kStandard, "2026-03-30T08:00:00Z");
  EXPECT_EQ(decision.window(), RoutingDecision::IN_HOURS);
  EXPECT_THAT(Destinations(decision), ElementsAre(kBristolFrontDoor));
  EXPECT_EQ(DueBy(decision), At("2026-03-31T08:00:00Z"));
}

// ---- out of hours -----------------------------------------------------------------------------

TEST_F(DefaultRouterTest, OutOfHoursGoesToEdtThenFrontDoor) {
  const RoutingDecision decision = MustDecide(router(), kBristol, kStandard, kMondayEvening);
  EXPECT_EQ(decision.window(), RoutingDecision::OUT_OF_HOURS);
  EXPECT_EQ(decision.window_reason(), RoutingDecision::WINDOW_REASON_OUTSIDE_OFFICE_HOURS);
  EXPECT_THAT(Destinations(decision), ElementsAre(kAvonEdt, kBristolFrontDoor));
  EXPECT_EQ(decision.rule_id(), "out_of_hours.edt_with_handover");
}

TEST_F(DefaultRouterTest, OutOfHoursDueByNextWorkingDayClose) {
  // Monday 18:00 → Tuesday 6 Jan 17:00.
  EXPECT_EQ(DueBy(MustDecide(router(), kBristol, kStandard, kMondayEvening)),
            At("2026-01-06T17:00:00Z"));
}

TEST_F(DefaultRouterTest, FridayBeforeClocksGoForwardIsOutOfHours) {
  // Friday 27 March 2026 08:00 UTC = 08:00 GMT, before 08:45 → EDT + handover, due that Friday's
  // close (16:30 GMT) because its opening comes after the moment.
  const RoutingDecision decision =
      MustDecide(router(), kBristol, kStandard, "2026-03-27T08:00:00Z");
  EXPECT_EQ(decision.window(), RoutingDecision::OUT_OF_HOURS);
  EXPECT_THAT(Destinations(decision), ElementsAre(kAvonEdt, kBristolFrontDoor));
  EXPECT_EQ(DueBy(decision), At("2026-03-27T16:30:00Z"));
}

TEST_F(DefaultRouterTest, WeekendIsOutOfHoursNonWorkingDay) {
  // Saturday 10 Jan → Monday 12 Jan 17:00.
  const RoutingDecision decision =
      MustDecide(router(), kBristol, kStandard, "2026-01-10T12:00:00Z");
  EXPECT_EQ(decision.window(), RoutingDecision::OUT_OF_HOURS);
  EXPECT_EQ(decision.window_reason(), RoutingDecision::WINDOW_REASON_NON_WORKING_DAY);
  EXPECT_THAT(Destinations(decision), ElementsAre(kAvonEdt, kBristolFrontDoor));
  EXPECT_EQ(DueBy(decision), At("2026-01-12T17:00:00Z"));
}

TEST_F(DefaultRouterTest, BankHolidayIsOutOfHoursBankHoliday) {
  // Christmas Day 2026 (Friday) → skip weekend and Monday 28 (Boxing Day substitute) →
  // Tuesday 29 Dec 17:00 GMT.
  const RoutingDecision decision =
      MustDecide(router(), kBristol, kStandard, "2026-12-25T10:00:00Z");
  EXPECT_EQ(decision.window(), RoutingDecision::OUT_OF_HOURS);
  EXPECT_EQ(decision.window_reason(), RoutingDecision::WINDOW_REASON_BANK_HOLIDAY);
  EXPECT_THAT(Destinations(decision), ElementsAre(kAvonEdt, kBristolFrontDoor));
  EXPECT_EQ(DueBy(decision), At("2026-12-29T17:00:00Z"));
}

TEST_F(DefaultRouterTest, OutOfHoursRouteGivesEdtCopyThenHandoverCopy) {
  const std::vector<Delivery> deliveries =
      MustRoute(router(), ReferralTo(kBristol, kStandard), kMondayEvening);
  ASSERT_EQ(deliveries.size(), 2u);
  EXPECT_EQ(deliveries[0].topic, kAvonEdt);
  EXPECT_EQ(deliveries[0].referral.routing().delivered_to(), kAvonEdt);
  EXPECT_FALSE(deliveries[0].referral.routing().handover());
  EXPECT_EQ(deliveries[1].topic, kBristolFrontDoor);
  EXPECT_EQ(deliveries[1].referral.routing().delivered_to(), kBristolFrontDoor);
  EXPECT_TRUE(deliveries[1].referral.routing().handover());
}

TEST_F(DefaultRouterTest, EveryCopyCarriesTheWholeDecision) {
  const std::vector<Delivery> deliveries =
      MustRoute(router(), ReferralTo(kBristol, kStandard), kMondayEvening);
  ASSERT_EQ(deliveries.size(), 2u);
  for (const Delivery& delivery : deliveries) {
    SCOPED_TRACE(delivery.topic);
    const RoutingDecision& routing = delivery.referral.routing();
    EXPECT_EQ(routing.window(), RoutingDecision::OUT_OF_HOURS);
    EXPECT_EQ(routing.window_reason(), RoutingDecision::WINDOW_REASON_OUTSIDE_OFFICE_HOURS);
    EXPECT_THAT(Destinations(routing), ElementsAre(kAvonEdt, kBristolFrontDoor));
    EXPECT_EQ(routing.rule_id(), "out_of_hours.edt_with_handover");
    EXPECT_EQ(ToAbslTime(routing.decided_at()), At(kMondayEvening));
    EXPECT_EQ(DueBy(routing), At("2026-01-06T17:00:00Z"));
    EXPECT_EQ(routing.calendar_version(), setup().holidays->version());
  }
}

TEST_F(DefaultRouterTest, RouteEachHandsOverEveryCopyInTurnAsRouteGivesThem) {
  const std::vector<Delivery> copies = MustRoute(router(), ReferralTo(kBristol, kStandard), kMondayEvening);
  Referral referral = ReferralTo(kBristol, kStandard);
  std::vector<Delivery> seen;
  const absl::Status status =
      router().RouteEach(referral, At(kMondayEvening), [&](const std::string& topic, const Referral& copy) {
        seen.push_back(Delivery{topic, copy});
        return absl::OkStatus();
      });
  ASSERT_TRUE(status.ok()) << status;
  // Stated outright too, since Route() is built on RouteEach(): the EDT copy, then the handover.
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].topic, kAvonEdt);
  EXPECT_EQ(seen[0].referral.routing().delivered_to(), kAvonEdt);
  EXPECT_FALSE(seen[0].referral.routing().handover());
  EXPECT_EQ(seen[1].topic, kBristolFrontDoor);
  EXPECT_EQ(seen[1].referral.routing().delivered_to(), kBristolFrontDoor);
  EXPECT_TRUE(seen[1].referral.routing().handover());
  ASSERT_EQ(seen.size(), copies.size());
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].topic, copies[i].topic);
    EXPECT_TRUE(MessageDifferencer::Equals(seen[i].referral, copies[i].referral)) << i;
  }
}

TEST_F(DefaultRouterTest, RouteEachStopsAtTheFirstCopyItsCallerRefuses) {
  Referral referral = ReferralTo(kBristol, kStandard);
  int calls = 0;
  const absl::Status status =
      router().RouteEach(referral, At(kMondayEvening), [&](const std::string&, const Referral&) {
        ++calls;
        return absl::InvalidArgumentError("cannot encode");
      });
  EXPECT_EQ(status, absl::InvalidArgumentError("cannot encode"));
  EXPECT_EQ(calls, 1);  // the EDT copy; the handover copy is never offered
}

TEST_F(DefaultRouterTest, FormerAvonAuthoritiesShareAvonEdt) {
  for (absl::string_view la : {kBathNes, kBristol, kNorthSomerset, kSouthGlos}) {
    SCOPED_TRACE(la);
    const RoutingDecision decision = MustDecide(router(), la, kStandard, kMondayEvening);
    EXPECT_THAT(Destinations(decision),
                ElementsAre(kAvonEdt, "referrals.frontdoor." + std::string(la) + ".v1"));
  }
}

TEST_F(DefaultRouterTest, SomersetOutOfHoursGoesToSomersetEdt) {
  const RoutingDecision decision = MustDecide(router(), kSomerset, kStandard, kMondayEvening);
  EXPECT_THAT(Destinations(decision),
              ElementsAre(kSomersetEdt, "referrals.frontdoor.E06000066.v1"));
  EXPECT_EQ(decision.rule_id(), "out_of_hours.edt_with_handover");
}

TEST_F(DefaultRouterTest, SomersetInHoursGoesToItsFrontDoor) {
  const RoutingDecision decision = MustDecide(router(), kSomerset, kImmediate, kMondayMorning);
  EXPECT_THAT(Destinations(decision), ElementsAre("referrals.frontdoor.E06000066.v1"));
}

// ---- force triage -----------------------------------------------------------------------------

TEST_F(DefaultRouterTest, UnknownLaGoesToTriage) {
  // The City of London is not an Avon and Somerset LA.
  const RoutingDecision decision = MustDecide(router(), "E09000001", kStandard, kMondayEvening);
  EXPECT_THAT(Destinations(decision), ElementsAre(kTriage));
  EXPECT_EQ(decision.rule_id(), "triage.la_not_in_directory");
}

TEST_F(DefaultRouterTest, EmptyLaGoesToTriageAsUnresolved) {
  const RoutingDecision decision = MustDecide(router(), "", kImmediate, kMondayEvening);
  EXPECT_THAT(Destinations(decision), ElementsAre(kTriage));
  EXPECT_EQ(decision.rule_id(), "triage.la_unresolved");
}

TEST_F(DefaultRouterTest, TriageInHoursUsesDefaultOfficeHours) {
  // Monday 10:00 is inside the default hours → IN_HOURS, due Tuesday 10:00.
  const RoutingDecision decision = MustDecide(router(), "", kStandard, kMondayMorning);
  EXPECT_EQ(decision.window(), RoutingDecision::IN_HOURS);
  EXPECT_EQ(decision.window_reason(), RoutingDecision::WINDOW_REASON_OFFICE_HOURS);
  EXPECT_THAT(Destinations(decision), ElementsAre(kTriage));
  EXPECT_EQ(DueBy(decision), At("2026-01-06T10:00:00Z"));
}

TEST_F(DefaultRouterTest, TriageOutOfHoursOnWeekendDueMondayClose) {
  // Saturday 10 Jan → OUT_OF_HOURS / NON_WORKING_DAY, due Monday 12 Jan 17:00.
  const RoutingDecision decision =
      MustDecide(router(), "E09000001", kStandard, "2026-01-10T12:00:00Z");
  EXPECT_EQ(decision.window(), RoutingDecision::OUT_OF_HOURS);
  EXPECT_EQ(decision.window_reason(), RoutingDecision::WINDOW_REASON_NON_WORKING_DAY);
  EXPECT_THAT(Destinations(decision), ElementsAre(kTriage));
  EXPECT_EQ(DueBy(decision), At("2026-01-12T17:00:00Z"));
}

TEST_F(DefaultRouterTest, TriageHonoursBankHolidays) {
  // Boxing Day substitute, Monday 28 Dec 2026 → Tuesday 29 Dec 17:00.
  const RoutingDecision decision = MustDecide(router(), "", kStandard, "2026-12-28T10:00:00Z");
  EXPECT_EQ(decision.window_reason(), RoutingDecision::WINDOW_REASON_BANK_HOLIDAY);
  EXPECT_EQ(DueBy(decision), At("2026-12-29T17:00:00Z"));
}

TEST_F(DefaultRouterTest, TriageRouteGivesOneCopyWithoutHandover) {
  const std::vector<Delivery> deliveries =
      MustRoute(router(), ReferralTo("", kImmediate), kMondayEvening);
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(deliveries[0].topic, kTriage);
  EXPECT_EQ(deliveries[0].referral.routing().delivered_to(), kTriage);
  EXPECT_FALSE(deliveries[0].referral.routing().handover());
}

// ---- decision metadata ------------------------------------------------------------------------

TEST_F(DefaultRouterTest, CalendarVersionIsTheBankHolidaysVersion) {
  const RoutingDecision decision = MustDecide(router(), kBristol, kStandard, kMondayMorning);
  EXPECT_EQ(decision.calendar_version(), setup().holidays->version());
  // "<division>@<first 12 hex digits of the file's SHA-256>".
  EXPECT_THAT(decision.calendar_version(), MatchesRegex("england-and-wales@[0-9a-f]{12}"));
}

TEST_F(DefaultRouterTest, DecidedAtIsTheRoutingMoment) {
  const absl::string_view now = "2026-01-05T10:15:30.123456789Z";
  const RoutingDecision decision = MustDecide(router(), kBristol, kStandard, now);
  // 2026-01-05T00:00:00Z is 1767571200 (20458 days × 86400); + 10:15:30.
  EXPECT_EQ(decision.decided_at().seconds(), 1767571200 + 10 * 3600 + 15 * 60 + 30);
  EXPECT_EQ(decision.decided_at().nanos(), 123456789);
}

TEST_F(DefaultRouterTest, RouteKeepsTheRestOfTheReferral) {
  const Referral original = ReferralTo(kBristol, kImmediate);
  const std::vector<Delivery> deliveries = MustRoute(router(), original, kMondayEvening);
  ASSERT_EQ(deliveries.size(), 2u);
  for (const Delivery& delivery : deliveries) {
    SCOPED_TRACE(delivery.topic);
    Referral without_routing = delivery.referral;
    without_routing.clear_routing();
    EXPECT_TRUE(MessageDifferencer::Equals(without_routing, original))
        << without_routing.DebugString();
  }
}

TEST_F(DefaultRouterTest, RouteReplacesAnEarlierRouting) {
  // A referral re-routed in hours must not keep an earlier out-of-hours handover or rule.
  Referral referral = ReferralTo(kBristol, kStandard);
  referral.mutable_routing()->set_handover(true);
  referral.mutable_routing()->set_rule_id("out_of_hours.edt_with_handover");
  referral.mutable_routing()->add_destinations(std::string(kAvonEdt));
  const std::vector<Delivery> deliveries = MustRoute(router(), referral, kMondayMorning);
  ASSERT_EQ(deliveries.size(), 1u);
  const RoutingDecision& routing = deliveries[0].referral.routing();
  EXPECT_FALSE(routing.handover());
  EXPECT_EQ(routing.rule_id(), "in_hours.front_door");
  EXPECT_THAT(Destinations(routing), ElementsAre(kBristolFrontDoor));
}

TEST_F(DefaultRouterTest, HoursForKnownAndUnknownLa) {
  EXPECT_NE(router().HoursFor(kBristol), nullptr);
  EXPECT_EQ(router().HoursFor("E09000001"), nullptr);
}

// ---- directories built in the test: policies, closures, topics --------------------------------

constexpr absl::string_view kHolidaysJson = R"json({
  "england-and-wales": {"events": [{"title": "Christmas Day", "date": "2026-12-25"}]}
})json";

// Bristol with URGENT_ONLY; North Somerset with no policy (means ALL) and a closure on Monday
// 5 Jan 2026.
constexpr absl::string_view kDirectoryYaml = R"yaml(
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
    out_of_hours_policy: URGENT_ONLY
  - gss_code: E06000024
    name: North Somerset
    edt_id: avon
    closure_dates: ["2026-01-05"]
)yaml";

class CustomRouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<BankHolidays> holidays = ParseBankHolidays(kHolidaysJson, "england-and-wales");
    ASSERT_TRUE(holidays.ok()) << holidays.status();
    holidays_ = *std::move(holidays);
    Directory config;
    ASSERT_TRUE(ParseConfigText(kDirectoryYaml, "test directory", config).ok());
    absl::StatusOr<LaDirectory> directory = LaDirectory::Create(std::move(config));
    ASSERT_TRUE(directory.ok()) << directory.status();
    directory_ = std::make_unique<LaDirectory>(*std::move(directory));
  }

  std::unique_ptr<Router> MakeRouter(Topics topics = Topics()) const {
    return std::make_unique<Router>(*directory_, holidays_, WithDefaults(std::move(topics)),
                                    London());
  }

  BankHolidays holidays_;
  std::unique_ptr<LaDirectory> directory_;
};

TEST_F(CustomRouterTest, UrgentOnlyStandardOutOfHoursGoesToFrontDoorOnly) {
  const auto router = MakeRouter();
  const RoutingDecision decision = MustDecide(*router, kBristol, kStandard, kMondayEvening);
  EXPECT_EQ(decision.window(), RoutingDecision::OUT_OF_HOURS);
  EXPECT_THAT(Destinations(decision), ElementsAre(kBristolFrontDoor));
  EXPECT_EQ(decision.rule_id(), "out_of_hours.urgent_only.front_door");
  // Still out of hours: due by Tuesday's close.
  EXPECT_EQ(DueBy(decision), At("2026-01-06T17:00:00Z"));
}

TEST_F(CustomRouterTest, UrgentOnlyStandardRouteIsOneCopyWithoutHandover) {
  const auto router = MakeRouter();
  const std::vector<Delivery> deliveries =
      MustRoute(*router, ReferralTo(kBristol, kStandard), kMondayEvening);
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(deliveries[0].topic, kBristolFrontDoor);
  EXPECT_EQ(deliveries[0].referral.routing().delivered_to(), kBristolFrontDoor);
  EXPECT_FALSE(deliveries[0].referral.routing().handover());
}

TEST_F(CustomRouterTest, UrgentOnlyUnspecifiedUrgencyIsNotUrgent) {
  const auto router = MakeRouter();
  const RoutingDecision decision =
      MustDecide(*router, kBristol, Referral::URGENCY_UNSPECIFIED, kMondayEvening);
  EXPECT_THAT(Destinations(decision), ElementsAre(kBristolFrontDoor));
  EXPECT_EQ(decision.rule_id(), "out_of_hours.urgent_only.front_door");
}

TEST_F(CustomRouterTest, UrgentOnlyImmediateGoesToEdtWithHandover) {
  const auto router = MakeRouter();
  const std::vector<Delivery> deliveries =
      MustRoute(*router, ReferralTo(kBristol, kImmediate), kMondayEvening);
  ASSERT_EQ(deliveries.size(), 2u);
  EXPECT_EQ(deliveries[0].topic, kAvonEdt);
  EXPECT_FALSE(deliveries[0].referral.routing().handover());
  EXPECT_EQ(deliveries[1].topic, kBristolFrontDoor);
  EXPECT_TRUE(deliveries[1].referral.routing().handover());
  EXPECT_EQ(deliveries[1].referral.routing().rule_id(), "out_of_hours.edt_with_handover");
}

TEST_F(CustomRouterTest, UrgentOnlyInHoursIsStillFrontDoor) {
  const auto router = MakeRouter();
  const RoutingDecision decision = MustDecide(*router, kBristol, kStandard, "2026-01-06T10:00:00Z");
  EXPECT_THAT(Destinations(decision), ElementsAre(kBristolFrontDoor));
  EXPECT_EQ(decision.rule_id(), "in_hours.front_door");
}

TEST_F(CustomRouterTest, UnspecifiedPolicyMeansAll) {
  // North Somerset lists no policy: a STANDARD referral out of hours still goes to the EDT.
  const auto router = MakeRouter();
  const RoutingDecision decision =
      MustDecide(*router, kNorthSomerset, kStandard, "2026-01-06T18:00:00Z");
  EXPECT_THAT(Destinations(decision), ElementsAre(kAvonEdt, "referrals.frontdoor.E06000024.v1"));
  EXPECT_EQ(decision.rule_id(), "out_of_hours.edt_with_handover");
}

TEST_F(CustomRouterTest, LaClosureIsOutOfHoursForThatLaOnly) {
  // Monday 5 Jan 10:00 is a North Somerset closure day (due Tuesday 17:00) but a normal
  // working day for Bristol.
  const auto router = MakeRouter();
  const RoutingDecision closed = MustDecide(*router, kNorthSomerset, kStandard, kMondayMorning);
  EXPECT_EQ(closed.window(), RoutingDecision::OUT_OF_HOURS);
  EXPECT_EQ(closed.window_reason(), RoutingDecision::WINDOW_REASON_LA_CLOSURE);
  EXPECT_THAT(Destinations(closed), ElementsAre(kAvonEdt, "referrals.frontdoor.E06000024.v1"));
  EXPECT_EQ(DueBy(closed), At("2026-01-06T17:00:00Z"));
  const RoutingDecision open = MustDecide(*router, kBristol, kStandard, kMondayMorning);
  EXPECT_EQ(open.window(), RoutingDecision::IN_HOURS);
}

TEST_F(CustomRouterTest, TriageIgnoresLaClosures) {
  // Triage uses the directory's default hours: Monday 5 Jan 10:00 is in hours for it.
  const auto router = MakeRouter();
  const RoutingDecision decision = MustDecide(*router, "", kStandard, kMondayMorning);
  EXPECT_EQ(decision.window(), RoutingDecision::IN_HOURS);
  EXPECT_THAT(Destinations(decision), ElementsAre(kTriage));
}

TEST_F(CustomRouterTest, TopicsComeFromConfiguredTemplates) {
  Topics topics;
  topics.set_front_door_template("csc.{la}.front-door");
  topics.set_edt_template("csc.edt.{edt}");
  topics.set_triage("csc.triage");
  const auto router = MakeRouter(topics);
  EXPECT_THAT(Destinations(MustDecide(*router, kNorthSomerset, kStandard, kMondayEvening)),
              ElementsAre("csc.edt.avon", "csc.E06000024.front-door"));
  EXPECT_THAT(Destinations(MustDecide(*router, "E09000001", kStandard, kMondayEvening)),
              ElementsAre("csc.triage"));
}

TEST_F(CustomRouterTest, CalendarVersionFollowsTheLoadedCalendar) {
  const auto router = MakeRouter();
  const RoutingDecision decision = MustDecide(*router, kBristol, kStandard, kMondayMorning);
  EXPECT_EQ(decision.calendar_version(), holidays_.version());
  EXPECT_NE(decision.calendar_version(), "");
}

TEST(RouterFailureTest, NoWorkingDayWithinAYearFailsAndLeavesTheRoutingUntouched) {
  // An LA closed on every day for two years: no decision due time can be worked out.
  absl::StatusOr<BankHolidays> holidays = ParseBankHolidays(kHolidaysJson, "england-and-wales");
  ASSERT_TRUE(holidays.ok()) << holidays.status();
  Directory config;
  ASSERT_TRUE(ParseConfigText(kDirectoryYaml, "test directory", config).ok());
  for (absl::CivilDay day(2026, 1, 1); day < absl::CivilDay(2028, 1, 1); ++day) {
    config.mutable_local_authorities(0)->add_closure_dates(absl::FormatCivilTime(day));
  }
  absl::StatusOr<LaDirectory> directory = LaDirectory::Create(std::move(config));
  ASSERT_TRUE(directory.ok()) << directory.status();
  const Router router(*directory, *holidays, WithDefaults(Topics()), London());

  Referral referral = ReferralTo(kBristol, kImmediate);
  referral.mutable_routing()->set_rule_id("earlier");
  int delivered = 0;
  const absl::Status status =
      router.RouteEach(referral, At(kMondayEvening), [&](const std::string&, const Referral&) {
        ++delivered;
        return absl::OkStatus();
      });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_EQ(delivered, 0);
  EXPECT_EQ(referral.routing().rule_id(), "earlier");
  // Nor is a routing added to a referral that had none.
  Referral unrouted = ReferralTo(kBristol, kImmediate);
  const auto accept = [](const std::string&, const Referral&) { return absl::OkStatus(); };
  EXPECT_FALSE(router.RouteEach(unrouted, At(kMondayEvening), accept).ok());
  EXPECT_FALSE(unrouted.has_routing());
  // North Somerset, open as usual, still decides.
  EXPECT_TRUE(router.Decide(kNorthSomerset, kStandard, At(kMondayEvening)).ok());
}

}  // namespace
}  // namespace referral
