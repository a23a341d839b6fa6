#include "services/router/app.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "referral/v1/referral.pb.h"
#include "services/common/messaging/cloud_events.h"
#include "services/common/messaging/dead_letter.h"
#include "services/common/messaging/decode_record.h"

namespace referral {
namespace {

std::string WindowName(v1::RoutingDecision::Window window) {
  return window == v1::RoutingDecision::OUT_OF_HOURS ? "out_of_hours" : "in_hours";
}

}  // namespace

void RouterProcessor::Process(const InRecord& in, std::vector<OutRecord>& out) {
  v1::Referral referral;
  if (std::optional<DecodeFailure> failure = DecodeRecord(in, referral)) {
    out.push_back(DeadLetter(in, failure->reason, failure->detail));
    return;
  }
  if (referral.referral_id().empty()) {
    out.push_back(DeadLetter(in, "invalid", "referral_id: required"));
    return;
  }
  // The LA label comes from the directory (a closed set), never from the record.
  const std::string la_label = router_.HoursFor(referral.la_code()) != nullptr ? referral.la_code() : "triage";
  const std::string id = absl::StrCat(referral.referral_id(), ".r", referral.revision());
  // Every copy encodes, or none goes out and the referral is dead-lettered whole.
  const size_t first = out.size();
  bool unencodable = false;
  absl::Status routed = router_.RouteEach(
      referral, clock_.Now(), [&](const std::string& topic, const v1::Referral& copy) -> absl::Status {
        absl::StatusOr<std::string> value = Encode(copy, output_encoding_);
        if (!value.ok()) {
          unencodable = true;
          return value.status();
        }
        OutRecord& record = out.emplace_back();
        record.topic = topic;
        record.key = copy.referral_id();
        record.value = *std::move(value);
        record.headers = CloudEventHeaders(output_encoding_, absl::StrCat(id, ".", topic), kRouterSource,
                                           kReferralRoutedType, clock_.Now());
        return absl::OkStatus();
      });
  if (!routed.ok()) {
    out.resize(first);
    out.push_back(DeadLetter(in, unencodable ? "unencodable" : "unroutable", routed.message()));
    return;
  }
  if (out.size() > first) {
    const v1::RoutingDecision& routing = referral.routing();
    pending_.Add(metrics_.routed.Add(
        {{"la", la_label}, {"window", WindowName(routing.window())}, {"rule", routing.rule_id()}}));
  }
}

OutRecord RouterProcessor::DeadLetter(const InRecord& in, absl::string_view reason,
                                      absl::string_view detail) {
  return dead_letter_(in, reason, detail);
}

}  // namespace referral
