// ApplyTopicLimits: the producer's and each topic's record limits follow the topics' limits.
#include "services/common/kafka/kafka_admin.h"

#include <librdkafka/rdkafkacpp.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/common/kafka/kafka_client_conf.h"

namespace referral {
namespace {

using ::testing::HasSubstr;

TEST(ApplyTopicLimitsTest, EachTopicGetsItsRecordLimitAndTheProducerTheLargest) {
  KafkaSettings settings;
  ASSERT_TRUE(ApplyTopicLimits({{"out", 1048588}, {"out.dlq", 2097176}}, settings).ok());
  EXPECT_EQ(settings.topic_record_limits.at("out"), 1048588 - 512);
  EXPECT_EQ(settings.topic_record_limits.at("out.dlq"), 2097176 - 512);
  EXPECT_EQ(settings.producer_message_max_bytes, 2097176 - 512);
}

TEST(ApplyTopicLimitsTest, NoTopicsLeavesTheDefaults) {
  KafkaSettings settings;
  ASSERT_TRUE(ApplyTopicLimits({}, settings).ok());
  EXPECT_EQ(settings.producer_message_max_bytes, 0);
  EXPECT_TRUE(settings.topic_record_limits.empty());
}

TEST(ApplyTopicLimitsTest, NeverBelowLibrdkafkasMinimum) {
  EXPECT_EQ(RecordLimitOf(600), 1000);
  EXPECT_EQ(RecordLimitOf(1512), 1000);
  EXPECT_EQ(RecordLimitOf(1513), 1001);
}

TEST(ApplyTopicLimitsTest, AnExplicitProducerLimitIsKeptWhenSomeTopicTakesIt) {
  KafkaSettings settings;
  settings.properties = {{"message.max.bytes", "300000"}};
  ASSERT_TRUE(ApplyTopicLimits({{"out", 200000}, {"out.dlq", 300000}}, settings).ok());
  EXPECT_EQ(settings.producer_message_max_bytes, 0);  // MakeConf applies the property itself
  EXPECT_EQ(settings.topic_record_limits.at("out"), 200000 - 512);
}

TEST(ApplyTopicLimitsTest, AnExplicitLimitAboveEveryTopicsIsRefusedNamingTheLargest) {
  KafkaSettings settings;
  settings.properties = {{"message.max.bytes", "300001"}};
  const absl::Status status = ApplyTopicLimits({{"out", 200000}, {"out.dlq", 300000}}, settings);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("kafka.properties[message.max.bytes]: 300001 exceeds the "
                                          "largest max.message.bytes of the topics it writes, "
                                          "300000 of topic out.dlq"));
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

TEST(ClientConfTest, EveryKindCarriesTheSettingsPropertiesAndItsOwnGuarantees) {
  KafkaSettings settings;
  settings.bootstrap_servers = "broker:9093";
  settings.group_id = "standardiser";
  settings.transactional_id = "standardiser-a";
  settings.properties = {{"security.protocol", "sasl_ssl"}, {"sasl.mechanism", "SCRAM-SHA-512"},
                         {"sasl.password", "secret"}};
  settings.secret_names = {"sasl.password"};
  const auto loop_consumer = *LoopConsumerConf(settings);
  const auto producer = *TransactionalProducerConf(settings);
  const auto idempotent = *IdempotentProducerConf(settings);
  const auto reader = *ReaderConf(settings);
  const auto admin = *AdminConf(settings);
  for (const RdKafka::Conf* conf :
       {loop_consumer.get(), producer.get(), idempotent.get(), reader.get(), admin.get()}) {
    EXPECT_EQ(Property(*conf, "bootstrap.servers"), "broker:9093");
    EXPECT_EQ(Property(*conf, "sasl.mechanisms"), "SCRAM-SHA-512");
    EXPECT_EQ(Property(*conf, "sasl.password"), "secret");
  }
  EXPECT_EQ(Property(*loop_consumer, "isolation.level"), "read_committed");
  EXPECT_EQ(Property(*loop_consumer, "enable.auto.commit"), "false");
  EXPECT_EQ(Property(*loop_consumer, "group.id"), "standardiser");
  EXPECT_EQ(Property(*reader, "isolation.level"), "read_committed");
  EXPECT_EQ(Property(*reader, "enable.auto.commit"), "false");
  EXPECT_EQ(Property(*idempotent, "enable.idempotence"), "true");
  EXPECT_EQ(Property(*idempotent, "acks"), "-1");  // all
  EXPECT_EQ(Property(*idempotent, "transactional.id"), "<unset>");
  EXPECT_EQ(Property(*producer, "enable.idempotence"), "true");
}

// librdkafka stops fetching a partition for a second (fetch.queue.backoff.ms from 2.2) once its
// prefetched records pass queued.max.messages.kbytes. With the bounded buffers here that second
// is longer than the buffer lasts under a backlog: the loop then waited in poll for 45% of a
// drain (tests/benchmarks/README.md, "The fetch backoff").
TEST(ClientConfTest, EveryConsumerFetchesAgainSoonAfterItsBufferFills) {
  KafkaSettings settings;
  settings.bootstrap_servers = "broker:9093";
  settings.group_id = "g";
  const auto loop_consumer = *LoopConsumerConf(settings);
  const auto reader = *ReaderConf(settings);
  const auto lean_reader = *LeanReaderConf(settings);
  const auto subscription = *SubscriptionConsumerConf(settings, "g");
  // Debian's 2.0.2 has no such property: it always waits the second.
  const bool has_backoff = RdKafka::version() >= 0x020200ff;
  for (const RdKafka::Conf* conf :
       {loop_consumer.get(), reader.get(), lean_reader.get(), subscription.get()}) {
    EXPECT_EQ(Property(*conf, "fetch.queue.backoff.ms"), has_backoff ? "10" : "<unset>");
    EXPECT_EQ(Property(*conf, "fetch.wait.max.ms"), "10");
  }
  if (!has_backoff) return;
  settings.properties = {{"fetch.queue.backoff.ms", "250"}};  // an operator's choice wins
  EXPECT_EQ(Property(**LoopConsumerConf(settings), "fetch.queue.backoff.ms"), "250");
  EXPECT_EQ(Property(**LeanReaderConf(settings), "fetch.queue.backoff.ms"), "250");
}

TEST(ClientConfTest, GuaranteesWinOverPassthroughProperties) {
  KafkaSettings settings;
  settings.bootstrap_servers = "broker:9093";
  settings.group_id = "g";
  settings.properties = {{"isolation.level", "read_uncommitted"}, {"enable.idempotence", "false"}};
  EXPECT_EQ(Property(**LoopConsumerConf(settings), "isolation.level"), "read_committed");
  EXPECT_EQ(Property(**IdempotentProducerConf(settings), "enable.idempotence"), "true");
}

}  // namespace
}  // namespace referral
