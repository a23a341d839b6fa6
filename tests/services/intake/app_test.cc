// The intake's gRPC handler without a network: authorisation by force, the INVALID_ARGUMENT
// status and its google.rpc.BadRequest, the record it publishes (topic, key, headers, value),
// what the broker's answer becomes, and the submission metrics.
#include "services/intake/app.h"

#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/config/config_file.h"
#include "services/common/core/codec.h"
#include "services/intake/config.h"
#include "tests/testing/service_doubles.h"
#include "tests/testing/test_setup.h"

namespace referral {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using testing::At;
using testing::FixedClock;
using testing::HeaderValue;

const IntakeSetup& DefaultIntakeSetup() {
  static const IntakeSetup* setup =
      new IntakeSetup(*LoadIntakeSetup(testing::DefaultConfigPath("intake")));
  return *setup;
}

v1::SubmitRequest Request(const std::string& sample) {
  v1::SubmitRequest request;
  *request.mutable_incident() = testing::IncidentFromJson(*ReadFile(
      std::string(REFERRAL_SOURCE_DIR) + "/tests/data/incidents/" + sample + ".incident.json"));
  return request;
}

// Records what it is given and answers with `answer`.
class RecordingSink final : public IncidentSink {
 public:
  absl::Status Publish(const OutRecord& record, absl::Duration timeout) override {
    records.push_back(record);
    timeouts.push_back(timeout);
    return answer;
  }
  absl::Status answer = absl::OkStatus();
  std::vector<OutRecord> records;
  std::vector<absl::Duration> timeouts;
};

// The field violations of an INVALID_ARGUMENT status, as "field: description".
std::vector<std::string> FieldViolations(const grpc::Status& status) {
  google::rpc::Status details;
  EXPECT_TRUE(details.ParseFromString(status.error_details()));
  EXPECT_EQ(details.code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(details.message(), status.error_message());
  EXPECT_EQ(details.details_size(), 1);
  google::rpc::BadRequest bad_request;
  EXPECT_TRUE(details.details(0).UnpackTo(&bad_request));
  std::vector<std::string> out;
  for (const auto& violation : bad_request.field_violations()) {
    out.push_back(violation.field() + ": " + violation.description());
  }
  return out;
}

class IntakeServerTest : public ::testing::Test {
 protected:
  IntakeServerTest()
      : setup_(DefaultIntakeSetup()),
        standardiser_(*setup_.directory, setup_.time_zone),
        router_(*setup_.directory, *setup_.holidays, setup_.topics, setup_.time_zone),
        assessor_(standardiser_, router_, *setup_.directory, setup_.topics,
                  IntakeMaxReferralBytes(setup_.config)),
        clock_(At("2026-11-25T10:00:00Z")),
        metrics_(registry_) {
    client_.name = "asp-control-room";
    client_.force_codes = {"ASP"};
  }

  grpc::Status Submit(const v1::SubmitRequest& request, v1::SubmitResponse& response,
                      Encoding encoding = Encoding::kProtobuf,
                      absl::Duration timeout = absl::Seconds(3)) {
    IntakeServer server(
        assessor_,
        [](const grpc::ServerContext&) -> absl::StatusOr<ClientGrant> {
          return absl::UnauthenticatedError("not in this test");
        },
        sink_, clock_, metrics_,
        {.topic = "incidents.v1", .encoding = encoding, .publish_timeout = absl::Seconds(3)});
    return server.SubmitAs(client_, request, response, timeout);
  }

  double Submissions(const std::string& outcome) {
    return metrics_.submissions.Add({{"client", client_.name}, {"outcome", outcome}}).Value();
  }

  const IntakeSetup& setup_;
  const Standardiser standardiser_;
  const Router router_;
  const Assessor assessor_;
  const FixedClock clock_;
  prometheus::Registry registry_;
  IntakeMetrics metrics_;
  RecordingSink sink_;
  ClientGrant client_;
};

TEST_F(IntakeServerTest, ValidIncidentIsPublishedKeyedByIncidentThenAnswered) {
  const v1::SubmitRequest request = Request("01-domestic-abuse-complete");
  v1::SubmitResponse response;
  const grpc::Status status = Submit(request, response);
  ASSERT_TRUE(status.ok()) << status.error_message();

  ASSERT_THAT(sink_.records, SizeIs(1));
  const OutRecord& record = sink_.records[0];
  EXPECT_EQ(record.topic, "incidents.v1");
  EXPECT_EQ(record.key, "ASP-2026-11-00001");
  EXPECT_EQ(HeaderValue(record, "content-type"), "application/x-protobuf");
  EXPECT_EQ(HeaderValue(record, "ce_specversion"), "1.0");
  EXPECT_EQ(HeaderValue(record, "ce_id"), "evt-2026-0001");
  EXPECT_EQ(HeaderValue(record, "ce_type"), "uk.gov.police.incident.v1");
  EXPECT_EQ(HeaderValue(record, "ce_source"), "/referral-gateway/intake");
  EXPECT_EQ(HeaderValue(record, "ce_time"), "2026-11-25T10:00:00.000Z");
  v1::IncidentEvent published;
  ASSERT_TRUE(Decode(record.value, Encoding::kProtobuf, published).ok());
  EXPECT_EQ(published.SerializeAsString(), request.incident().SerializeAsString());
  EXPECT_THAT(sink_.timeouts, ElementsAre(absl::Seconds(3)));

  EXPECT_EQ(response.event_id(), "evt-2026-0001");
  ASSERT_EQ(response.referrals_size(), 1);
  EXPECT_EQ(response.referrals(0).referral_id(), "cdacdc46-df52-515d-bd7b-57d4e4f55b0f");
  EXPECT_THAT(response.referrals(0).queues(), ElementsAre("frontdoor/E06000023"));
  EXPECT_EQ(Submissions("accepted"), 1);
  EXPECT_EQ(metrics_.publish_seconds.Collect().histogram.sample_count, 1u);
}

TEST_F(IntakeServerTest, JsonEncodingPublishesCanonicalJson) {
  v1::SubmitResponse response;
  ASSERT_TRUE(Submit(Request("01-domestic-abuse-complete"), response, Encoding::kJson).ok());
  ASSERT_THAT(sink_.records, SizeIs(1));
  EXPECT_EQ(HeaderValue(sink_.records[0], "content-type"), "application/json");
  EXPECT_THAT(sink_.records[0].value, HasSubstr("\"incidentId\":\"ASP-2026-11-00001\""));
}

// The same event twice is published twice (the intake keeps no state) and answered the same.
TEST_F(IntakeServerTest, ResubmissionIsPublishedAgainAndAnsweredTheSame) {
  const v1::SubmitRequest request = Request("09-household-two-las");
  v1::SubmitResponse first, second;
  ASSERT_TRUE(Submit(request, first).ok());
  ASSERT_TRUE(Submit(request, second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  ASSERT_THAT(sink_.records, SizeIs(2));
  EXPECT_EQ(sink_.records[0].value, sink_.records[1].value);
  EXPECT_EQ(Submissions("accepted"), 2);
}

TEST_F(IntakeServerTest, IncidentWithoutReferralIsPublishedWithTheReason) {
  v1::SubmitResponse response;
  ASSERT_TRUE(Submit(Request("11-skipped-no-child"), response).ok());
  EXPECT_EQ(response.no_referral_reason(), v1::NO_REFERRAL_REASON_NO_CHILD);
  EXPECT_THAT(sink_.records, SizeIs(1));
}

TEST_F(IntakeServerTest, InvalidIncidentIsRefusedWithEveryViolationAndNotPublished) {
  v1::SubmitResponse response;
  const grpc::Status status = Submit(Request("13-invalid-dates"), response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "the incident is invalid: 5 violations, the first event_id: required");
  EXPECT_THAT(FieldViolations(status),
              ElementsAre("event_id: required", "reported_at: before occurred_at",
                          "persons[0].date_of_birth: not a date (want YYYY-MM-DD)",
                          "persons[1].date_of_birth: after occurred_at",
                          "persons[2].age_years: over 125"));
  EXPECT_THAT(sink_.records, IsEmpty());
  EXPECT_EQ(response.ByteSizeLong(), 0u);
  EXPECT_EQ(Submissions("invalid"), 1);
  EXPECT_EQ(Submissions("accepted"), 0);
  EXPECT_EQ(metrics_.violations.Add({{"field", "persons.date_of_birth"}}).Value(), 2);
  EXPECT_EQ(metrics_.violations.Add({{"field", "event_id"}}).Value(), 1);
}

TEST_F(IntakeServerTest, UnrecognisedEnumValueIsRefused) {
  v1::SubmitRequest request = Request("01-domestic-abuse-complete");
  request.mutable_incident()->mutable_persons(3)->set_role(static_cast<v1::PersonRole>(42));
  v1::SubmitResponse response;
  const grpc::Status status = Submit(request, response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldViolations(status), ElementsAre("persons[3].role: unrecognised value 42"));
  EXPECT_THAT(sink_.records, IsEmpty());
}

TEST_F(IntakeServerTest, ForceNotGrantedIsDeniedBeforeAnythingElse) {
  v1::SubmitRequest request = Request("13-invalid-dates");  // invalid too: denial comes first
  request.mutable_incident()->set_force_code("WMP");
  v1::SubmitResponse response;
  const grpc::Status status = Submit(request, response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message(),
            "client \"asp-control-room\" may not submit incidents for force_code \"WMP\"");
  EXPECT_THAT(sink_.records, IsEmpty());
  EXPECT_EQ(Submissions("denied"), 1);
}

TEST_F(IntakeServerTest, GrantedForceMatchesWhateverItsCase) {
  v1::SubmitRequest request = Request("01-domestic-abuse-complete");
  request.mutable_incident()->set_force_code("asp");
  v1::SubmitResponse response;
  EXPECT_TRUE(Submit(request, response).ok());
  EXPECT_THAT(sink_.records, SizeIs(1));
}

TEST_F(IntakeServerTest, ClientWithNoForceMaySubmitNothing) {
  client_.force_codes.clear();
  v1::SubmitResponse response;
  EXPECT_EQ(Submit(Request("01-domestic-abuse-complete"), response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(sink_.records, IsEmpty());
}

// A missing force is the incident's fault, not the caller's: a violation, not a denial.
TEST_F(IntakeServerTest, MissingForceIsAViolation) {
  v1::SubmitRequest request = Request("01-domestic-abuse-complete");
  request.mutable_incident()->clear_force_code();
  v1::SubmitResponse response;
  const grpc::Status status = Submit(request, response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldViolations(status), ElementsAre("force_code: required"));
}

TEST_F(IntakeServerTest, BrokerNotAcknowledgingIsUnavailable) {
  sink_.answer = absl::UnavailableError("produce to incidents.v1: no acknowledgement within 3s");
  v1::SubmitResponse response;
  const grpc::Status status = Submit(Request("01-domestic-abuse-complete"), response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), HasSubstr("submit it again"));
  EXPECT_EQ(response.referrals_size(), 0);
  EXPECT_EQ(Submissions("unavailable"), 1);
}

// A caller whose deadline has passed hears nothing: nothing is published for it.
TEST_F(IntakeServerTest, NoTimeLeftPublishesNothing) {
  v1::SubmitResponse response;
  const grpc::Status status = Submit(Request("01-domestic-abuse-complete"), response,
                                     Encoding::kProtobuf, absl::ZeroDuration());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_THAT(sink_.records, IsEmpty());
  EXPECT_EQ(Submissions("unavailable"), 1);
  // A moment left is enough to try.
  EXPECT_TRUE(Submit(Request("01-domestic-abuse-complete"), response, Encoding::kProtobuf,
                     absl::Milliseconds(1))
                  .ok());
  EXPECT_THAT(sink_.records, SizeIs(1));
}

TEST_F(IntakeServerTest, RecordTooLargeForTheTopicIsAViolationOfTheWholeIncident) {
  sink_.answer = absl::InvalidArgumentError("produce to incidents.v1: message size too large");
  v1::SubmitResponse response;
  const grpc::Status status = Submit(Request("01-domestic-abuse-complete"), response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const std::vector<std::string> violations = FieldViolations(status);
  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_THAT(violations[0], HasSubstr(": the incident is "));
  EXPECT_THAT(violations[0], HasSubstr(" bytes encoded, more than incidents.v1 takes"));
  EXPECT_EQ(violations[0].rfind(": ", 0), 0u);  // the field is empty: the whole incident
  EXPECT_EQ(Submissions("invalid"), 1);
  EXPECT_EQ(metrics_.violations.Add({{"field", "incident"}}).Value(), 1);
}

TEST_F(IntakeServerTest, OtherPublishFailureIsInternal) {
  sink_.answer = absl::InternalError("produce to incidents.v1: Broker: Topic authorization failed");
  v1::SubmitResponse response;
  EXPECT_EQ(Submit(Request("01-domestic-abuse-complete"), response).error_code(),
            grpc::StatusCode::INTERNAL);
  EXPECT_EQ(Submissions("failed"), 1);
}

FieldErrors ManyViolations(int n) {
  FieldErrors errors;
  for (int i = 0; i < n; ++i) {
    errors.push_back({"persons[" + std::to_string(i) + "].date_of_birth", "after occurred_at"});
  }
  return errors;
}

TEST(InvalidArgumentStatusTest, EveryViolationWhileTheyFit) {
  const grpc::Status status = InvalidArgumentStatus(ManyViolations(3));
  EXPECT_THAT(FieldViolations(status),
              ElementsAre("persons[0].date_of_birth: after occurred_at",
                          "persons[1].date_of_birth: after occurred_at",
                          "persons[2].date_of_birth: after occurred_at"));
  EXPECT_EQ(status.error_message(),
            "the incident is invalid: 3 violations, the first persons[0].date_of_birth: after "
            "occurred_at");
}

// Details travel in one trailer, which gRPC clients cap: beyond the limit the last violation
// says how many more there were.
TEST(InvalidArgumentStatusTest, BeyondTheLimitTheLastViolationCountsTheRest) {
  const grpc::Status status = InvalidArgumentStatus(ManyViolations(500));
  EXPECT_LE(status.error_details().size(), kMaxErrorDetailsBytes);
  const std::vector<std::string> violations = FieldViolations(status);
  ASSERT_GT(violations.size(), 10u);
  ASSERT_LT(violations.size(), 500u);
  const size_t listed = violations.size() - 1;
  EXPECT_EQ(violations[listed - 1],
            "persons[" + std::to_string(listed - 1) + "].date_of_birth: after occurred_at");
  EXPECT_EQ(violations.back(), ": and " + std::to_string(500 - listed) + " more violations");
  EXPECT_THAT(status.error_message(), HasSubstr("500 violations"));
}

TEST(InvalidArgumentStatusTest, AllThatFitAreListedWithoutASummary) {
  // The largest count listed whole; one more and the last is the summary of one.
  auto last = [](int n) {
    return FieldViolations(InvalidArgumentStatus(ManyViolations(n))).back();
  };
  int fits = 1;
  while (fits < 500 && last(fits + 1).find("more violation") == std::string::npos) ++fits;
  ASSERT_LT(fits, 500);
  EXPECT_EQ(FieldViolations(InvalidArgumentStatus(ManyViolations(fits))).size(),
            static_cast<size_t>(fits));
  EXPECT_EQ(last(fits),
            "persons[" + std::to_string(fits - 1) + "].date_of_birth: after occurred_at");
  EXPECT_EQ(last(fits + 1), ": and 1 more violation");
}

}  // namespace
}  // namespace referral
