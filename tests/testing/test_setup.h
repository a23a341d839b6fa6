// Shared helpers for unit tests: the shipped default config, instants from RFC 3339 text and
// incidents from JSON. Header-only so each test binary stays self-contained.
#ifndef REFERRAL_TESTS_TESTING_TEST_SETUP_H_
#define REFERRAL_TESTS_TESTING_TEST_SETUP_H_

#include <gtest/gtest.h>

#include <string>

#include "absl/time/time.h"
#include "referral/v1/incident.pb.h"
#include "services/common/config/setup.h"
#include "services/standardiser/config.h"
#include "services/common/core/codec.h"

namespace referral::testing {

// The repository's deploy/config/<name>.yaml.
inline std::string DefaultConfigPath(const std::string& name) {
  return std::string(REFERRAL_SOURCE_DIR) + "/deploy/config/" + name + ".yaml";
}

// The standardiser setup of the shipped default config; aborts the test binary if it fails.
inline const StandardiserSetup& DefaultStandardiserSetup() {
  static const StandardiserSetup* setup = [] {
    auto loaded = LoadStandardiserSetup(DefaultConfigPath("standardiser"));
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.status();
      std::abort();
    }
    return new StandardiserSetup(*std::move(loaded));
  }();
  return *setup;
}

// An instant from RFC 3339 text such as "2026-03-29T01:00:00Z" or "2026-03-30T09:00:00+01:00".
inline absl::Time At(absl::string_view rfc3339) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &error)) {
    ADD_FAILURE() << "bad RFC 3339 \"" << rfc3339 << "\": " << error;
  }
  return t;
}

// Europe/London from the system tz database.
inline absl::TimeZone London() {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/London", &tz)) << "is tzdata installed?";
  return tz;
}

// An IncidentEvent from canonical JSON; fails the test on bad JSON.
inline v1::IncidentEvent IncidentFromJson(const std::string& json) {
  v1::IncidentEvent event;
  const absl::Status status = Decode(json, Encoding::kJson, event);
  EXPECT_TRUE(status.ok()) << status;
  return event;
}

}  // namespace referral::testing

#endif  // REFERRAL_TESTS_TESTING_TEST_SETUP_H_
