#include "services/common/kafka/consumer_stats.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace referral {
namespace {

using ::testing::Pair;
using ::testing::UnorderedElementsAre;

// One partition's entry in librdkafka's statistics, with the fields ReadConsumerStats reads.
std::string Partition(int id, const std::string& state, long long next, long long app,
                      long long hi, long long ls) {
  return "\"" + std::to_string(id) + "\": {\"partition\": " + std::to_string(id) +
         ", \"fetch_state\": \"" + state + "\", \"next_offset\": " + std::to_string(next) +
         ", \"app_offset\": " + std::to_string(app) + ", \"committed_offset\": -1001" +
         ", \"hi_offset\": " + std::to_string(hi) + ", \"ls_offset\": " + std::to_string(ls) +
         ", \"consumer_lag\": -1}";
}

std::string Stats(const std::string& type, const std::string& partitions) {
  return "{\"name\": \"router#consumer-1\", \"type\": \"" + type +
         "\", \"ts\": 1, \"topics\": {\"in\": {\"topic\": \"in\", \"partitions\": {" + partitions +
         "}}, \"other\": {\"topic\": \"other\", \"partitions\": {" +
         Partition(0, "active", 0, 0, 500, 500) + "}}}}";
}

TEST(ReadConsumerStatsTest, LagCountsFromTheLastStableOffsetNotTheHighWatermark) {
  // 40 records fetched but not handed over; 10 more in an open upstream transaction.
  auto stats =
      ReadConsumerStats(Stats("consumer", Partition(0, "active", 150, 110, 160, 150)), {"in"});
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_THAT(stats->lag_by_topic, UnorderedElementsAre(Pair("in", 40)));
}

TEST(ReadConsumerStatsTest, LagSumsTheFetchedPartitionsAndSkipsTheOthers) {
  const std::string partitions =
      Partition(0, "active", 100, 90, 100, 100) + ", " +      // 10
      Partition(1, "active", 30, -1001, 70, 70) + ", " +      // 40: no app offset, fetch position
      Partition(2, "offset-query", -1001, -1001, 80, 80) + ", " +  // nothing known yet
      Partition(3, "none", -1001, -1001, 900, 900) + ", " +   // another member's
      Partition(4, "stopping", 10, 10, 500, 500) + ", " +     // being handed over: not ours
      Partition(5, "stopped", 10, 10, 500, 500) + ", " +      // handed over
      Partition(-1, "none", -1001, -1001, -1001, -1001);      // librdkafka's internal queue
  auto stats = ReadConsumerStats(Stats("consumer", partitions), {"in", "absent"});
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_THAT(stats->lag_by_topic, UnorderedElementsAre(Pair("in", 50), Pair("absent", 0)));
}

TEST(ReadConsumerStatsTest, APositionPastTheEndIsNoLag) {
  auto stats =
      ReadConsumerStats(Stats("consumer", Partition(0, "active", 120, 120, 120, 118)), {"in"});
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->lag_by_topic.at("in"), 0);
}

TEST(ReadConsumerStatsTest, AProducersStatisticsAndBadJsonAreRefused) {
  EXPECT_EQ(ReadConsumerStats(Stats("producer", ""), {"in"}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ReadConsumerStats("{\"type\": \"consumer\"", {"in"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadConsumerStats("[]", {"in"}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ReadConsumerStatsTest, OnlyAnActiveFetchCounts) {
  const std::string partitions =
      Partition(0, "active", 100, 90, 100, 100) + ", " +
      Partition(1, "offset-query", -1001, -1001, 80, 80) + ", " +  // committed offset asked for
      Partition(2, "offset-wait", -1001, -1001, 80, 80) + ", " +
      Partition(3, "none", -1001, -1001, 900, 900) + ", " +  // another member's, or not started
      Partition(4, "stopped", 10, 10, 500, 500) + ", " +
      Partition(-1, "none", -1001, -1001, -1001, -1001);      // librdkafka's internal queue
  auto stats = ReadConsumerStats(Stats("consumer", partitions), {"in", "absent"});
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_THAT(stats->fetching, UnorderedElementsAre(
                             Pair(PartitionId{"in", 0}, true), Pair(PartitionId{"in", 1}, false),
                             Pair(PartitionId{"in", 2}, false), Pair(PartitionId{"in", 3}, false),
                             Pair(PartitionId{"in", 4}, false)));
}

}  // namespace
}  // namespace referral
