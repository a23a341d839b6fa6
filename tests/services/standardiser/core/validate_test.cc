#include "services/standardiser/core/validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/test_setup.h"

namespace referral {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::London;

v1::IncidentEvent Minimal() {
  return testing::IncidentFromJson(R"({"eventId": "e1", "incidentId": "i1", "forceCode": "ASP",
      "occurredAt": "2026-06-01T23:30:00Z"})");
}

TEST(ValidateIncidentTest, MinimalEventIsValid) {
  EXPECT_THAT(ValidateIncident(Minimal(), London()), IsEmpty());
}

TEST(ValidateIncidentTest, MissingIdentifiersAreEachReported) {
  EXPECT_THAT(ValidateIncident(v1::IncidentEvent(), London()),
              ElementsAre(FieldError{"event_id", "required"}, FieldError{"incident_id", "required"},
                          FieldError{"force_code", "required"},
                          FieldError{"occurred_at", "required"}));
}

TEST(ValidateIncidentTest, ReportedBeforeOccurred) {
  v1::IncidentEvent event = Minimal();
  event.mutable_reported_at()->set_seconds(event.occurred_at().seconds() - 1);
  EXPECT_THAT(ValidateIncident(event, London()),
              ElementsAre(FieldError{"reported_at", "before occurred_at"}));
}

// Reported the moment it occurred (a call made as it happens): valid. One second earlier is not
// (ReportedBeforeOccurred). Refusing the equal time would dead-letter the incident.
TEST(ValidateIncidentTest, ReportedAtTheSameInstantAsOccurredIsValid) {
  v1::IncidentEvent event = Minimal();
  *event.mutable_reported_at() = event.occurred_at();
  EXPECT_THAT(ValidateIncident(event, London()), IsEmpty());
  event.mutable_reported_at()->set_nanos(1);
  EXPECT_THAT(ValidateIncident(event, London()), IsEmpty());
  event.mutable_occurred_at()->set_nanos(2);
  EXPECT_THAT(ValidateIncident(event, London()),
              ElementsAre(FieldError{"reported_at", "before occurred_at"}));
}

constexpr char kOutside[] = "outside 1900-01-01T00:00:00Z to 2099-12-31T23:59:59Z";
constexpr int64_t k1900 = -2208988800;  // 1900-01-01T00:00:00Z
constexpr int64_t k2100 = 4102444800;   // 2100-01-01T00:00:00Z

TEST(ValidateIncidentTest, TimestampOutOfRange) {
  v1::IncidentEvent event = Minimal();
  event.mutable_occurred_at()->set_seconds(int64_t{1} << 50);
  EXPECT_THAT(ValidateIncident(event, London()), ElementsAre(FieldError{"occurred_at", kOutside}));
}

// Issue 9: years 0001 and 9999 were accepted as incident times.
TEST(ValidateIncidentTest, IncidentTimesMustFallIn1900To2099BothEndsPinned) {
  v1::IncidentEvent event = Minimal();
  event.clear_reported_at();
  event.mutable_occurred_at()->set_seconds(k1900);
  EXPECT_THAT(ValidateIncident(event, London()), ::testing::IsEmpty());
  event.mutable_occurred_at()->set_seconds(k1900 - 1);
  EXPECT_THAT(ValidateIncident(event, London()), ElementsAre(FieldError{"occurred_at", kOutside}));
  event.mutable_occurred_at()->set_seconds(k2100 - 1);
  EXPECT_THAT(ValidateIncident(event, London()), ::testing::IsEmpty());
  event.mutable_occurred_at()->set_seconds(k2100);
  EXPECT_THAT(ValidateIncident(event, London()), ElementsAre(FieldError{"occurred_at", kOutside}));
  event.mutable_occurred_at()->set_seconds(k2100 - 1);
  event.mutable_occurred_at()->set_nanos(1'000'000'000);
  EXPECT_THAT(ValidateIncident(event, London()), ElementsAre(FieldError{"occurred_at", kOutside}));
  event = Minimal();
  event.mutable_reported_at()->set_seconds(k2100);
  EXPECT_THAT(ValidateIncident(event, London()), ElementsAre(FieldError{"reported_at", kOutside}));
}

// Issue 9: police_actions[].taken_at was not range-checked: 2^63-1 seconds was referred, and
// JSON output wrote a truncated referral.
TEST(ValidateIncidentTest, PoliceActionTimesAreRangeCheckedAndNotLongBeforeTheIncident) {
  v1::IncidentEvent event = Minimal();
  const int64_t occurred = event.occurred_at().seconds();
  event.add_police_actions()->mutable_taken_at()->set_seconds(INT64_MAX);
  event.add_police_actions()->mutable_taken_at()->set_seconds(occurred - 24 * 3600);
  event.add_police_actions()->mutable_taken_at()->set_seconds(occurred - 24 * 3600 - 1);
  event.add_police_actions();  // no time recorded: fine
  event.add_police_actions()->mutable_taken_at()->set_seconds(occurred + 3600);
  EXPECT_THAT(ValidateIncident(event, London()),
              ElementsAre(FieldError{"police_actions[0].taken_at", kOutside},
                          FieldError{"police_actions[2].taken_at",
                                     "more than 24 hours before occurred_at"}));
}

TEST(ValidateIncidentTest, DateOfBirthChecksUseLocalDate) {
  // 23:30Z on 1 June is 00:30 BST on 2 June: a child born on 2 June was born that day.
  v1::IncidentEvent event = Minimal();
  event.add_persons()->set_date_of_birth("2026-06-02");
  event.add_persons()->set_date_of_birth("2026-06-03");
  event.add_persons()->set_date_of_birth("2026-02-29");
  event.add_persons()->set_date_of_birth("02/06/2020");
  event.add_persons()->set_date_of_birth("1900-01-01");
  EXPECT_THAT(ValidateIncident(event, London()),
              ElementsAre(FieldError{"persons[1].date_of_birth", "after occurred_at"},
                          FieldError{"persons[2].date_of_birth", "not a date (want YYYY-MM-DD)"},
                          FieldError{"persons[3].date_of_birth", "not a date (want YYYY-MM-DD)"},
                          FieldError{"persons[4].date_of_birth",
                                     "more than 125 years before occurred_at"}));
}

TEST(ValidateIncidentTest, AgeDuplicateRefsAndDanglingRelationships) {
  v1::IncidentEvent event = Minimal();
  v1::Person* a = event.add_persons();
  a->set_person_ref("a");
  a->set_age_years(126);
  v1::Person* b = event.add_persons();
  b->set_person_ref("a");
  b->add_relationships()->set_person_ref("zz");
  b->add_relationships()->set_person_ref("a");
  EXPECT_THAT(ValidateIncident(event, London()),
              ElementsAre(FieldError{"persons[1].person_ref", "duplicate of persons[0]"},
                          FieldError{"persons[0].age_years", "over 125"},
                          FieldError{"persons[1].relationships[0].person_ref",
                                     "names no person of this incident"}));
}

}  // namespace
}  // namespace referral
