#include "services/standardiser/core/validate.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/common/core/time_util.h"

namespace referral {
namespace {

constexpr int kMaxAgeYears = 125;
// A police action recorded this long before the incident is not plausible (clock skew between
// systems is minutes; a day leaves room for an incident time given as the day).
constexpr absl::Duration kActionBeforeIncident = absl::Hours(24);

bool TimestampInRange(const google::protobuf::Timestamp& ts) { return InAcceptedRange(ts); }

std::string OutsideRange() { return absl::StrCat("outside ", kAcceptedTimesText); }

void Require(const std::string& value, const char* path, FieldErrors& errors) {
  if (value.empty()) errors.push_back({path, "required"});
}

}  // namespace

FieldErrors ValidateIncident(const v1::IncidentEvent& event, absl::TimeZone tz) {
  FieldErrors errors;
  Require(event.event_id(), "event_id", errors);
  Require(event.incident_id(), "incident_id", errors);
  Require(event.force_code(), "force_code", errors);

  bool occurred_known = false;
  if (!event.has_occurred_at()) {
    errors.push_back({"occurred_at", "required"});
  } else if (!TimestampInRange(event.occurred_at())) {
    errors.push_back({"occurred_at", OutsideRange()});
  } else {
    occurred_known = true;
  }
  if (event.has_reported_at()) {
    if (!TimestampInRange(event.reported_at())) {
      errors.push_back({"reported_at", OutsideRange()});
    } else if (occurred_known &&
               ToAbslTime(event.reported_at()) < ToAbslTime(event.occurred_at())) {
      errors.push_back({"reported_at", "before occurred_at"});
    }
  }

  for (int i = 0; i < event.police_actions_size(); ++i) {
    const v1::PoliceAction& action = event.police_actions(i);
    if (!action.has_taken_at()) continue;
    const std::string path = absl::StrCat("police_actions[", i, "].taken_at");
    if (!TimestampInRange(action.taken_at())) {
      errors.push_back({path, OutsideRange()});
    } else if (occurred_known && ToAbslTime(action.taken_at()) <
                                     ToAbslTime(event.occurred_at()) - kActionBeforeIncident) {
      errors.push_back({path, "more than 24 hours before occurred_at"});
    }
  }

  const absl::CivilDay occurred_day =
      occurred_known ? absl::ToCivilDay(ToAbslTime(event.occurred_at()), tz) : absl::CivilDay();
  absl::flat_hash_map<absl::string_view, int> refs;
  for (int i = 0; i < event.persons_size(); ++i) {
    const v1::Person& person = event.persons(i);
    if (!person.person_ref().empty() && !refs.emplace(person.person_ref(), i).second) {
      errors.push_back({absl::StrCat("persons[", i, "].person_ref"),
                        absl::StrCat("duplicate of persons[", refs[person.person_ref()], "]")});
    }
  }
  for (int i = 0; i < event.persons_size(); ++i) {
    const v1::Person& person = event.persons(i);
    const std::string path = absl::StrCat("persons[", i, "]");
    if (!person.date_of_birth().empty()) {
      const auto dob = ParseDate(person.date_of_birth());
      if (!dob) {
        errors.push_back({path + ".date_of_birth", "not a date (want YYYY-MM-DD)"});
      } else if (occurred_known && *dob > occurred_day) {
        errors.push_back({path + ".date_of_birth", "after occurred_at"});
      } else if (occurred_known && dob->year() < occurred_day.year() - kMaxAgeYears) {
        errors.push_back({path + ".date_of_birth",
                          absl::StrCat("more than ", kMaxAgeYears, " years before occurred_at")});
      }
    }
    if (person.has_age_years() && person.age_years() > kMaxAgeYears) {
      errors.push_back({path + ".age_years", absl::StrCat("over ", kMaxAgeYears)});
    }
    for (int r = 0; r < person.relationships_size(); ++r) {
      if (!refs.contains(person.relationships(r).person_ref())) {
        errors.push_back({absl::StrCat(path, ".relationships[", r, "].person_ref"),
                          "names no person of this incident"});
      }
    }
  }
  return errors;
}

}  // namespace referral
