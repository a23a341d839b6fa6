// The router service's record processor: standardised referrals in (binary protobuf or JSON, by
// content-type), one copy per destination out (front door, EDT, triage) keyed by referral id,
// routed at processing time read from the injected Clock; unreadable records to the routing
// dead-letter topic.
#ifndef REFERRAL_SERVICES_ROUTER_APP_H_
#define REFERRAL_SERVICES_ROUTER_APP_H_

#include <vector>

#include "referral/config/v1/config.pb.h"
#include "services/common/observe/clock.h"
#include "services/common/core/codec.h"
#include "services/common/messaging/dead_letter.h"
#include "services/common/messaging/record.h"
#include "services/router/core/route.h"
#include "services/router/metrics.h"

namespace referral {

inline constexpr absl::string_view kRouterSource = "/referral-gateway/router";

class RouterProcessor final : public RecordProcessor {
 public:
  // `topics` must have WithDefaults() applied. IMPORTANT: keeps references to `router`, `clock`,
  // `metrics` and `dead_letters`, which must outlive the processor.
  RouterProcessor(const Router& router, config::v1::Topics topics, Encoding output_encoding,
                  const Clock& clock, RouterMetrics& metrics, DeadLetterMetrics& dead_letters)
      : router_(router),
        topics_(std::move(topics)),
        output_encoding_(output_encoding),
        clock_(clock),
        metrics_(metrics),
        dead_letter_(topics_.routing_dead_letters(), "router", dead_letters, &pending_) {}

  // One record per delivery of Router::Route() at clock.Now(); a dead letter for an unsupported
  // content-type, undecodable bytes, a referral without an id ("invalid") or a routing failure
  // ("unroutable").
  void Process(const InRecord& in, std::vector<OutRecord>& out) override;
  OutRecord DeadLetter(const InRecord& in, absl::string_view reason,
                       absl::string_view detail) override;
  // Its counters count what commits (PendingCounters).
  void Committed() override { pending_.Commit(); }
  void Aborted() override { pending_.Discard(); }

 private:
  const Router& router_;
  const config::v1::Topics topics_;
  const Encoding output_encoding_;
  const Clock& clock_;
  RouterMetrics& metrics_;
  PendingCounters pending_;  // before dead_letter_, which keeps a pointer to it
  DeadLetterer dead_letter_;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_ROUTER_APP_H_
