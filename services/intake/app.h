// The intake's gRPC service, `referral.v1.IncidentIntake`: authenticates the caller, checks it may
// submit for the incident's force, assesses the incident with the core (violations → an
// INVALID_ARGUMENT status carrying a google.rpc.BadRequest), publishes a valid one on the
// incidents topic and answers once the broker has acknowledged it.
#ifndef REFERRAL_SERVICES_INTAKE_APP_H_
#define REFERRAL_SERVICES_INTAKE_APP_H_

#include <grpcpp/grpcpp.h>

#include <cstddef>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "referral/v1/intake.grpc.pb.h"
#include "services/common/core/codec.h"
#include "services/common/core/field_error.h"
#include "services/common/core/grants.h"
#include "services/common/messaging/record.h"
#include "services/common/observe/clock.h"
#include "services/intake/core/assess.h"
#include "services/intake/metrics.h"

namespace referral {

inline constexpr absl::string_view kIntakeSource = "/referral-gateway/intake";
// The CloudEvents type of an incident, as `referralctl publish` writes it.
inline constexpr absl::string_view kIncidentEventType = "uk.gov.police.incident.v1";
// The most bytes of google.rpc.Status the INVALID_ARGUMENT details carry: gRPC clients refuse
// trailers above 8 KiB by default, and the details travel in one (grpc-status-details-bin,
// base64). Violations beyond it are summed up in a last one.
inline constexpr size_t kMaxErrorDetailsBytes = 4096;

// Where accepted incidents go: one record at a time, answered once the broker has it.
class IncidentSink {
 public:
  virtual ~IncidentSink() = default;
  // Produces `record` and waits up to `timeout` for the broker's acknowledgement. Returns OK once
  // acknowledged; kUnavailable when it was not within `timeout` (the record may still land);
  // kInvalidArgument when the record is too large for the topic; kInternal otherwise.
  virtual absl::Status Publish(const OutRecord& record, absl::Duration timeout) = 0;
};

// The INVALID_ARGUMENT status for `violations`: a short message and, in the details, a
// google.rpc.Status with a google.rpc.BadRequest listing each violation (field path and rule),
// as many as fit in max_details_bytes, the last then saying how many more there were.
grpc::Status InvalidArgumentStatus(const FieldErrors& violations,
                                   size_t max_details_bytes = kMaxErrorDetailsBytes);

class IntakeServer final : public v1::IncidentIntake::Service {
 public:
  // The caller's grant from its call (Authenticate() against the grants file in production).
  using Authenticator = std::function<absl::StatusOr<ClientGrant>(const grpc::ServerContext&)>;

  struct Options {
    std::string topic;  // the incidents topic
    Encoding encoding = Encoding::kProtobuf;
    absl::Duration publish_timeout = absl::Seconds(10);
  };

  // IMPORTANT: keeps references to `assessor`, `sink`, `clock` and `metrics`, which must outlive
  // the server.
  IntakeServer(const Assessor& assessor, Authenticator authenticate, IncidentSink& sink,
               const Clock& clock, IntakeMetrics& metrics, Options options);

  grpc::Status Submit(grpc::ServerContext* context, const v1::SubmitRequest* request,
                      v1::SubmitResponse* response) override;

  // Submit() once the caller is known as `client`, waiting at most `timeout` for the broker:
  // PERMISSION_DENIED for a force `client` may not submit for; INVALID_ARGUMENT with the
  // violations; DEADLINE_EXCEEDED, publishing nothing, when `timeout` is not positive (the
  // caller's deadline has passed); UNAVAILABLE when the broker did not acknowledge; OK with the
  // answer.
  grpc::Status SubmitAs(const ClientGrant& client, const v1::SubmitRequest& request,
                        v1::SubmitResponse& response, absl::Duration timeout);

 private:
  grpc::Status Finish(const ClientGrant& client, SubmitOutcome outcome, grpc::Status status);

  const Assessor& assessor_;
  const Authenticator authenticate_;
  IncidentSink& sink_;
  const Clock& clock_;
  IntakeMetrics& metrics_;
  const Options options_;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_INTAKE_APP_H_
