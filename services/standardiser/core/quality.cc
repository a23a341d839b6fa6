#include "services/standardiser/core/quality.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "services/common/core/time_util.h"

namespace referral {
namespace {

using v1::Person;
using v1::QualityIssue;

bool Blank(absl::string_view text) { return absl::StripAsciiWhitespace(text).empty(); }

bool HasAddress(const v1::Address& address) {
  return !Blank(address.postcode()) || !address.lines().empty() || !Blank(address.uprn());
}

// A value the gateway does not recognise never passes a check (incident.proto).
bool VoiceMissingWithoutReason(const Person& child) {
  const v1::NotSpokenReason reason = child.voice().not_spoken_reason();
  return !child.has_voice() ||
         (!child.voice().spoken_to() &&
          (reason == v1::NOT_SPOKEN_REASON_UNSPECIFIED || !v1::NotSpokenReason_IsValid(reason)));
}

// A suspect, or a person whose role is not recognised (who could be one).
bool PossibleSuspect(const Person& p) {
  return p.role() == v1::PERSON_ROLE_SUSPECT || !v1::PersonRole_IsValid(p.role());
}

bool IdentityIncomplete(const Person& child) {
  return Blank(child.given_name()) || Blank(child.family_name()) ||
         !ParseDate(child.date_of_birth()) || !HasAddress(child.home_address());
}

bool RiskNotAssessed(const v1::IncidentEvent& event) {
  if (!event.has_risk() || !v1::IncidentType_IsValid(event.incident_type()) ||
      !v1::Risk::DashLevel_IsValid(event.risk().dash_level())) {
    return true;
  }
  const bool dash_missing = event.risk().dash_level() == v1::Risk::DASH_LEVEL_UNSPECIFIED;
  if (event.incident_type() == v1::INCIDENT_TYPE_DOMESTIC_ABUSE) return dash_missing;
  return dash_missing && Blank(event.risk().call_grade());
}

bool SharingNotRecorded(const v1::IncidentEvent& event) {
  if (!event.has_information_sharing()) return true;
  const v1::InformationSharing& sharing = event.information_sharing();
  return sharing.lawful_basis() == v1::LAWFUL_BASIS_UNSPECIFIED ||
         !v1::LawfulBasis_IsValid(sharing.lawful_basis()) ||
         (!sharing.parents_informed() && Blank(sharing.not_informed_reason()));
}

bool ReferrerContactMissing(const v1::IncidentEvent& event) {
  const v1::Referrer& referrer = event.referrer();
  return Blank(referrer.officer_id()) || Blank(referrer.name()) ||
         (Blank(referrer.phone()) && Blank(referrer.email()));
}

}  // namespace

v1::Quality AssessQuality(const v1::Referral& referral, const v1::IncidentEvent& event) {
  v1::Quality quality;
  int applicable = 0;
  // Records one applicable check; `failed` adds its issue. Checks run in enum order, so the issues
  // come out sorted.
  auto check = [&](QualityIssue issue, bool failed) {
    ++applicable;
    if (failed) quality.add_issues(issue);
  };
  const auto& children = referral.children();
  const auto& persons = event.persons();

  check(v1::QUALITY_ISSUE_CHILD_NOT_SPOKEN_TO_NO_REASON,
        std::any_of(children.begin(), children.end(), VoiceMissingWithoutReason));

  const bool any_spoken_to = std::any_of(children.begin(), children.end(), [](const Person& c) {
    return c.voice().spoken_to();
  });
  if (any_spoken_to) {
    check(v1::QUALITY_ISSUE_CHILD_VIEWS_NOT_RECORDED,
          std::any_of(children.begin(), children.end(), [](const Person& c) {
            return c.voice().spoken_to() && Blank(c.voice().views());
          }));
  }

  check(v1::QUALITY_ISSUE_OTHER_CHILDREN_NOT_IDENTIFIED,
        !event.household().has_resident_children_count() ||
            event.household().resident_children_count() > referral.incident_children_count());

  if (std::any_of(persons.begin(), persons.end(), PossibleSuspect)) {
    check(v1::QUALITY_ISSUE_PERPETRATOR_ACCESS_TO_CHILDREN_UNKNOWN,
          std::any_of(persons.begin(), persons.end(), [](const Person& p) {
            const v1::AccessToChildren access = p.access_to_other_children();
            return !v1::PersonRole_IsValid(p.role()) ||
                   (p.role() == v1::PERSON_ROLE_SUSPECT &&
                    (access == v1::ACCESS_TO_CHILDREN_UNSPECIFIED ||
                     access == v1::ACCESS_TO_CHILDREN_UNKNOWN ||
                     !v1::AccessToChildren_IsValid(access)));
          }));
  }

  check(v1::QUALITY_ISSUE_NO_POLICE_ACTION_RECORDED, event.police_actions().empty());
  check(v1::QUALITY_ISSUE_CHILD_IDENTITY_INCOMPLETE,
        std::any_of(children.begin(), children.end(), IdentityIncomplete));
  check(v1::QUALITY_ISSUE_PARENT_CARER_MISSING,
        std::none_of(persons.begin(), persons.end(), [](const Person& p) {
          return p.role() == v1::PERSON_ROLE_PARENT_CARER;
        }));
  check(v1::QUALITY_ISSUE_REFERRER_CONTACT_MISSING, ReferrerContactMissing(event));
  check(v1::QUALITY_ISSUE_LA_UNRESOLVED, referral.la_code().empty());
  check(v1::QUALITY_ISSUE_RISK_NOT_ASSESSED, RiskNotAssessed(event));
  check(v1::QUALITY_ISSUE_INFORMATION_SHARING_NOT_RECORDED, SharingNotRecorded(event));

  quality.set_completeness(
      static_cast<double>(applicable - quality.issues_size()) / static_cast<double>(applicable));
  return quality;
}

}  // namespace referral
