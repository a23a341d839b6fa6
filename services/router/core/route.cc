#include "services/router/core/route.h"

#include <utility>

#include "services/common/core/time_util.h"
#include "services/common/core/topics.h"

namespace referral {

using config::v1::LocalAuthority;
using v1::RoutingDecision;

Router::Router(const LaDirectory& directory, const BankHolidays& holidays,
               config::v1::Topics topics, absl::TimeZone tz)
    : directory_(directory), holidays_(holidays), topics_(std::move(topics)) {
  const config::v1::WeeklyHours& defaults = directory_.config().default_office_hours();
  triage_hours_ = std::make_unique<OfficeHours>(triage_la_, defaults, holidays_, tz);
  for (const LocalAuthority& la : directory_.config().local_authorities()) {
    routes_.emplace(la.gss_code(),
                    LaRoute{&la, std::make_unique<OfficeHours>(la, defaults, holidays_, tz),
                            FrontDoorTopic(topics_, la.gss_code()), EdtTopic(topics_, la.edt_id())});
  }
}

const OfficeHours* Router::HoursFor(absl::string_view gss_code) const {
  const auto it = routes_.find(gss_code);
  return it == routes_.end() ? nullptr : it->second.hours.get();
}

absl::StatusOr<RoutingDecision> Router::Decide(absl::string_view la_code,
                                               v1::Referral::Urgency urgency,
                                               absl::Time now) const {
  RoutingDecision decision;
  if (absl::Status status = DecideInto(la_code, urgency, now, decision); !status.ok()) return status;
  return decision;
}

absl::Status Router::DecideInto(absl::string_view la_code, v1::Referral::Urgency urgency,
                                absl::Time now, RoutingDecision& decision) const {
  const auto it = routes_.find(la_code);
  const OfficeHours& hours = it == routes_.end() ? *triage_hours_ : *it->second.hours;
  const WindowAt window = hours.At(now);
  const absl::StatusOr<absl::Time> due = hours.DecisionDueBy(now, window.window);
  if (!due.ok()) return due.status();

  decision.Clear();
  *decision.mutable_decided_at() = ToProtoTimestamp(now);
  decision.set_calendar_version(holidays_.version());
  decision.set_window(window.window);
  decision.set_window_reason(window.reason);
  *decision.mutable_decision_due_by() = ToProtoTimestamp(*due);
  if (it == routes_.end()) {
    decision.add_destinations(topics_.triage());
    decision.set_rule_id(std::string(la_code.empty() ? kRuleLaUnresolved : kRuleLaNotInDirectory));
    return absl::OkStatus();
  }
  const LaRoute& route = it->second;
  if (window.window == RoutingDecision::IN_HOURS) {
    decision.add_destinations(route.front_door_topic);
    decision.set_rule_id(std::string(kRuleInHours));
  } else if (route.la->out_of_hours_policy() == LocalAuthority::URGENT_ONLY &&
             urgency != v1::Referral::IMMEDIATE) {
    decision.add_destinations(route.front_door_topic);
    decision.set_rule_id(std::string(kRuleOutOfHoursUrgentOnly));
  } else {
    decision.add_destinations(route.edt_topic);
    decision.add_destinations(route.front_door_topic);
    decision.set_rule_id(std::string(kRuleOutOfHoursEdt));
  }
  return absl::OkStatus();
}

absl::Status Router::RouteEach(
    v1::Referral& referral, absl::Time now,
    absl::FunctionRef<absl::Status(const std::string& topic, const v1::Referral& copy)> deliver) const {
  // Decided in place, on the referral's own arena when it has one: no decision to copy in.
  const bool had_routing = referral.has_routing();
  RoutingDecision& routing = *referral.mutable_routing();
  if (absl::Status status = DecideInto(referral.la_code(), referral.urgency(), now, routing);
      !status.ok()) {
    if (!had_routing) referral.clear_routing();
    return status;
  }
  const bool edt = routing.rule_id() == kRuleOutOfHoursEdt;
  const int count = routing.destinations_size();
  for (int i = 0; i < count; ++i) {
    // The routing names its own topic from the list it carries, and that list does not change.
    routing.set_delivered_to(routing.destinations(i));
    // The EDT copy comes first; the front-door copy after it is the handover.
    routing.set_handover(edt && i > 0);
    if (absl::Status status = deliver(routing.destinations(i), referral); !status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Delivery>> Router::Route(v1::Referral referral, absl::Time now) const {
  std::vector<Delivery> deliveries;
  absl::Status status = RouteEach(referral, now, [&](const std::string& topic, const v1::Referral& copy) {
    deliveries.push_back(Delivery{topic, copy});
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return deliveries;
}

}  // namespace referral
