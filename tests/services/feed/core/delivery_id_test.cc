#include "services/feed/core/delivery_id.h"

#include <gtest/gtest.h>

namespace referral {
namespace {

TEST(DeliveryIdTest, RoundTrips) {
  const DeliveryRef ref{.partition = 3, .offset = 1207, .revision = 2, .referral_id = "6f1c-ab"};
  EXPECT_EQ(FormatDeliveryId(ref), "3:1207:2:6f1c-ab");
  absl::StatusOr<DeliveryRef> parsed = ParseDeliveryId("3:1207:2:6f1c-ab");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, ref);
}

TEST(DeliveryIdTest, ReferralIdMayHoldColons) {
  absl::StatusOr<DeliveryRef> parsed = ParseDeliveryId("0:0:1:a:b");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->referral_id, "a:b");
}

TEST(DeliveryIdTest, RefusesMalformedIds) {
  for (const char* bad : {"", "3:1207:2", "x:1:1:r", "3:y:1:r", "3:1:z:r", "3:1:1:", "-1:1:1:r",
                          "3:-1:1:r", "+3:1:1:r", "3: 1:1:r",
                          // a revision that SimpleAtoi takes but that never matches the one sent
                          "3:1:+1:r", "3:1: 1:r", "3:1:-1:r"}) {
    EXPECT_EQ(ParseDeliveryId(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(ParseDeliveryId("0:0:1:" + std::string(129, 'r')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ParseDeliveryId("0:0:1:" + std::string(128, 'r')).ok());
}

}  // namespace
}  // namespace referral
