#include "services/common/core/topics.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace referral {
namespace {

constexpr absl::string_view kLaPlaceholder = "{la}";
constexpr absl::string_view kEdtPlaceholder = "{edt}";

void Default(std::string* field, absl::string_view value) {
  if (field->empty()) *field = std::string(value);
}

int Occurrences(absl::string_view text, absl::string_view needle) {
  int count = 0;
  for (size_t pos = text.find(needle); pos != absl::string_view::npos;
       pos = text.find(needle, pos + needle.size())) {
    ++count;
  }
  return count;
}

}  // namespace

config::v1::Topics WithDefaults(config::v1::Topics topics) {
  Default(topics.mutable_incidents(), "incidents.v1");
  Default(topics.mutable_dead_letters(), "incidents.dlq.v1");
  Default(topics.mutable_standardised(), "referrals.standardised.v1");
  Default(topics.mutable_front_door_template(), "referrals.frontdoor.{la}.v1");
  Default(topics.mutable_edt_template(), "referrals.edt.{edt}.v1");
  Default(topics.mutable_triage(), "referrals.triage.v1");
  Default(topics.mutable_routing_dead_letters(), "referrals.dlq.v1");
  Default(topics.mutable_audit(), "referrals.audit.v1");
  Default(topics.mutable_feedback(), "referrals.feedback.v1");
  return topics;
}

FieldErrors ValidateTopics(const config::v1::Topics& topics, absl::string_view path) {
  FieldErrors errors;
  if (Occurrences(topics.front_door_template(), kLaPlaceholder) != 1) {
    errors.push_back({absl::StrCat(path, ".front_door_template"), "must contain {la} once"});
  }
  if (Occurrences(topics.edt_template(), kEdtPlaceholder) != 1) {
    errors.push_back({absl::StrCat(path, ".edt_template"), "must contain {edt} once"});
  }
  return errors;
}

std::string FrontDoorTopic(const config::v1::Topics& topics, absl::string_view gss_code) {
  return absl::StrReplaceAll(topics.front_door_template(), {{kLaPlaceholder, gss_code}});
}

std::string EdtTopic(const config::v1::Topics& topics, absl::string_view edt_id) {
  return absl::StrReplaceAll(topics.edt_template(), {{kEdtPlaceholder, edt_id}});
}

std::set<std::string> RoutedTopics(const config::v1::Topics& topics,
                                   const config::v1::Directory& directory) {
  std::set<std::string> routed = {topics.triage()};
  for (const auto& la : directory.local_authorities()) {
    routed.insert(FrontDoorTopic(topics, la.gss_code()));
    if (!la.edt_id().empty()) routed.insert(EdtTopic(topics, la.edt_id()));
  }
  return routed;
}

}  // namespace referral
