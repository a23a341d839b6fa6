#include "services/standardiser/app.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "referral/v1/incident.pb.h"
#include "services/common/messaging/cloud_events.h"
#include "services/common/messaging/dead_letter.h"
#include "services/common/messaging/decode_record.h"

namespace referral {
namespace {

std::string JoinErrors(const FieldErrors& errors) {
  return absl::StrJoin(errors, "\n", [](std::string* out, const FieldError& error) {
    out->append(error.ToString());
  });
}

}  // namespace

void StandardiserProcessor::Process(const InRecord& in, std::vector<OutRecord>& out) {
  v1::IncidentEvent event;
  std::vector<UnknownEnumName> unknown_names;
  if (std::optional<DecodeFailure> failure = DecodeRecord(in, event, &unknown_names)) {
    out.push_back(DeadLetter(in, failure->reason, failure->detail));
    return;
  }
  StandardiseOutcome outcome = standardiser_.Standardise(event, unknown_names);
  for (const v1::UnrecognisedValue& value : outcome.unrecognised) {
    pending_.Add(metrics_.unrecognised.Add({{"field", FieldPathLabel(value.field_path())}}));
  }
  switch (outcome.kind) {
    case StandardiseOutcome::Kind::kRejected:
      out.push_back(DeadLetter(in, "invalid", JoinErrors(outcome.errors)));
      return;
    case StandardiseOutcome::Kind::kSkipped:
      pending_.Add(metrics_.incidents_skipped);
      pending_.Add(metrics_.skipped.Add({{"reason", std::string(SkipReasonName(outcome.skip_reason))}}));
      return;
    case StandardiseOutcome::Kind::kReferrals:
      break;
  }
  // Every referral encodes, or none goes out and the incident is dead-lettered whole.
  const absl::Time now = clock_.Now();
  const size_t first = out.size();
  for (const v1::Referral& referral : outcome.referrals) {
    absl::StatusOr<std::string> value = Encode(referral, output_encoding_);
    if (!value.ok()) {
      out.resize(first);
      out.push_back(DeadLetter(in, "unencodable", value.status().message()));
      return;
    }
    if (std::string why = TooLarge(referral, *value); !why.empty()) {
      out.resize(first);
      out.push_back(DeadLetter(in, "too_large", why));
      return;
    }
    OutRecord record;
    record.topic = topics_.standardised();
    record.key = referral.referral_id();
    record.value = *std::move(value);
    record.headers = CloudEventHeaders(output_encoding_,
                                       absl::StrCat(referral.referral_id(), ".r", referral.revision()),
                                       kStandardiserSource, kReferralStandardisedType, now);
    out.push_back(std::move(record));
  }
  pending_.Add(metrics_.incidents_referred);
  for (const v1::Referral& referral : outcome.referrals) {
    pending_.Add(metrics_.referrals);
    for (int issue : referral.quality().issues()) {
      if (issue > 0 && issue < static_cast<int>(metrics_.by_quality_issue.size()) &&
          metrics_.by_quality_issue[issue] != nullptr) {
        pending_.Add(*metrics_.by_quality_issue[issue]);
      }
    }
  }
}

std::string StandardiserProcessor::TooLarge(const v1::Referral& referral,
                                            const std::string& encoded) const {
  // The router may write JSON whatever this service writes, and JSON may be several times the
  // protobuf size; encoding JSON costs, so only when the protobuf is within a factor of eight.
  size_t largest = encoded.size();
  std::string sizes = absl::StrCat(encoded.size(), " bytes");
  if (output_encoding_ == Encoding::kProtobuf && encoded.size() * 8 > max_referral_bytes_) {
    if (absl::StatusOr<std::string> json = ToJson(referral); json.ok()) {
      largest = std::max(largest, json->size());
      absl::StrAppend(&sizes, " (", json->size(), " as JSON)");
    }
  } else if (output_encoding_ == Encoding::kJson) {
    largest = std::max(largest, referral.ByteSizeLong());
  }
  if (largest <= max_referral_bytes_) return "";
  return absl::StrCat("referral: ", sizes, " exceeds max_referral_bytes ", max_referral_bytes_,
                      "; it could not be delivered to its LA");
}

OutRecord StandardiserProcessor::DeadLetter(const InRecord& in, absl::string_view reason,
                                            absl::string_view detail) {
  pending_.Add(metrics_.incidents_rejected);
  return dead_letter_(in, reason, detail);
}

}  // namespace referral
