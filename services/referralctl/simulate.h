// Synthetic incident events for `referralctl simulate`, `make run` and the system tests:
// varied households, children, LAs, hours and incident types; a share with each quality issue,
// a share invalid and a share malformed. Deterministic: the same seed and newest time give the
// same incidents. Every name, address and number is made up.
#ifndef REFERRAL_SERVICES_REFERRALCTL_SIMULATE_H_
#define REFERRAL_SERVICES_REFERRALCTL_SIMULATE_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "referral/v1/incident.pb.h"

namespace referral::ctl {

struct SimulatedIncident {
  v1::IncidentEvent event;  // unset when `malformed`
  bool malformed = false;   // bytes no decoder accepts
  std::string raw;          // the malformed bytes (malformed only)
  std::string key;          // the incident id
};

class IncidentSimulator {
 public:
  // `postcode_districts` are the directory's districts ("BS1"); incidents happen in the 72 hours
  // before `newest`.
  IncidentSimulator(uint64_t seed, std::vector<std::string> postcode_districts, absl::Time newest);

  SimulatedIncident Next();

 private:
  // Uniform in [0, n): the engine's raw output, so the sequence is the same on every platform.
  uint64_t Below(uint64_t n) { return engine_() % n; }
  bool Chance(int percent) { return Below(100) < static_cast<uint64_t>(percent); }
  template <typename T>
  const T& Pick(const std::vector<T>& values) { return values[Below(values.size())]; }

  v1::Address RandomAddress(const std::string& district);
  std::string District();

  std::mt19937_64 engine_;
  uint64_t seed_;
  std::vector<std::string> districts_;
  absl::Time newest_;
  uint64_t sequence_ = 0;
};

}  // namespace referral::ctl

#endif  // REFERRAL_SERVICES_REFERRALCTL_SIMULATE_H_
