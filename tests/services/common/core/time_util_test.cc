#include "services/common/core/time_util.h"

#include <gtest/gtest.h>

namespace referral {
namespace {

TEST(ParseDateTest, AcceptsRealDatesOnly) {
  EXPECT_EQ(ParseDate("2028-02-29"), absl::CivilDay(2028, 2, 29));
  EXPECT_EQ(ParseDate("2026-02-29"), std::nullopt);
  EXPECT_EQ(ParseDate("2026-04-31"), std::nullopt);
  EXPECT_EQ(ParseDate("2026-4-01"), std::nullopt);
  EXPECT_EQ(ParseDate("2026-04-01T00:00"), std::nullopt);
  EXPECT_EQ(ParseDate(""), std::nullopt);
}

TEST(ParseDateTest, BothSeparatorsMustBeHyphens) {
  EXPECT_EQ(ParseDate("2015-01-01"), absl::CivilDay(2015, 1, 1));
  EXPECT_EQ(ParseDate("2015x01-01"), std::nullopt);
  EXPECT_EQ(ParseDate("2015-01x01"), std::nullopt);
  EXPECT_EQ(ParseDate("2015/01/01"), std::nullopt);
  EXPECT_EQ(ParseDate("20150-1-01"), std::nullopt);
}

TEST(ParseTimeOfDayTest, MinutesAfterMidnight) {
  EXPECT_EQ(ParseTimeOfDay("08:45"), 525);
  EXPECT_EQ(ParseTimeOfDay("00:00"), 0);
  EXPECT_EQ(ParseTimeOfDay("23:59"), 1439);
  EXPECT_EQ(ParseTimeOfDay("24:00"), std::nullopt);
  EXPECT_EQ(ParseTimeOfDay("8:45"), std::nullopt);
  EXPECT_EQ(ParseTimeOfDay("08.45"), std::nullopt);
}

TEST(TimestampTest, RoundTripsWithNanoseconds) {
  const absl::Time t = absl::FromUnixSeconds(1795000000) + absl::Nanoseconds(123456789);
  const google::protobuf::Timestamp ts = ToProtoTimestamp(t);
  EXPECT_EQ(ts.seconds(), 1795000000);
  EXPECT_EQ(ts.nanos(), 123456789);
  EXPECT_EQ(ToAbslTime(ts), t);
}

TEST(ParseRfc3339Test, AnyOffsetAndNothingElse) {
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:01.5Z"), absl::FromUnixMillis(1500));
  EXPECT_EQ(ParseRfc3339("1970-01-01T01:00:00+01:00"), absl::FromUnixSeconds(0));
  EXPECT_EQ(ParseRfc3339("1970-01-01 00:00:00"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("tomorrow"), std::nullopt);
}

TEST(FormatRfc3339UtcTest, UtcWithOptionalFraction) {
  EXPECT_EQ(FormatRfc3339Utc(absl::FromUnixSeconds(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339Utc(absl::FromUnixMillis(1500)), "1970-01-01T00:00:01.5Z");
}

}  // namespace
}  // namespace referral
