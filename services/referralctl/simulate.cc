#include "services/referralctl/simulate.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/core/time_util.h"

namespace referral::ctl {
namespace {

using v1::IncidentEvent;
using v1::Person;

const std::vector<std::string> kGivenNames = {"Alex", "Sam", "Jordan", "Riley", "Casey", "Morgan",
                                              "Jamie", "Robin", "Charlie", "Drew", "Avery", "Quinn"};
const std::vector<std::string> kFamilyNames = {"Example", "Sample", "Testwell", "Fictional",
                                               "Madeup", "Placeholder", "Synthetic", "Dummy"};
const std::vector<std::string> kStreets = {"Example Road", "Sample Street", "Test Lane",
                                           "Imaginary Close", "Fiction Way", "Nowhere Avenue"};
const std::vector<std::string> kSourceSystems = {"storm", "niche", "athena"};
// A district outside every directory: its LA is unresolved and the referral goes to triage.
const std::string kOutsideDistrict = "GL1";

struct Weighted {
  v1::IncidentType type;
  int weight;
};
const std::vector<Weighted> kTypes = {
    {v1::INCIDENT_TYPE_DOMESTIC_ABUSE, 35},
    {v1::INCIDENT_TYPE_CONCERN_FOR_WELFARE, 15},
    {v1::INCIDENT_TYPE_CHILD_NEGLECT, 10},
    {v1::INCIDENT_TYPE_MISSING_CHILD, 10},
    {v1::INCIDENT_TYPE_CHILD_ABUSE, 8},
    {v1::INCIDENT_TYPE_CHILD_CRIMINAL_EXPLOITATION, 6},
    {v1::INCIDENT_TYPE_ONLINE_CHILD_EXPLOITATION, 5},
    {v1::INCIDENT_TYPE_SEXUAL_OFFENCE, 5},
    {v1::INCIDENT_TYPE_OTHER, 6},
};

const std::vector<v1::NotSpokenReason> kNotSpokenReasons = {
    v1::NOT_SPOKEN_REASON_TOO_YOUNG, v1::NOT_SPOKEN_REASON_ASLEEP,
    v1::NOT_SPOKEN_REASON_DECLINED, v1::NOT_SPOKEN_REASON_NOT_PRESENT};

const std::vector<v1::PoliceActionType> kActions = {
    v1::POLICE_ACTION_TYPE_ARREST, v1::POLICE_ACTION_TYPE_SAFETY_PLANNING,
    v1::POLICE_ACTION_TYPE_SAFEGUARDING_ADVICE, v1::POLICE_ACTION_TYPE_SCHOOL_NOTIFIED,
    v1::POLICE_ACTION_TYPE_MARAC_REFERRAL, v1::POLICE_ACTION_TYPE_DVPN};

std::string Dob(absl::Time occurred, int age_years, int day_offset) {
  const absl::CivilDay today = absl::ToCivilDay(occurred, absl::UTCTimeZone());
  const absl::CivilDay born = absl::CivilDay(today.year() - age_years, today.month(), 1) - day_offset;
  return absl::FormatCivilTime(born);
}

}  // namespace

IncidentSimulator::IncidentSimulator(uint64_t seed, std::vector<std::string> postcode_districts,
                                     absl::Time newest)
    : engine_(seed), seed_(seed), districts_(std::move(postcode_districts)), newest_(newest) {
  // Only districts with a plain outward code ("BS16"), not sectors ("BS16 7").
  districts_.erase(std::remove_if(districts_.begin(), districts_.end(),
                                  [](const std::string& d) { return d.find(' ') != std::string::npos; }),
                   districts_.end());
  std::sort(districts_.begin(), districts_.end());
  if (districts_.empty()) districts_.push_back(kOutsideDistrict);
}

std::string IncidentSimulator::District() { return Pick(districts_); }

v1::Address IncidentSimulator::RandomAddress(const std::string& district) {
  v1::Address address;
  address.add_lines(absl::StrCat(1 + Below(200), " ", Pick(kStreets)));
  address.set_postcode(absl::StrFormat("%s %d%c%c", district, static_cast<int>(Below(10)),
                                       static_cast<char>('A' + Below(26)),
                                       static_cast<char>('A' + Below(26))));
  return address;
}

SimulatedIncident IncidentSimulator::Next() {
  ++sequence_;
  SimulatedIncident out;
  out.key = absl::StrCat("SIM-", seed_, "-", sequence_);
  if (Below(1000) < 5) {  // 0.5 %: bytes no decoder accepts
    out.malformed = true;
    out.raw = absl::StrCat("{\"eventId\": \"evt-", out.key, "\", \"incidentId\": ");
    return out;
  }
  IncidentEvent& event = out.event;
  event.set_event_id(absl::StrCat("evt-", out.key));
  event.set_incident_id(out.key);
  event.set_revision(1);
  event.set_force_code("ASP");
  event.set_source_system(Pick(kSourceSystems));
  const absl::Time occurred = newest_ - absl::Seconds(Below(72 * 3600));
  const absl::Time reported = std::min(newest_, occurred + absl::Seconds(60 + Below(90 * 60)));
  *event.mutable_occurred_at() = ToProtoTimestamp(occurred);
  *event.mutable_reported_at() = ToProtoTimestamp(reported);

  uint64_t roll = Below(100);
  v1::IncidentType type = v1::INCIDENT_TYPE_OTHER;
  for (const Weighted& weighted : kTypes) {
    if (roll < static_cast<uint64_t>(weighted.weight)) {
      type = weighted.type;
      break;
    }
    roll -= weighted.weight;
  }
  event.set_incident_type(type);

  const std::string home_district = Chance(4) ? kOutsideDistrict : District();
  *event.mutable_location() = RandomAddress(home_district);
  const v1::Address home = event.location();
  const std::string family = Pick(kFamilyNames);

  // Adults: a parent or carer (missing in 15 %), and for abuse types a suspect.
  if (!Chance(15)) {
    Person* parent = event.add_persons();
    parent->set_person_ref("p1");
    parent->set_role(v1::PERSON_ROLE_PARENT_CARER);
    parent->set_given_name(Pick(kGivenNames));
    parent->set_family_name(family);
    parent->set_date_of_birth(Dob(occurred, 25 + static_cast<int>(Below(25)), static_cast<int>(Below(300))));
    parent->set_sex(Chance(60) ? v1::SEX_FEMALE : v1::SEX_MALE);
    parent->set_present_at_incident(true);
    *parent->mutable_home_address() = home;
  }
  if (type == v1::INCIDENT_TYPE_DOMESTIC_ABUSE || type == v1::INCIDENT_TYPE_CHILD_ABUSE ||
      type == v1::INCIDENT_TYPE_SEXUAL_OFFENCE) {
    Person* suspect = event.add_persons();
    suspect->set_person_ref("s1");
    suspect->set_role(v1::PERSON_ROLE_SUSPECT);
    suspect->set_given_name(Pick(kGivenNames));
    suspect->set_family_name(Pick(kFamilyNames));
    suspect->set_date_of_birth(Dob(occurred, 20 + static_cast<int>(Below(35)), static_cast<int>(Below(300))));
    suspect->set_sex(v1::SEX_MALE);
    suspect->set_present_at_incident(Chance(70));
    *suspect->mutable_home_address() = Chance(80) ? home : RandomAddress(District());
    suspect->set_access_to_other_children(Chance(20) ? v1::ACCESS_TO_CHILDREN_UNKNOWN
                                                     : Chance(50) ? v1::ACCESS_TO_CHILDREN_YES
                                                                  : v1::ACCESS_TO_CHILDREN_NO);
  }

  // Children: none in 6 % (no referral), else one to four; some live at another address.
  const int children = Chance(6) ? 0 : 1 + static_cast<int>(Below(4));
  for (int i = 0; i < children; ++i) {
    Person* child = event.add_persons();
    child->set_person_ref(absl::StrCat("c", i + 1));
    child->set_role(v1::PERSON_ROLE_CHILD);
    child->set_given_name(Pick(kGivenNames));
    child->set_family_name(family);
    const int age = static_cast<int>(Below(18));
    const uint64_t identity = Below(100);
    if (identity < 85) {
      child->set_date_of_birth(Dob(occurred, age, static_cast<int>(Below(300))));
    } else if (identity < 95) {
      child->set_age_years(static_cast<uint32_t>(age));
    }  // else: neither (identity incomplete)
    child->set_sex(Chance(50) ? v1::SEX_FEMALE : v1::SEX_MALE);
    child->set_present_at_incident(Chance(75));
    *child->mutable_home_address() = Chance(10) ? RandomAddress(District()) : home;
    v1::ChildVoice* voice = child->mutable_voice();
    const uint64_t heard = Below(100);
    voice->set_seen(heard < 90);
    if (heard < 55) {
      voice->set_spoken_to(true);
      voice->set_spoken_to_alone(Chance(50));
      voice->set_views("Said they felt scared when adults shouted.");
      voice->set_demeanour("quiet");
    } else if (heard < 70) {
      voice->set_spoken_to(true);  // views not recorded
    } else if (heard < 90) {
      voice->set_not_spoken_reason(Pick(kNotSpokenReasons));
    }  // else: not spoken to, no reason
  }
  if (!Chance(20)) {
    event.mutable_household()->set_resident_children_count(
        static_cast<uint32_t>(children + (Chance(15) ? 1 : 0)));
  }

  v1::Risk* risk = event.mutable_risk();
  risk->set_immediate_risk(Chance(10));
  if (type == v1::INCIDENT_TYPE_DOMESTIC_ABUSE && !Chance(15)) {
    risk->set_dash_level(Chance(20) ? v1::Risk::DASH_LEVEL_HIGH
                                    : Chance(50) ? v1::Risk::DASH_LEVEL_MEDIUM
                                                 : v1::Risk::DASH_LEVEL_STANDARD);
  }
  risk->set_call_grade(Chance(30) ? "P1" : "P2");
  if (!Chance(15)) {
    const int actions = 1 + static_cast<int>(Below(3));
    for (int i = 0; i < actions; ++i) event.add_police_actions()->set_type(Pick(kActions));
  }
  v1::Referrer* referrer = event.mutable_referrer();
  referrer->set_officer_id(absl::StrCat(1000 + Below(9000)));
  referrer->set_name(absl::StrCat("PC ", Pick(kGivenNames), " ", Pick(kFamilyNames)));
  referrer->set_role("Police Constable");
  if (!Chance(10)) {
    referrer->set_phone(absl::StrCat("01179 ", 100000 + Below(900000)));
    referrer->set_email("officer@police.example");
  }
  event.set_narrative("Synthetic incident generated by referralctl simulate.");
  if (!Chance(10)) {
    const bool informed = Chance(70);
    event.mutable_information_sharing()->set_parents_informed(informed);
    if (!informed) {
      event.mutable_information_sharing()->set_not_informed_reason("Would place the child at risk.");
    }
    event.mutable_information_sharing()->set_lawful_basis(v1::LAWFUL_BASIS_SAFEGUARDING);
  }

  // 2 %: invalid, each in a way validation names.
  if (Chance(2)) {
    switch (Below(3)) {
      case 0: event.clear_incident_id(); break;
      case 1: *event.mutable_reported_at() = ToProtoTimestamp(occurred - absl::Hours(2)); break;
      default: event.clear_occurred_at(); break;
    }
  }
  return out;
}

}  // namespace referral::ctl
