#include "services/standardiser/app.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "referral/v1/incident.pb.h"
#include "services/common/kafka/cloud_events.h"
#include "services/common/kafka/dead_letter.h"

namespace referral {
namespace {

constexpr absl::string_view kService = "standardiser";

std::string JoinErrors(const FieldErrors& errors) {
  return absl::StrJoin(errors, "\n", [](std::string* out, const FieldError& error) {
    out->append(error.ToString());
  });
}

// "QUALITY_ISSUE_CHILD_VIEWS_NOT_RECORDED" -> "child_views_not_recorded": a closed set.
std::string IssueLabel(v1::QualityIssue issue) {
  const std::string name = absl::AsciiStrToLower(v1::QualityIssue_Name(issue));
  return std::string(absl::StripPrefix(name, "quality_issue_"));
}

}  // namespace

void StandardiserProcessor::Process(const InRecord& in, std::vector<OutRecord>& out) {
  const std::string* content_type = in.FindHeader(kContentTypeHeader);
  absl::StatusOr<Encoding> encoding = EncodingOf(content_type == nullptr ? "" : *content_type);
  if (!encoding.ok()) {
    out.push_back(DeadLetter(in, "unsupported_content_type", encoding.status().message()));
    return;
  }
  v1::IncidentEvent event;
  if (absl::Status decoded = Decode(in.value, *encoding, event); !decoded.ok()) {
    out.push_back(DeadLetter(in, "undecodable", absl::StrCat("value: ", decoded.message())));
    return;
  }
  StandardiseOutcome outcome = standardiser_.Standardise(event);
  switch (outcome.kind) {
    case StandardiseOutcome::Kind::kRejected:
      out.push_back(DeadLetter(in, "invalid", JoinErrors(outcome.errors)));
      return;
    case StandardiseOutcome::Kind::kSkipped:
      metrics_.incidents.Add({{"outcome", "skipped"}}).Increment();
      metrics_.skipped.Add({{"reason", std::string(SkipReasonName(outcome.skip_reason))}}).Increment();
      return;
    case StandardiseOutcome::Kind::kReferrals:
      break;
  }
  metrics_.incidents.Add({{"outcome", "referred"}}).Increment();
  const absl::Time now = clock_.Now();
  for (const v1::Referral& referral : outcome.referrals) {
    OutRecord record;
    record.topic = topics_.standardised();
    record.key = referral.referral_id();
    record.value = Encode(referral, output_encoding_);
    record.headers = CloudEventHeaders(output_encoding_,
                                       absl::StrCat(referral.referral_id(), ".r", referral.revision()),
                                       kStandardiserSource, kReferralStandardisedType, now);
    out.push_back(std::move(record));
    metrics_.referrals.Increment();
    for (int issue : referral.quality().issues()) {
      metrics_.quality_issues.Add({{"issue", IssueLabel(static_cast<v1::QualityIssue>(issue))}})
          .Increment();
    }
  }
}

OutRecord StandardiserProcessor::DeadLetter(const InRecord& in, absl::string_view reason,
                                            absl::string_view detail) {
  metrics_.incidents.Add({{"outcome", "rejected"}}).Increment();
  metrics_.dead_letters.Add({{"reason", std::string(reason)}}).Increment();
  return MakeDeadLetter(in, topics_.dead_letters(), kService, reason, detail);
}

}  // namespace referral
