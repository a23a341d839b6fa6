#include "services/referralctl/intake_commands.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "referral/v1/intake.grpc.pb.h"
#include "services/common/core/time_util.h"
#include "services/referralctl/input.h"

namespace referral::ctl {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitInvalid = 2;

std::string Lower(absl::string_view enum_name, absl::string_view prefix) {
  absl::ConsumePrefix(&enum_name, prefix);
  return absl::AsciiStrToLower(enum_name);
}

// One line per referral the incident makes: no personal data.
void PrintAnswer(const std::string& where, const v1::SubmitResponse& answer, std::ostream& out) {
  const std::string prefix = where.empty() ? "" : where + ": ";
  if (answer.referrals().empty()) {
    out << prefix << "accepted " << answer.event_id() << ", no referral ("
        << Lower(v1::NoReferralReason_Name(answer.no_referral_reason()), "NO_REFERRAL_REASON_")
        << ")\n";
    return;
  }
  out << prefix << "accepted " << answer.event_id() << ", " << answer.referrals_size()
      << " referral" << (answer.referrals_size() == 1 ? "" : "s") << "\n";
  for (const v1::ReferralPreview& r : answer.referrals()) {
    std::vector<std::string> issues;
    for (int issue : r.quality().issues()) {
      issues.push_back(
          Lower(v1::QualityIssue_Name(static_cast<v1::QualityIssue>(issue)), "QUALITY_ISSUE_"));
    }
    out << "  referral " << r.referral_id() << " r" << r.revision() << " LA "
        << (r.la_code().empty() ? "-" : r.la_code()) << " → " << absl::StrJoin(r.queues(), ", ")
        << " " << v1::RoutingDecision::Window_Name(r.window()) << " due "
        << (r.has_decision_due_by() ? FormatRfc3339Utc(ToAbslTime(r.decision_due_by())) : "-")
        << " " << Lower(v1::Referral::Urgency_Name(r.urgency()), "URGENCY_") << " completeness "
        << r.quality().completeness()
        << (issues.empty() ? "" : " issues: " + absl::StrJoin(issues, ", ")) << "\n";
  }
}

}  // namespace

int Submit(const SubmitOptions& options, std::ostream& out, std::ostream& err) {
  absl::StatusOr<std::string> text = ReadInput(options.input);
  if (!text.ok()) {
    err << text.status().message() << "\n";
    return kExitFailure;
  }
  std::shared_ptr<grpc::Channel> channel = Connect(options.grpc, err);
  if (channel == nullptr) return kExitFailure;
  auto stub = v1::IncidentIntake::NewStub(channel);
  int status = kExitOk;
  for (const InputEvent& input : ParseIncidents(*text)) {
    const std::string where = input.where.empty() ? "" : input.where;
    const std::string prefix = where.empty() ? "" : where + ": ";
    if (!input.event.ok()) {
      err << prefix << input.event.status().message() << "\n";
      status = kExitInvalid;
      continue;
    }
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    v1::SubmitRequest request;
    *request.mutable_incident() = *input.event;
    v1::SubmitResponse answer;
    const grpc::Status result = stub->Submit(&context, request, &answer);
    if (result.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      google::rpc::Status details;
      google::rpc::BadRequest bad;
      if (details.ParseFromString(result.error_details()) && details.details_size() > 0 &&
          details.details(0).UnpackTo(&bad)) {
        for (const auto& violation : bad.field_violations()) {
          err << prefix << (violation.field().empty() ? "(incident)" : violation.field()) << ": "
              << violation.description() << "\n";
        }
      } else {
        err << prefix << result.error_message() << "\n";
      }
      status = std::max(status, kExitInvalid);
      continue;
    }
    if (!result.ok()) {
      err << prefix << "submit: " << result.error_code() << " " << result.error_message()
          << "\n";
      return kExitFailure;
    }
    if (options.json) {
      std::string json;
      (void)google::protobuf::util::MessageToJsonString(answer, &json);
      out << json << "\n";
    } else {
      PrintAnswer(where, answer, out);
    }
  }
  return status;
}

}  // namespace referral::ctl
