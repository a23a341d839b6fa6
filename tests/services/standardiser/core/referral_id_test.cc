#include "services/standardiser/core/referral_id.h"

#include <gtest/gtest.h>

namespace referral {
namespace {

// Expected ids come from Python's uuid.uuid5(UUID(kReferralIdNamespace), name), an independent
// implementation of RFC 4122.
TEST(ReferralIdTest, IsUuidVersion5OfForceIncidentAndLa) {
  EXPECT_EQ(ReferralId("ASP", "ASP-2026-11-00009", "E06000023"),
            "a29224ec-723c-5780-8ec0-fd5d394064e5");
}

TEST(ReferralIdTest, UnresolvedLaUsesEmptyCode) {
  EXPECT_EQ(ReferralId("ASP", "INC-1", ""), "e22d6311-e943-5ea7-b74f-698f1ae0c5af");
}

TEST(ReferralIdTest, DiffersPerLaAndIsStable) {
  const std::string bristol = ReferralId("ASP", "INC-1", "E06000023");
  EXPECT_NE(bristol, ReferralId("ASP", "INC-1", "E06000022"));
  EXPECT_NE(bristol, ReferralId("XYZ", "INC-1", "E06000023"));
  EXPECT_EQ(bristol, ReferralId("ASP", "INC-1", "E06000023"));
}

}  // namespace
}  // namespace referral
