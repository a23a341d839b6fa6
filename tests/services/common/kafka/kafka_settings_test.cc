#include "services/common/kafka/kafka_settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include <librdkafka/rdkafkacpp.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace referral {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

GetEnv Env(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

config::v1::Kafka WithBootstrap() {
  config::v1::Kafka config;
  config.set_bootstrap_servers("kafka-0:9092");
  return config;
}

TEST(ResolveKafkaSettingsTest, DefaultsFromTheServiceAndInstance) {
  absl::StatusOr<KafkaSettings> settings =
      ResolveKafkaSettings(WithBootstrap(), "router", "pod-1", "/etc/gateway", Env({}));
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_EQ(settings->bootstrap_servers, "kafka-0:9092");
  EXPECT_EQ(settings->group_id, "router");
  EXPECT_EQ(settings->transactional_id, "router-pod-1");
  EXPECT_EQ(settings->commit_every_records, 5000u);
  EXPECT_EQ(settings->commit_interval, absl::Milliseconds(100));
  EXPECT_EQ(settings->commit_idle, absl::Milliseconds(20));
  EXPECT_EQ(settings->missing_topics, config::v1::Kafka::CREATE);
  EXPECT_EQ(settings->topic_partitions, 6);
  EXPECT_EQ(settings->routed_topic_partitions, 1);
  EXPECT_EQ(settings->topic_replication_factor, -1);
  EXPECT_EQ(settings->stuck_call_limit, absl::Seconds(30));
  EXPECT_EQ(settings->startup_timeout, absl::Seconds(60));
}

TEST(ResolveKafkaSettingsTest, StartupTimeoutIsConfigurable) {
  config::v1::Kafka config = WithBootstrap();
  config.set_startup_timeout_ms(5000);
  EXPECT_EQ(ResolveKafkaSettings(config, "router", "a", "", Env({}))->startup_timeout,
            absl::Seconds(5));
}

TEST(ResolveKafkaSettingsTest, StuckCallLimitMustOutlastTheCallTimeout) {
  config::v1::Kafka config = WithBootstrap();
  config.set_stuck_call_limit_ms(15000);
  EXPECT_EQ(ResolveKafkaSettings(config, "router", "a", "", Env({}))->stuck_call_limit,
            absl::Seconds(15));
  config.set_stuck_call_limit_ms(10000);
  absl::StatusOr<KafkaSettings> settings = ResolveKafkaSettings(config, "router", "a", "", Env({}));
  ASSERT_EQ(settings.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(settings.status().message(), HasSubstr("kafka.stuck_call_limit_ms: 10000 is below 11000"));
}

TEST(ResolveKafkaSettingsTest, PodNameThenConfigGiveTheTransactionalId) {
  EXPECT_EQ(ResolveKafkaSettings(WithBootstrap(), "router", "", "", Env({{"POD_NAME", "router-2"}}))
                ->transactional_id,
            "router-router-2");
  config::v1::Kafka config = WithBootstrap();
  config.set_transactional_id("fixed-id");
  EXPECT_EQ(ResolveKafkaSettings(config, "router", "x", "", Env({}))->transactional_id, "fixed-id");
}

TEST(ResolveKafkaSettingsTest, EnvironmentOverridesBootstrap) {
  EXPECT_EQ(ResolveKafkaSettings(WithBootstrap(), "router", "a", "",
                                 Env({{"KAFKA_BOOTSTRAP", "127.0.0.1:1234"}}))
                ->bootstrap_servers,
            "127.0.0.1:1234");
}

TEST(ResolveKafkaSettingsTest, NoBootstrapIsAnErrorNamingTheField) {
  absl::StatusOr<KafkaSettings> settings =
      ResolveKafkaSettings(config::v1::Kafka(), "router", "a", "", Env({}));
  ASSERT_EQ(settings.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(settings.status().message(), HasSubstr("kafka.bootstrap_servers: required"));
}

TEST(ResolveKafkaSettingsTest, SecretsFromEnvironmentAndFile) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "kafka-settings-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "ssl-password") << "file-secret\n";
  config::v1::Kafka config = WithBootstrap();
  (*config.mutable_properties())["security.protocol"] = "SASL_SSL";
  (*config.mutable_secret_properties_from_env())["sasl.password"] = "KAFKA_PASSWORD";
  (*config.mutable_secret_properties_from_file())["ssl.key.password"] = "ssl-password";
  absl::StatusOr<KafkaSettings> settings =
      ResolveKafkaSettings(config, "router", "a", dir, Env({{"KAFKA_PASSWORD", "env-secret"}}));
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_THAT(settings->properties,
              UnorderedElementsAre(Pair("security.protocol", "SASL_SSL"),
                                   Pair("sasl.password", "env-secret"),
                                   Pair("ssl.key.password", "file-secret")));
  EXPECT_THAT(settings->secret_names, UnorderedElementsAre("sasl.password", "ssl.key.password"));
}

TEST(ResolveKafkaSettingsTest, SecretErrorsNameThePropertyNotTheValue) {
  config::v1::Kafka config = WithBootstrap();
  (*config.mutable_secret_properties_from_env())["sasl.password"] = "KAFKA_PASSWORD";
  absl::StatusOr<KafkaSettings> settings = ResolveKafkaSettings(config, "r", "a", "", Env({}));
  EXPECT_EQ(settings.status().message(),
            "kafka.secret_properties_from_env[sasl.password]: environment variable KAFKA_PASSWORD "
            "is not set");

  config = WithBootstrap();
  (*config.mutable_secret_properties_from_file())["ssl.key.password"] = "/nonexistent/secret";
  settings = ResolveKafkaSettings(config, "r", "a", "", Env({}));
  EXPECT_EQ(settings.status().message(),
            "kafka.secret_properties_from_file[ssl.key.password]: cannot read /nonexistent/secret");

  config = WithBootstrap();
  (*config.mutable_properties())["sasl.username"] = "plain";
  (*config.mutable_secret_properties_from_env())["sasl.username"] = "KAFKA_USER";
  settings = ResolveKafkaSettings(config, "r", "a", "", Env({{"KAFKA_USER", "x"}}));
  EXPECT_THAT(settings.status().message(), HasSubstr("also in kafka.properties"));
}

TEST(ResolveKafkaSettingsTest, IdentityPropertiesHaveTheirOwnFields) {
  config::v1::Kafka config = WithBootstrap();
  (*config.mutable_properties())["transactional.id"] = "x";
  EXPECT_EQ(ResolveKafkaSettings(config, "r", "a", "", Env({})).status().message(),
            "kafka.properties[transactional.id]: set it with the kafka.transactional_id field instead");
}

TEST(MakeConfTest, RejectedPropertyIsNamedAndSecretValuesAreNot) {
  KafkaSettings settings;
  settings.bootstrap_servers = "kafka-0:9092";
  settings.properties = {{"no.such.property", "1"}};
  absl::StatusOr<std::unique_ptr<RdKafka::Conf>> conf = MakeConf(settings, {}, {});
  ASSERT_EQ(conf.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(conf.status().message(), HasSubstr("kafka.properties[no.such.property]: "));
  EXPECT_THAT(conf.status().message(), HasSubstr("No such configuration property"));

  settings.properties = {{"linger.ms", "hunter2"}};
  settings.secret_names = {"linger.ms"};
  conf = MakeConf(settings, {}, {});
  EXPECT_EQ(conf.status().message(), "kafka.properties[linger.ms]: rejected by librdkafka");
  EXPECT_THAT(std::string(conf.status().message()), Not(HasSubstr("hunter2")));
}

// Issue 9: a misspelt secret (sasl.pasword) is not in the secret maps, and its value was echoed
// in the error.
TEST(MakeConfTest, NoPropertyValueIsEverEchoedEvenWhenLibrdkafkaQuotesIt) {
  KafkaSettings settings;
  settings.bootstrap_servers = "kafka-0:9092";
  settings.properties = {{"sasl.pasword", "hunter2"}};
  absl::StatusOr<std::unique_ptr<RdKafka::Conf>> conf = MakeConf(settings, {}, {});
  ASSERT_EQ(conf.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(conf.status().message(), HasSubstr("kafka.properties[sasl.pasword]: "));
  EXPECT_THAT(std::string(conf.status().message()), Not(HasSubstr("hunter2")));
  settings.properties = {{"linger.ms", "hunter2"}};  // librdkafka's message quotes the value
  conf = MakeConf(settings, {}, {});
  ASSERT_EQ(conf.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(conf.status().message(), HasSubstr("kafka.properties[linger.ms]: "));
  EXPECT_THAT(std::string(conf.status().message()), Not(HasSubstr("hunter2")));
}

TEST(MakeConfTest, ASecretIsReportedUnderTheMapItCameFrom) {
  KafkaSettings settings;
  settings.bootstrap_servers = "kafka-0:9092";
  settings.properties = {{"sasl.pasword", "x"}};
  settings.secret_names = {"sasl.pasword"};
  settings.secret_origins = {{"sasl.pasword", "kafka.secret_properties_from_env"}};
  EXPECT_EQ(MakeConf(settings, {}, {}).status().message(),
            "kafka.secret_properties_from_env[sasl.pasword]: rejected by librdkafka");
}

TEST(ResolveKafkaSettingsTest, SecretsInPlainPropertiesAreRefused) {
  for (const char* name : {"sasl.password", "ssl.key.password", "ssl.keystore.password",
                           "sasl.oauthbearer.client.secret", "ssl.key.pem"}) {
    config::v1::Kafka config = WithBootstrap();
    (*config.mutable_properties())[name] = "hunter2";
    const absl::Status status = ResolveKafkaSettings(config, "r", "a", "", Env({})).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(status.message(),
              absl::StrCat("kafka.properties[", name, "]: a secret; give it in "
                           "kafka.secret_properties_from_env or kafka.secret_properties_from_file"));
  }
  config::v1::Kafka config = WithBootstrap();
  (*config.mutable_properties())["sasl.username"] = "standardiser";  // not a secret
  EXPECT_TRUE(ResolveKafkaSettings(config, "r", "a", "", Env({})).ok());
}

TEST(ResolveKafkaSettingsTest, SecretsRememberWhichMapTheyCameFrom) {
  config::v1::Kafka config = WithBootstrap();
  (*config.mutable_secret_properties_from_env())["sasl.password"] = "KAFKA_PASSWORD";
  absl::StatusOr<KafkaSettings> settings =
      ResolveKafkaSettings(config, "r", "a", "", Env({{"KAFKA_PASSWORD", "x"}}));
  ASSERT_TRUE(settings.ok());
  EXPECT_THAT(settings->secret_origins,
              UnorderedElementsAre(Pair("sasl.password", "kafka.secret_properties_from_env")));
}

TEST(MakeConfTest, RequiredPropertiesWinOverTheConfigAndDefaultsLose) {
  KafkaSettings settings;
  settings.bootstrap_servers = "kafka-0:9092";
  settings.properties = {{"isolation.level", "read_uncommitted"}, {"linger.ms", "50"}};
  absl::StatusOr<std::unique_ptr<RdKafka::Conf>> conf =
      MakeConf(settings, {{"linger.ms", "5"}}, {{"isolation.level", "read_committed"}});
  ASSERT_TRUE(conf.ok()) << conf.status();
  std::string value;
  ASSERT_EQ((*conf)->get("isolation.level", value), RdKafka::Conf::CONF_OK);
  EXPECT_EQ(value, "read_committed");
  ASSERT_EQ((*conf)->get("linger.ms", value), RdKafka::Conf::CONF_OK);
  EXPECT_EQ(value, "50");
}

}  // namespace
}  // namespace referral
