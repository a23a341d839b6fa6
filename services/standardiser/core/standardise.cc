#include "services/standardiser/core/standardise.h"

#include <algorithm>
#include <utility>

#include "services/common/core/time_util.h"
#include "services/standardiser/core/quality.h"
#include "services/standardiser/core/referral_id.h"
#include "services/standardiser/core/validate.h"

namespace referral {
namespace {

using v1::IncidentEvent;
using v1::Person;

constexpr int kAdultAge = 18;

// Every suspect is under 18 (and there is at least one): child-on-child abuse codes apply.
bool SuspectsAreChildren(const IncidentEvent& event, absl::CivilDay on) {
  bool any = false;
  for (const Person& p : event.persons()) {
    if (p.role() != v1::PERSON_ROLE_SUSPECT) continue;
    if (!IsChild(p, on)) return false;
    any = true;
  }
  return any;
}

// 3B when an adult victim is a parent of someone in the incident, 3C for another adult victim,
// and 3A (the child as the subject) when no adult victim is listed.
std::string DomesticAbuseCode(const IncidentEvent& event) {
  bool adult_victim = false;
  for (const Person& p : event.persons()) {
    if (p.role() != v1::PERSON_ROLE_ADULT_VICTIM) continue;
    adult_victim = true;
    for (const auto& r : p.relationships()) {
      if (r.type() == v1::RELATIONSHIP_TYPE_PARENT || r.type() == v1::RELATIONSHIP_TYPE_STEP_PARENT) {
        return "3B";
      }
    }
  }
  return adult_victim ? "3C" : "3A";
}

// IMMEDIATE also when the DASH level or a police action is a value the gateway does not
// recognise: it could be the high level or police protection.
v1::Referral::Urgency UrgencyOf(const IncidentEvent& event) {
  const bool protection = std::any_of(
      event.police_actions().begin(), event.police_actions().end(), [](const v1::PoliceAction& a) {
        return a.type() == v1::POLICE_ACTION_TYPE_POLICE_PROTECTION ||
               !v1::PoliceActionType_IsValid(a.type());
      });
  const v1::Risk::DashLevel dash = event.risk().dash_level();
  return event.risk().immediate_risk() || protection || dash == v1::Risk::DASH_LEVEL_HIGH ||
                 !v1::Risk::DashLevel_IsValid(dash)
             ? v1::Referral::IMMEDIATE
             : v1::Referral::STANDARD;
}

// An incident's referrals usually fit in the first block: no growth, one allocation.
constexpr size_t kArenaStartBlockBytes = 16 * 1024;

}  // namespace

v1::Referral& ReferralList::Add() {
  if (items_ == nullptr) {
    google::protobuf::ArenaOptions options;
    options.start_block_size = kArenaStartBlockBytes;
    arena_ = std::make_unique<google::protobuf::Arena>(options);
    // CreateMessage, not Create: Create would make a list that does not know its arena, whose
    // referrals would go on the heap (StandardiseTest.AnOutcomesReferralsShareOneArena...).
    items_ = google::protobuf::Arena::CreateMessage<Items>(arena_.get());
  }
  return *items_->Add();
}

const ReferralList::Items& ReferralList::items() const {
  static const Items* const kNone = new Items;
  return items_ == nullptr ? *kNone : *items_;
}

absl::string_view SkipReasonName(SkipReason reason) {
  switch (reason) {
    case SkipReason::kNoChild:
      return "no_child";
    case SkipReason::kOtherTypeNoRisk:
      return "other_type_no_risk";
  }
  return "unknown";
}

absl::string_view CutAtCharacter(absl::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  // Back to the first byte of the character the cut falls in (continuation bytes are 10xxxxxx).
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

bool IsChild(const Person& person, absl::CivilDay on) {
  if (person.role() == v1::PERSON_ROLE_CHILD) return true;
  if (const auto dob = ParseDate(person.date_of_birth())) {
    return absl::CivilDay(dob->year() + kAdultAge, dob->month(), dob->day()) > on;
  }
  if (person.has_age_years()) return person.age_years() < kAdultAge;
  // A role the gateway does not recognise could be a misspelt CHILD: a possible child.
  return !v1::PersonRole_IsValid(person.role());
}

std::vector<std::string> ConcernCodes(const IncidentEvent& event, absl::CivilDay on) {
  std::vector<std::string> codes;
  switch (event.incident_type()) {
    case v1::INCIDENT_TYPE_DOMESTIC_ABUSE:
      codes.push_back(DomesticAbuseCode(event));
      break;
    case v1::INCIDENT_TYPE_CHILD_NEGLECT:
      codes.push_back("16A");
      break;
    case v1::INCIDENT_TYPE_CHILD_ABUSE:
      codes.push_back(SuspectsAreChildren(event, on) ? "18B" : "18C");
      break;
    case v1::INCIDENT_TYPE_MISSING_CHILD:
      codes.push_back("10A");
      break;
    case v1::INCIDENT_TYPE_SEXUAL_OFFENCE:
      codes.push_back(SuspectsAreChildren(event, on) ? "19B" : "19C");
      break;
    case v1::INCIDENT_TYPE_ONLINE_CHILD_EXPLOITATION:
      codes.push_back("11A");
      break;
    case v1::INCIDENT_TYPE_CHILD_CRIMINAL_EXPLOITATION:
      codes.push_back("24A");
      break;
    default:
      codes.push_back("20");
      break;
  }
  return codes;
}

StandardiseOutcome Standardiser::Standardise(
    const IncidentEvent& event, const std::vector<UnknownEnumName>& unknown_names) const {
  StandardiseOutcome outcome;
  outcome.unrecognised = FindUnrecognisedValues(event, unknown_names);
  outcome.errors = ValidateIncident(event, tz_);
  if (!outcome.errors.empty()) {
    outcome.kind = StandardiseOutcome::Kind::kRejected;
    return outcome;
  }

  const absl::CivilDay on = absl::ToCivilDay(ToAbslTime(event.occurred_at()), tz_);
  std::vector<const Person*> children;
  std::vector<const Person*> adults;
  for (const Person& person : event.persons()) {
    (IsChild(person, on) ? children : adults).push_back(&person);
  }
  if (children.empty()) {
    outcome.kind = StandardiseOutcome::Kind::kSkipped;
    outcome.skip_reason = SkipReason::kNoChild;
    return outcome;
  }
  if (event.incident_type() == v1::INCIDENT_TYPE_OTHER && !event.risk().immediate_risk()) {
    outcome.kind = StandardiseOutcome::Kind::kSkipped;
    outcome.skip_reason = SkipReason::kOtherTypeNoRisk;
    return outcome;
  }

  // Group children by responsible LA, keeping the order in which LAs first appear.
  const std::string location_la = directory_.Resolve(event.location());
  std::vector<std::pair<std::string, std::vector<const Person*>>> by_la;
  for (const Person* child : children) {
    std::string la = directory_.Resolve(child->home_address());
    if (la.empty()) la = location_la;
    auto it = std::find_if(by_la.begin(), by_la.end(), [&](const auto& g) { return g.first == la; });
    if (it == by_la.end()) {
      by_la.emplace_back(std::move(la), std::vector<const Person*>{});
      it = std::prev(by_la.end());
    }
    it->second.push_back(child);
  }

  // What every referral of this incident shares, built in the first LA's referral and copied to
  // the others' before the first's own fields are set.
  v1::Referral& shared = outcome.referrals.Add();
  shared.set_revision(event.revision());
  v1::IncidentReference& incident = *shared.mutable_incident();
  incident.set_incident_id(event.incident_id());
  incident.set_event_id(event.event_id());
  incident.set_force_code(event.force_code());
  incident.set_source_system(event.source_system());
  incident.set_incident_type(event.incident_type());
  if (event.has_location()) *incident.mutable_location() = event.location();
  *shared.mutable_occurred_at() = event.occurred_at();
  if (event.has_reported_at()) *shared.mutable_reported_at() = event.reported_at();
  for (const Person* adult : adults) *shared.add_adults() = *adult;
  if (event.has_household()) *shared.mutable_household() = event.household();
  for (std::string& code : ConcernCodes(event, on)) shared.add_concerns(std::move(code));
  if (event.has_risk()) *shared.mutable_risk() = event.risk();
  shared.set_urgency(UrgencyOf(event));
  *shared.mutable_police_actions() = event.police_actions();
  if (event.has_referrer()) *shared.mutable_referrer() = event.referrer();
  const absl::string_view narrative = CutAtCharacter(event.narrative(), options_.max_narrative_bytes);
  shared.set_narrative(std::string(narrative));
  shared.set_narrative_truncated_bytes(
      static_cast<uint32_t>(event.narrative().size() - narrative.size()));
  if (event.has_information_sharing()) {
    *shared.mutable_information_sharing() = event.information_sharing();
  }
  shared.set_incident_children_count(static_cast<uint32_t>(children.size()));
  for (const v1::UnrecognisedValue& value : outcome.unrecognised) {
    *shared.add_unrecognised_values() = value;
  }

  for (size_t i = 1; i < by_la.size(); ++i) outcome.referrals.Add() = shared;
  for (size_t i = 0; i < by_la.size(); ++i) {
    auto& [la, la_children] = by_la[i];
    v1::Referral& referral = outcome.referrals[i];
    referral.set_referral_id(ReferralId(event.force_code(), event.incident_id(), la));
    referral.set_la_code(la);
    for (const Person* child : la_children) *referral.add_children() = *child;
    *referral.mutable_quality() = AssessQuality(referral, event);
  }
  return outcome;
}

}  // namespace referral
