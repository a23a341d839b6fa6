// libFuzzer target: arbitrary bytes through both IncidentEvent decoders (binary protobuf and
// JSON), then the standardiser, the router and the JSON encoder, as a Kafka record would go.
// Finds crashes, sanitizer reports and invariant breaks; `make test-fuzz` runs a short smoke.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "referral/v1/incident.pb.h"
#include "services/common/config/setup.h"
#include "services/router/config.h"
#include "services/standardiser/config.h"
#include "services/common/core/codec.h"
#include "services/common/core/time_util.h"
#include "services/router/core/route.h"
#include "services/standardiser/core/standardise.h"

namespace {

struct Pipeline {
  referral::StandardiserSetup standardiser_setup;
  referral::RouterSetup router_setup;
  std::unique_ptr<referral::Standardiser> standardiser;
  std::unique_ptr<referral::Router> router;
};

const Pipeline& GetPipeline() {
  static Pipeline* pipeline = [] {
    auto standardiser = referral::LoadStandardiserSetup(REFERRAL_SOURCE_DIR "/deploy/config/standardiser.yaml");
    auto router = referral::LoadRouterSetup(REFERRAL_SOURCE_DIR "/deploy/config/router.yaml");
    if (!standardiser.ok() || !router.ok()) std::abort();
    auto* p = new Pipeline{*std::move(standardiser), *std::move(router), nullptr, nullptr};
    p->standardiser = std::make_unique<referral::Standardiser>(*p->standardiser_setup.directory,
                                                               p->standardiser_setup.time_zone);
    p->router = std::make_unique<referral::Router>(*p->router_setup.directory,
                                                   *p->router_setup.holidays,
                                                   p->router_setup.topics,
                                                   p->router_setup.time_zone);
    return p;
  }();
  return *pipeline;
}

void Check(bool invariant) {
  if (!invariant) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Pipeline& pipeline = GetPipeline();
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (const auto encoding : {referral::Encoding::kProtobuf, referral::Encoding::kJson}) {
    referral::v1::IncidentEvent event;
    if (!referral::Decode(bytes, encoding, event).ok()) continue;
    const referral::StandardiseOutcome outcome = pipeline.standardiser->Standardise(event);
    using Kind = referral::StandardiseOutcome::Kind;
    Check((outcome.kind == Kind::kRejected) == !outcome.errors.empty());
    Check((outcome.kind == Kind::kReferrals) == !outcome.referrals.empty());
    for (const auto& referral : outcome.referrals) {
      Check(referral.quality().completeness() >= 0.0 && referral.quality().completeness() <= 1.0);
      Check(referral.children_size() > 0);
      // Route at the incident's own time: validation guarantees it is a real timestamp.
      const auto deliveries = pipeline.router->Route(referral, referral::ToAbslTime(event.occurred_at()));
      Check(deliveries.ok() && !deliveries->empty());
      for (const auto& delivery : *deliveries) {
        Check(delivery.referral.routing().delivered_to() == delivery.topic);
        (void)referral::ToJson(delivery.referral).ok();
      }
    }
  }
  return 0;
}
