// Decides where a standardised referral goes: the LA's front door in office hours; its EDT plus a
// handover copy to the front door out of hours; force triage when no known LA is responsible.
// Pure: the caller passes the routing moment.
#ifndef REFERRAL_SERVICES_ROUTER_CORE_ROUTE_H_
#define REFERRAL_SERVICES_ROUTER_CORE_ROUTE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "referral/config/v1/config.pb.h"
#include "referral/v1/referral.pb.h"
#include "services/common/core/bank_holidays.h"
#include "services/common/core/la_directory.h"
#include "services/router/core/office_hours.h"

namespace referral {

// Rule ids, recorded in RoutingDecision.rule_id for audit.
inline constexpr absl::string_view kRuleInHours = "in_hours.front_door";
inline constexpr absl::string_view kRuleOutOfHoursEdt = "out_of_hours.edt_with_handover";
inline constexpr absl::string_view kRuleOutOfHoursUrgentOnly = "out_of_hours.urgent_only.front_door";
inline constexpr absl::string_view kRuleLaUnresolved = "triage.la_unresolved";
inline constexpr absl::string_view kRuleLaNotInDirectory = "triage.la_not_in_directory";

// One copy of a referral for one topic, with `routing` filled in.
struct Delivery {
  std::string topic;
  v1::Referral referral;
};

class Router {
 public:
  // `topics` must have WithDefaults() applied and pass ValidateTopics(). IMPORTANT: keeps
  // references to `directory` and `holidays`, which must outlive the Router.
  Router(const LaDirectory& directory, const BankHolidays& holidays, config::v1::Topics topics,
         absl::TimeZone tz);
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // The decision for a referral to `la_code` with `urgency` at `now`: window, destinations (EDT
  // first when there is one), decision due time, rule and calendar version. `handover` and
  // `delivered_to` are left unset: they differ per copy. An empty or unknown `la_code` goes to
  // triage, whose hours are the directory's default office hours.
  // Returns kFailedPrecondition when the hours have no working day within a year of `now`.
  absl::StatusOr<v1::RoutingDecision> Decide(absl::string_view la_code,
                                             v1::Referral::Urgency urgency, absl::Time now) const;

  // Decide() into `decision`, replacing what it held; on failure `decision` is untouched.
  absl::Status DecideInto(absl::string_view la_code, v1::Referral::Urgency urgency, absl::Time now,
                          v1::RoutingDecision& decision) const;

  // Decide()s `referral` and returns one copy per destination, in destination order, each with
  // its routing (the front-door copy of an EDT referral has `handover` true). Takes the referral
  // by value: callers done with it should std::move it in, which saves a copy.
  absl::StatusOr<std::vector<Delivery>> Route(v1::Referral referral, absl::Time now) const;

  // Route() without the copies: for each destination in order, sets `referral`'s routing to that
  // copy's and calls `deliver(topic, referral)`, which must take what it needs (encode it) before
  // returning. Stops at the first error `deliver` returns and returns it; else OK, with the last
  // copy's routing left on `referral`. Fails as Decide() does before any call.
  absl::Status RouteEach(
      v1::Referral& referral, absl::Time now,
      absl::FunctionRef<absl::Status(const std::string& topic, const v1::Referral& copy)> deliver) const;

  // The office hours of the LA with this GSS code, or nullptr when it is not in the directory.
  const OfficeHours* HoursFor(absl::string_view gss_code) const;

  // The office hours of force triage (the directory's default hours).
  const OfficeHours& TriageHours() const { return *triage_hours_; }

 private:
  struct LaRoute {
    const config::v1::LocalAuthority* la;
    std::unique_ptr<OfficeHours> hours;
    std::string front_door_topic;
    std::string edt_topic;
  };

  const LaDirectory& directory_;
  const BankHolidays& holidays_;
  config::v1::Topics topics_;
  config::v1::LocalAuthority triage_la_;
  std::unique_ptr<OfficeHours> triage_hours_;
  absl::flat_hash_map<std::string, LaRoute> routes_;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_ROUTER_CORE_ROUTE_H_
