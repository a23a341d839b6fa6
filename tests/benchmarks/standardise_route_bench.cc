// Standardise + route per incident for a realistic incident (2 adults, 3 children, a narrative
// of a few hundred characters). `make bench` prints incidents/s; the copy, JSON and binary
// decode and encode benchmarks are the in-process baselines that give the figures a scale.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "absl/time/time.h"
#include "referral/v1/incident.pb.h"
#include "services/common/config/setup.h"
#include "services/router/config.h"
#include "services/standardiser/config.h"
#include "services/common/core/codec.h"
#include "services/router/core/route.h"
#include "services/standardiser/core/standardise.h"

namespace {

constexpr char kIncident[] = R"({
  "eventId": "evt-bench", "incidentId": "ASP-BENCH-1", "revision": "1", "forceCode": "ASP",
  "sourceSystem": "storm", "occurredAt": "2026-11-20T21:40:00Z", "reportedAt": "2026-11-20T21:42:00Z",
  "incidentType": "INCIDENT_TYPE_DOMESTIC_ABUSE",
  "location": {"lines": ["12 Example Road", "Easton", "Bristol"], "postcode": "BS5 6XX"},
  "persons": [
    {"personRef": "p1", "role": "PERSON_ROLE_ADULT_VICTIM", "givenName": "Alex", "familyName": "Morgan",
     "dateOfBirth": "1990-04-02", "homeAddress": {"postcode": "BS5 6XX"},
     "relationships": [{"personRef": "c1", "type": "RELATIONSHIP_TYPE_PARENT"}]},
    {"personRef": "p2", "role": "PERSON_ROLE_SUSPECT", "givenName": "Jordan", "familyName": "Morgan",
     "dateOfBirth": "1988-09-15", "accessToOtherChildren": "ACCESS_TO_CHILDREN_YES"},
    {"personRef": "c1", "role": "PERSON_ROLE_CHILD", "givenName": "Riley", "familyName": "Morgan",
     "dateOfBirth": "2017-06-11", "homeAddress": {"lines": ["12 Example Road"], "postcode": "BS5 6XX"},
     "voice": {"seen": true, "spokenTo": true, "spokenToAlone": true, "views": "I was scared."}},
    {"personRef": "c2", "role": "PERSON_ROLE_CHILD", "givenName": "Casey", "familyName": "Morgan",
     "dateOfBirth": "2020-01-30", "homeAddress": {"lines": ["12 Example Road"], "postcode": "BS5 6XX"},
     "voice": {"seen": true, "notSpokenReason": "NOT_SPOKEN_REASON_TOO_YOUNG"}},
    {"personRef": "c3", "role": "PERSON_ROLE_CHILD", "givenName": "Sam", "familyName": "Morgan",
     "dateOfBirth": "2012-03-03", "homeAddress": {"lines": ["7 Hill View"], "postcode": "BA2 1XY"},
     "voice": {"seen": false, "notSpokenReason": "NOT_SPOKEN_REASON_NOT_PRESENT"}}],
  "household": {"residentChildrenCount": 3},
  "risk": {"dashLevel": "DASH_LEVEL_MEDIUM", "dashScore": 9, "callGrade": "P1"},
  "policeActions": [{"type": "POLICE_ACTION_TYPE_ARREST"}, {"type": "POLICE_ACTION_TYPE_SAFEGUARDING_ADVICE"}],
  "referrer": {"officerId": "4521", "name": "PC Sam Taylor", "phone": "01179 000111"},
  "narrative": "Officers attended a report of a verbal and physical argument between the adults. The suspect was arrested at the scene and taken into custody. Two children were in the house; the older child was in the kitchen during the assault and described what happened in her own words. The youngest was asleep. A third child lives with the suspect's mother in Bath.",
  "informationSharing": {"parentsInformed": true, "lawfulBasis": "LAWFUL_BASIS_SAFEGUARDING"}
})";

struct Fixture {
  referral::StandardiserSetup standardiser_setup;
  referral::RouterSetup router_setup;
  referral::v1::IncidentEvent event;
};

const Fixture& Get() {
  static Fixture* fixture = [] {
    auto s = referral::LoadStandardiserSetup(REFERRAL_SOURCE_DIR "/deploy/config/standardiser.yaml");
    auto r = referral::LoadRouterSetup(REFERRAL_SOURCE_DIR "/deploy/config/router.yaml");
    if (!s.ok() || !r.ok()) std::abort();
    auto* f = new Fixture{*std::move(s), *std::move(r), {}};
    if (!referral::Decode(kIncident, referral::Encoding::kJson, f->event).ok()) std::abort();
    return f;
  }();
  return *fixture;
}

// Baseline: copying the incident message, the least any transform must do.
void BM_CopyIncident(benchmark::State& state) {
  const Fixture& f = Get();
  for (auto _ : state) {
    referral::v1::IncidentEvent copy = f.event;
    benchmark::DoNotOptimize(copy);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CopyIncident);

// Baseline: decoding the incident from JSON, what the service does before standardising.
void BM_DecodeJsonIncident(benchmark::State& state) {
  for (auto _ : state) {
    referral::v1::IncidentEvent event;
    benchmark::DoNotOptimize(referral::Decode(kIncident, referral::Encoding::kJson, event));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeJsonIncident);

// The codec targets (issue 13): JSON decode and encode of the incident against binary protobuf's.
void BM_DecodeBinaryIncident(benchmark::State& state) {
  const std::string bytes = Get().event.SerializeAsString();
  for (auto _ : state) {
    referral::v1::IncidentEvent event;
    benchmark::DoNotOptimize(referral::Decode(bytes, referral::Encoding::kProtobuf, event));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeBinaryIncident);

void BM_EncodeJsonIncident(benchmark::State& state) {
  const Fixture& f = Get();
  for (auto _ : state) {
    benchmark::DoNotOptimize(referral::Encode(f.event, referral::Encoding::kJson));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeJsonIncident);

void BM_EncodeBinaryIncident(benchmark::State& state) {
  const Fixture& f = Get();
  for (auto _ : state) {
    benchmark::DoNotOptimize(referral::Encode(f.event, referral::Encoding::kProtobuf));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeBinaryIncident);

void BM_Standardise(benchmark::State& state) {
  const Fixture& f = Get();
  const referral::Standardiser standardiser(*f.standardiser_setup.directory, f.standardiser_setup.time_zone);
  for (auto _ : state) benchmark::DoNotOptimize(standardiser.Standardise(f.event));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Standardise);

// The figure the issue asks for: one incident standardised and every referral routed.
void BM_StandardiseAndRoute(benchmark::State& state) {
  const Fixture& f = Get();
  const referral::Standardiser standardiser(*f.standardiser_setup.directory, f.standardiser_setup.time_zone);
  const referral::Router router(*f.router_setup.directory, *f.router_setup.holidays,
                                f.router_setup.topics, f.router_setup.time_zone);
  // Friday evening: out of hours, so each referral fans out to EDT + front door (the costlier path).
  const absl::Time now = absl::FromUnixSeconds(1795816800);  // 2026-11-27T19:20:00Z
  size_t deliveries = 0;
  for (auto _ : state) {
    referral::StandardiseOutcome outcome = standardiser.Standardise(f.event);
    for (auto& referral : outcome.referrals) {
      // As the router service does: each copy's routing set in turn on the one referral.
      absl::Status status = router.RouteEach(referral, now, [&](const std::string&, const auto& copy) {
        ++deliveries;
        benchmark::DoNotOptimize(copy.routing());
        return absl::OkStatus();
      });
      benchmark::DoNotOptimize(status);
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["deliveries_per_incident"] =
      static_cast<double>(deliveries) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_StandardiseAndRoute);

}  // namespace

BENCHMARK_MAIN();
