// Turns an incident event into standard referrals: one per local authority responsible for its
// children, each with the children's voice, the adults, concerns as CIN codes, urgency and
// quality. Pure: no I/O, no clock.
#ifndef REFERRAL_SERVICES_STANDARDISER_CORE_STANDARDISE_H_
#define REFERRAL_SERVICES_STANDARDISER_CORE_STANDARDISE_H_

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "google/protobuf/arena.h"
#include "google/protobuf/repeated_ptr_field.h"

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "referral/v1/incident.pb.h"
#include "referral/v1/referral.pb.h"
#include "services/common/core/field_error.h"
#include "services/common/core/la_directory.h"
#include "services/common/core/unrecognised.h"

namespace referral {

// Why an incident made no referral. Skips are counted, not dead-lettered.
enum class SkipReason {
  kNoChild,              // no person is a child by role, date of birth or age
  kOtherTypeNoRisk,      // incident type OTHER and no immediate risk
};

// A stable lower-case name for `reason` ("no_child", "other_type_no_risk"), used as a metric
// label and in messages.
absl::string_view SkipReasonName(SkipReason reason);

// The referrals of one outcome, in order. They live on an arena the list owns, so building and
// dropping an incident's referrals costs a block or two, not an allocation per field and string:
// malloc and free were a third of standardise + route (tests/benchmarks/README.md).
class ReferralList {
 public:
  using Items = google::protobuf::RepeatedPtrField<v1::Referral>;
  using iterator = Items::iterator;
  using const_iterator = Items::const_iterator;

  ReferralList() = default;
  ReferralList(ReferralList&& other) noexcept
      : arena_(std::move(other.arena_)), items_(std::exchange(other.items_, nullptr)) {}
  ReferralList& operator=(ReferralList&& other) noexcept {
    arena_ = std::move(other.arena_);
    items_ = std::exchange(other.items_, nullptr);
    return *this;
  }

  // A new empty referral at the end, on the list's arena.
  v1::Referral& Add();

  size_t size() const { return static_cast<size_t>(items().size()); }
  bool empty() const { return items().empty(); }
  v1::Referral& operator[](size_t i) { return *items_->Mutable(static_cast<int>(i)); }
  const v1::Referral& operator[](size_t i) const { return items().Get(static_cast<int>(i)); }
  const v1::Referral& at(size_t i) const { return items().at(static_cast<int>(i)); }
  iterator begin() { return items_ == nullptr ? iterator() : items_->begin(); }
  iterator end() { return items_ == nullptr ? iterator() : items_->end(); }
  const_iterator begin() const { return items().begin(); }
  const_iterator end() const { return items().end(); }

 private:
  const Items& items() const;

  // Both made by the first Add. The referrals are on the arena, and so is their list, whose
  // address a move of the ReferralList keeps.
  std::unique_ptr<google::protobuf::Arena> arena_;
  Items* items_ = nullptr;
};

// The result of standardising one event: exactly one of the three kinds.
struct StandardiseOutcome {
  enum class Kind { kReferrals, kSkipped, kRejected };
  Kind kind = Kind::kReferrals;
  ReferralList referrals;  // kReferrals: one or more, in order of first child
  SkipReason skip_reason{};             // kSkipped
  FieldErrors errors;                   // kRejected: every problem, with field paths
  // Every kind: the values of the event the gateway did not recognise (also on each referral).
  std::vector<v1::UnrecognisedValue> unrecognised;
};

// The CIN census factor codes for `event`'s incident type (one per type today). `on` is the
// incident's local date, which decides whether suspects are children (18B/19B, not 18C/19C).
std::vector<std::string> ConcernCodes(const v1::IncidentEvent& event, absl::CivilDay on);

// True when `person` is a child: role CHILD, or under 18 on `on` by date of birth or age, or a
// role the gateway does not recognise and no date of birth or age that says 18 or over.
bool IsChild(const v1::Person& person, absl::CivilDay on);

struct StandardiserOptions {
  // The longest narrative a referral carries (StandardiserConfig.max_narrative_bytes).
  size_t max_narrative_bytes = 256 * 1024;
};

// `text` cut to at most `max_bytes` at a UTF-8 character boundary (never inside a character).
absl::string_view CutAtCharacter(absl::string_view text, size_t max_bytes);

class Standardiser {
 public:
  // IMPORTANT: keeps a reference to `directory`, which must outlive the Standardiser.
  // `tz` is the time zone of incident dates (Europe/London).
  Standardiser(const LaDirectory& directory, absl::TimeZone tz, StandardiserOptions options = {})
      : directory_(directory), tz_(tz), options_(options) {}

  // Validates `event` (kRejected with every field error), decides whether it is a child referral
  // (kSkipped with the reason) and otherwise builds one referral per responsible LA: the child's
  // home-address LA, else the incident location's LA, else "" (unresolved, for triage).
  // Enum values the contract does not define are handled as incident.proto says and listed in
  // `unrecognised_values`; `unknown_names` are the names a JSON decoder met for them.
  StandardiseOutcome Standardise(const v1::IncidentEvent& event,
                                 const std::vector<UnknownEnumName>& unknown_names = {}) const;

 private:
  const LaDirectory& directory_;
  absl::TimeZone tz_;
  StandardiserOptions options_;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_STANDARDISER_CORE_STANDARDISE_H_
