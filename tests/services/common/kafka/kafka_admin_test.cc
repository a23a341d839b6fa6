// AlignProducerLimit: the producer's record limit follows the output topics' limits.
#include "services/common/kafka/kafka_admin.h"

#include <librdkafka/rdkafkacpp.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/common/kafka/kafka_client_conf.h"

namespace referral {
namespace {

using ::testing::HasSubstr;

TEST(AlignProducerLimitTest, TakesTheSmallestTopicLimitLessTheBatchOverhead) {
  KafkaSettings settings;
  ASSERT_TRUE(AlignProducerLimit({{"out", 1048588}, {"out.dlq", 200000}}, settings).ok());
  EXPECT_EQ(settings.producer_message_max_bytes, 200000 - 512);
}

TEST(AlignProducerLimitTest, NoTopicsLeavesTheDefault) {
  KafkaSettings settings;
  ASSERT_TRUE(AlignProducerLimit({}, settings).ok());
  EXPECT_EQ(settings.producer_message_max_bytes, 0);
}

TEST(AlignProducerLimitTest, NeverBelowLibrdkafkasMinimum) {
  KafkaSettings settings;
  ASSERT_TRUE(AlignProducerLimit({{"tiny", 600}}, settings).ok());
  EXPECT_EQ(settings.producer_message_max_bytes, 1000);
}

TEST(AlignProducerLimitTest, AnExplicitLimitWithinEveryTopicsIsKept) {
  KafkaSettings settings;
  settings.properties = {{"message.max.bytes", "200000"}};
  ASSERT_TRUE(AlignProducerLimit({{"out", 200000}, {"out.dlq", 300000}}, settings).ok());
  EXPECT_EQ(settings.producer_message_max_bytes, 0);  // MakeConf applies the property itself
}

TEST(AlignProducerLimitTest, AnExplicitLimitAboveATopicsIsRefusedNamingBoth) {
  KafkaSettings settings;
  settings.properties = {{"message.max.bytes", "200001"}};
  const absl::Status status = AlignProducerLimit({{"out", 200000}, {"out.dlq", 300000}}, settings);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("kafka.properties[message.max.bytes]: 200001 exceeds "
                                          "max.message.bytes 200000 of topic out"));
}

std::string Property(const RdKafka::Conf& conf, const std::string& name) {
  std::string value;
  return conf.get(name, value) == RdKafka::Conf::CONF_OK ? value : "<unset>";
}

TEST(TransactionalProducerConfTest, CarriesTheAlignedLimitOrLibrdkafkasDefault) {
  KafkaSettings settings;
  settings.bootstrap_servers = "127.0.0.1:9";
  settings.transactional_id = "t";
  settings.producer_message_max_bytes = 123456;
  EXPECT_EQ(Property(**TransactionalProducerConf(settings), "message.max.bytes"), "123456");
  settings.producer_message_max_bytes = 0;
  EXPECT_EQ(Property(**TransactionalProducerConf(settings), "message.max.bytes"), "1000000");
  EXPECT_EQ(Property(**TransactionalProducerConf(settings), "transactional.id"), "t");
}

}  // namespace
}  // namespace referral
