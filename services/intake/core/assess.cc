#include "services/intake/core/assess.h"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/core/codec.h"
#include "services/common/core/queue.h"
#include "services/common/core/topics.h"
#include "services/common/core/unrecognised.h"

namespace referral {
namespace {

v1::NoReferralReason NoReferralReasonOf(SkipReason reason) {
  switch (reason) {
    case SkipReason::kNoChild:
      return v1::NO_REFERRAL_REASON_NO_CHILD;
    case SkipReason::kOtherTypeNoRisk:
      return v1::NO_REFERRAL_REASON_OTHER_TYPE_NO_RISK;
  }
  return v1::NO_REFERRAL_REASON_UNSPECIFIED;
}

// "unrecognised value 12". FindUnrecognisedValues() gives the number for a decoded binary
// message; a name (text a client chose) is not repeated.
std::string UnrecognisedMessage(const v1::UnrecognisedValue& value) {
  const std::string& text = value.value();
  const bool number = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '-';
  });
  return number ? absl::StrCat("unrecognised value ", text) : "unrecognised value";
}

// Why `referral` is too large for the standardiser to produce (as StandardiserProcessor decides:
// the larger of its binary and JSON encodings), or "" when it is not.
std::string TooLarge(const v1::Referral& referral, size_t max_bytes) {
  const size_t binary = referral.ByteSizeLong();
  size_t largest = binary;
  std::string sizes = absl::StrCat(binary, " bytes");
  // JSON may be several times the binary size; it costs to make, so only when it could matter.
  if (binary * 8 > max_bytes) {
    if (absl::StatusOr<std::string> json = ToJson(referral); json.ok()) {
      largest = std::max(largest, json->size());
      absl::StrAppend(&sizes, " (", json->size(), " as JSON)");
    }
  }
  if (largest <= max_bytes) return "";
  return absl::StrCat("a referral built from it would be ", sizes, ", more than the ", max_bytes,
                      " a referral may be");
}

}  // namespace

Assessor::Assessor(const Standardiser& standardiser, const Router& router,
                   const LaDirectory& directory, const config::v1::Topics& topics,
                   size_t max_referral_bytes)
    : standardiser_(standardiser), router_(router), max_referral_bytes_(max_referral_bytes) {
  queue_by_topic_[topics.triage()] = std::string(kTriageQueue);
  for (const config::v1::LocalAuthority& la : directory.config().local_authorities()) {
    queue_by_topic_[FrontDoorTopic(topics, la.gss_code())] =
        Queue{.kind = Queue::Kind::kFrontDoor, .id = la.gss_code()}.Name();
    if (!la.edt_id().empty()) {
      queue_by_topic_[EdtTopic(topics, la.edt_id())] =
          Queue{.kind = Queue::Kind::kEdt, .id = la.edt_id()}.Name();
    }
  }
}

std::string Assessor::QueueOf(const std::string& topic) const {
  auto it = queue_by_topic_.find(topic);
  return it == queue_by_topic_.end() ? topic : it->second;
}

absl::StatusOr<Assessment> Assessor::Assess(const v1::IncidentEvent& event, absl::Time now) const {
  Assessment assessment;
  StandardiseOutcome outcome = standardiser_.Standardise(event);
  FieldErrors& violations = assessment.violations;
  if (outcome.kind == StandardiseOutcome::Kind::kRejected) violations = std::move(outcome.errors);
  for (const v1::UnrecognisedValue& value : outcome.unrecognised) {
    violations.push_back({value.field_path(), UnrecognisedMessage(value)});
  }
  if (outcome.kind == StandardiseOutcome::Kind::kReferrals) {
    for (const v1::Referral& referral : outcome.referrals) {
      if (std::string why = TooLarge(referral, max_referral_bytes_); !why.empty()) {
        violations.push_back({"", std::move(why)});
        break;  // one is enough: the standardiser dead-letters the whole incident
      }
    }
  }
  if (!violations.empty()) return assessment;

  v1::SubmitResponse& response = assessment.response;
  response.set_event_id(event.event_id());
  if (outcome.kind == StandardiseOutcome::Kind::kSkipped) {
    response.set_no_referral_reason(NoReferralReasonOf(outcome.skip_reason));
    return assessment;
  }
  std::set<int> issues;
  for (const v1::Referral& referral : outcome.referrals) {
    absl::StatusOr<v1::RoutingDecision> decision =
        router_.Decide(referral.la_code(), referral.urgency(), now);
    if (!decision.ok()) return decision.status();
    v1::ReferralPreview& preview = *response.add_referrals();
    preview.set_referral_id(referral.referral_id());
    preview.set_revision(referral.revision());
    preview.set_la_code(referral.la_code());
    for (const std::string& topic : decision->destinations()) preview.add_queues(QueueOf(topic));
    preview.set_window(decision->window());
    preview.set_window_reason(decision->window_reason());
    *preview.mutable_decided_at() = decision->decided_at();
    *preview.mutable_decision_due_by() = decision->decision_due_by();
    preview.set_rule_id(decision->rule_id());
    preview.set_urgency(referral.urgency());
    *preview.mutable_quality() = referral.quality();
    issues.insert(referral.quality().issues().begin(), referral.quality().issues().end());
  }
  for (int issue : issues) response.add_quality_issues(static_cast<v1::QualityIssue>(issue));
  return assessment;
}

}  // namespace referral
