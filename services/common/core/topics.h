// Kafka topic names from config, with the defaults of DESIGN.md §3 filled in.
#ifndef REFERRAL_SERVICES_COMMON_CORE_TOPICS_H_
#define REFERRAL_SERVICES_COMMON_CORE_TOPICS_H_

#include "absl/strings/string_view.h"
#include <set>
#include <string>

#include "referral/config/v1/config.pb.h"
#include "services/common/core/field_error.h"

namespace referral {

// `topics` with every empty field set to its default ("incidents.v1", "incidents.dlq.v1",
// "referrals.standardised.v1", "referrals.frontdoor.{la}.v1", "referrals.edt.{edt}.v1",
// "referrals.triage.v1", "referrals.dlq.v1", "referrals.audit.v1", "referrals.feedback.v1").
config::v1::Topics WithDefaults(config::v1::Topics topics);

// Checks that the templates hold their placeholder once. Expects WithDefaults() applied.
FieldErrors ValidateTopics(const config::v1::Topics& topics, absl::string_view path = "topics");

// The front-door topic of the LA with this GSS code.
std::string FrontDoorTopic(const config::v1::Topics& topics, absl::string_view gss_code);

// The topic of the emergency duty team with this id.
std::string EdtTopic(const config::v1::Topics& topics, absl::string_view edt_id);

// Every topic the router routes to under `directory`, each once: each LA's front door and EDT
// (LAs share EDTs), and triage. Not its dead letters.
std::set<std::string> RoutedTopics(const config::v1::Topics& topics,
                                   const config::v1::Directory& directory);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_CORE_TOPICS_H_
