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

TEST(ValidateIncidentTest, TimestampOutOfRange) {
  v1::IncidentEvent event = Minimal();
  event.mutable_occurred_at()->set_seconds(int64_t{1} << 50);
  EXPECT_THAT(ValidateIncident(event, London()),
              ElementsAre(FieldError{"occurred_at", "not a valid timestamp"}));
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
