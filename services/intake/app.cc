#include "services/intake/app.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/core/unrecognised.h"
#include "services/common/messaging/cloud_events.h"
#include "services/common/observe/log.h"

namespace referral {
namespace {

// Room left in the details for the violation that says how many more there were.
constexpr size_t kSummaryRoomBytes = 96;

std::string ViolationLabel(const std::string& path) {
  return path.empty() ? "incident" : FieldPathLabel(path);
}

grpc::Status StatusOf(grpc::StatusCode code, const absl::Status& status) {
  return grpc::Status(code, std::string(status.message()));
}

}  // namespace

grpc::Status InvalidArgumentStatus(const FieldErrors& violations, size_t max_details_bytes) {
  std::string message = absl::StrCat("the incident is invalid: ", violations.size(), " violation",
                                     violations.size() == 1 ? "" : "s");
  if (!violations.empty()) absl::StrAppend(&message, ", the first ", violations[0].ToString());
  google::rpc::Status details;
  details.set_code(grpc::StatusCode::INVALID_ARGUMENT);
  details.set_message(message);
  // What the details take besides the violations: code, message, the Any's type URL.
  details.add_details()->PackFrom(google::rpc::BadRequest());
  const size_t overhead = details.ByteSizeLong();
  // The Any's value grows with the BadRequest, its length prefix too (at most 3 bytes more here).
  const size_t budget =
      max_details_bytes > overhead + kSummaryRoomBytes + 3 ? max_details_bytes - overhead - 3 : 0;
  google::rpc::BadRequest bad_request;
  for (size_t i = 0; i < violations.size(); ++i) {
    google::rpc::BadRequest::FieldViolation& added = *bad_request.add_field_violations();
    added.set_field(violations[i].path);
    added.set_description(violations[i].message);
    if (bad_request.ByteSizeLong() + kSummaryRoomBytes > budget) {
      bad_request.mutable_field_violations()->RemoveLast();
      google::rpc::BadRequest::FieldViolation& summary = *bad_request.add_field_violations();
      summary.set_description(absl::StrCat("and ", violations.size() - i, " more violation",
                                           violations.size() - i == 1 ? "" : "s"));
      break;
    }
  }
  details.mutable_details(0)->PackFrom(bad_request);
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message, details.SerializeAsString());
}

IntakeServer::IntakeServer(const Assessor& assessor, Authenticator authenticate,
                           IncidentSink& sink, const Clock& clock, IntakeMetrics& metrics,
                           Options options)
    : assessor_(assessor),
      authenticate_(std::move(authenticate)),
      sink_(sink),
      clock_(clock),
      metrics_(metrics),
      options_(std::move(options)) {}

grpc::Status IntakeServer::Submit(grpc::ServerContext* context, const v1::SubmitRequest* request,
                                  v1::SubmitResponse* response) {
  absl::StatusOr<ClientGrant> client = authenticate_(*context);
  if (!client.ok()) {
    // Counted, not logged: the certificate's subject could name a person.
    metrics_.Count("unknown", SubmitOutcome::kUnauthenticated);
    return StatusOf(grpc::StatusCode::UNAUTHENTICATED, client.status());
  }
  // A caller's deadline closer than publish_timeout is the limit: an answer after it is lost.
  const absl::Duration timeout = std::min(
      options_.publish_timeout, absl::FromChrono(context->deadline()) - absl::Now());
  return SubmitAs(*client, *request, *response, timeout);
}

grpc::Status IntakeServer::SubmitAs(const ClientGrant& client, const v1::SubmitRequest& request,
                                    v1::SubmitResponse& response, absl::Duration timeout) {
  const v1::IncidentEvent& event = request.incident();
  // An empty force is a violation, reported as such below.
  if (!event.force_code().empty() && !client.MaySubmitFor(event.force_code())) {
    return Finish(client, SubmitOutcome::kDenied,
                  grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                               absl::StrCat("client \"", client.name,
                                            "\" may not submit incidents for force_code \"",
                                            event.force_code(), "\"")));
  }
  const absl::Time now = clock_.Now();
  absl::StatusOr<Assessment> assessment = assessor_.Assess(event, now);
  if (!assessment.ok()) {
    log::Error("submission_failed", {{"client", client.name},
                                     {"error", std::string(assessment.status().message())}});
    return Finish(client, SubmitOutcome::kFailed,
                  StatusOf(grpc::StatusCode::INTERNAL, assessment.status()));
  }
  if (!assessment->violations.empty()) {
    for (const FieldError& violation : assessment->violations) {
      metrics_.violations.Add({{"field", ViolationLabel(violation.path)}}).Increment();
    }
    return Finish(client, SubmitOutcome::kInvalid, InvalidArgumentStatus(assessment->violations));
  }

  if (timeout <= absl::ZeroDuration()) {
    // The caller has stopped waiting: publishing now would put on the topic an incident whose
    // caller never hears of it, and who will submit it again.
    return Finish(client, SubmitOutcome::kUnavailable,
                  grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                               "the call's deadline passed before the incident was published; "
                               "nothing was published"));
  }
  absl::StatusOr<std::string> value = Encode(event, options_.encoding);
  if (!value.ok()) {
    return Finish(client, SubmitOutcome::kFailed,
                  StatusOf(grpc::StatusCode::INTERNAL, value.status()));
  }
  OutRecord record;
  record.topic = options_.topic;
  record.key = event.incident_id();
  const size_t size = value->size();
  record.value = *std::move(value);
  record.headers = CloudEventHeaders(options_.encoding, event.event_id(), kIntakeSource,
                                     kIncidentEventType, now);
  const absl::Time started = absl::Now();
  const absl::Status published = sink_.Publish(record, timeout);
  metrics_.publish_seconds.Observe(absl::ToDoubleSeconds(absl::Now() - started));
  switch (published.code()) {
    case absl::StatusCode::kOk:
      break;
    case absl::StatusCode::kInvalidArgument: {
      const FieldErrors too_large = {
          {"", absl::StrCat("the incident is ", size, " bytes encoded, more than ",
                            options_.topic, " takes")}};
      metrics_.violations.Add({{"field", ViolationLabel("")}}).Increment();
      return Finish(client, SubmitOutcome::kInvalid, InvalidArgumentStatus(too_large));
    }
    case absl::StatusCode::kUnavailable:
      log::Warn("publish_unavailable", {{"client", client.name},
                                        {"error", std::string(published.message())}});
      return Finish(client, SubmitOutcome::kUnavailable,
                    grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                 absl::StrCat("the broker did not acknowledge the incident (",
                                              published.message(), "); submit it again")));
    default:
      log::Error("publish_failed", {{"client", client.name},
                                    {"error", std::string(published.message())}});
      return Finish(client, SubmitOutcome::kFailed,
                    StatusOf(grpc::StatusCode::INTERNAL, published));
  }
  response = std::move(assessment->response);
  std::vector<std::string> referral_ids;
  for (const v1::ReferralPreview& preview : response.referrals()) {
    referral_ids.push_back(preview.referral_id());
  }
  log::Info("submission_accepted", {{"client", client.name}, {"referral_ids", referral_ids}});
  return Finish(client, SubmitOutcome::kAccepted, grpc::Status::OK);
}

grpc::Status IntakeServer::Finish(const ClientGrant& client, SubmitOutcome outcome,
                                  grpc::Status status) {
  metrics_.Count(client.name, outcome);
  return status;
}

}  // namespace referral
