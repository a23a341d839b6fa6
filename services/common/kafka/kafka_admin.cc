#include "services/common/kafka/kafka_admin.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <cstdio>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/observe/connection_problem.h"
#include "services/common/observe/log.h"
#include "services/common/core/status_macros.h"
#include "services/common/kafka/kafka_client_conf.h"
#include "services/common/kafka/kafka_log.h"

namespace referral {
namespace {

// The topics of `wanted` that the cluster's metadata does not list.
absl::StatusOr<std::vector<TopicSpec>> Missing(RdKafka::Producer& client,
                                                 const std::vector<TopicSpec>& wanted,
                                                 absl::Duration timeout,
                                                 const std::atomic<bool>* stop) {
  const absl::Time deadline = absl::Now() + timeout;
  RdKafka::ErrorCode code = RdKafka::ERR_NO_ERROR;
  for (;;) {
    RdKafka::Metadata* raw = nullptr;
    if (stop != nullptr && stop->load()) return absl::CancelledError("stopped while starting");
    code = client.metadata(/*all_topics=*/true, nullptr, &raw, 1000);
    if (code == RdKafka::ERR_NO_ERROR) {
      std::unique_ptr<RdKafka::Metadata> metadata(raw);
      std::set<std::string> present;
      for (const RdKafka::TopicMetadata* topic : *metadata->topics()) {
        if (topic->err() == RdKafka::ERR_NO_ERROR) present.insert(topic->topic());
      }
      std::vector<TopicSpec> missing;
      for (const TopicSpec& topic : wanted) {
        if (!present.contains(topic.name)) missing.push_back(topic);
      }
      return missing;
    }
    if (absl::Now() >= deadline) break;
    // Serves the client's error events (a refused login, a TLS failure) to its logger.
    client.poll(500);
  }
  // A refused login or certificate looks like a cluster that does not answer: say which.
  const std::string last = LastConnectionProblem();
  return absl::UnavailableError(absl::StrCat(
      "kafka: no metadata from the cluster within ", absl::FormatDuration(timeout), ": ",
      RdKafka::err2str(code), last.empty() ? "" : absl::StrCat("; last connection error: ", last)));
}

absl::Status Create(RdKafka::Producer& client, const std::vector<TopicSpec>& topics,
                    int replication_factor, absl::Duration timeout) {
  rd_kafka_t* rk = client.c_ptr();
  std::vector<rd_kafka_NewTopic_t*> requests;
  char error[512];
  for (const TopicSpec& topic : topics) {
    rd_kafka_NewTopic_t* request = rd_kafka_NewTopic_new(
        topic.name.c_str(), topic.partitions, replication_factor, error, sizeof(error));
    for (const auto& [name, value] : topic.configs) {
      if (request != nullptr &&
          rd_kafka_NewTopic_set_config(request, name.c_str(), value.c_str()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_NewTopic_destroy(request);
        request = nullptr;
        snprintf(error, sizeof(error), "config %s", name.c_str());
      }
    }
    if (request == nullptr) {
      for (rd_kafka_NewTopic_t* r : requests) rd_kafka_NewTopic_destroy(r);
      return absl::InvalidArgumentError(absl::StrCat("kafka: topic ", topic.name, ": ", error));
    }
    requests.push_back(request);
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(options, static_cast<int>(absl::ToInt64Milliseconds(timeout)),
                                              error, sizeof(error));
  rd_kafka_CreateTopics(rk, requests.data(), requests.size(), options, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, static_cast<int>(absl::ToInt64Milliseconds(timeout)) + 2000);
  absl::Status status = absl::OkStatus();
  std::vector<std::string> failed;
  if (event == nullptr) {
    status = absl::UnavailableError("kafka: CreateTopics: no answer");
  } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    status = absl::FailedPreconditionError(
        absl::StrCat("kafka: CreateTopics: ", rd_kafka_event_error_string(event)));
  } else {
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count);
    for (size_t i = 0; i < count; ++i) {
      const rd_kafka_resp_err_t code = rd_kafka_topic_result_error(results[i]);
      if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        failed.push_back(absl::StrCat(rd_kafka_topic_result_name(results[i]), " (",
                                      rd_kafka_err2str(code), ")"));
      }
    }
  }
  if (event != nullptr) rd_kafka_event_destroy(event);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_queue_destroy(queue);
  for (rd_kafka_NewTopic_t* r : requests) rd_kafka_NewTopic_destroy(r);
  if (!failed.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("kafka: cannot create topics: ", absl::StrJoin(failed, ", ")));
  }
  return status;
}

// A client for admin requests (AdminConf), logging through `logger`, which must outlive it.
// Returns kInvalidArgument when librdkafka refuses the configuration.
absl::StatusOr<std::unique_ptr<RdKafka::Producer>> NewAdminClient(const KafkaSettings& settings,
                                                                  KafkaEventLogger& logger) {
  REFERRAL_ASSIGN_OR_RETURN(std::unique_ptr<RdKafka::Conf> conf, AdminConf(settings));
  std::string error;
  if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(&logger), error) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError(error);
  }
  std::unique_ptr<RdKafka::Producer> client(RdKafka::Producer::create(conf.get(), error));
  if (!client) return absl::InvalidArgumentError(absl::StrCat("kafka admin client: ", error));
  return client;
}

// The batch header and one record's framing around key, value and headers, with room to spare.
constexpr int64_t kBatchOverhead = 512;

}  // namespace

absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> TopicMessageLimits(
    const KafkaSettings& settings, const std::vector<std::string>& topics, absl::Duration timeout) {
  KafkaEventLogger logger;  // outlives the client below
  REFERRAL_ASSIGN_OR_RETURN(std::unique_ptr<RdKafka::Producer> client,
                            NewAdminClient(settings, logger));
  rd_kafka_t* rk = client->c_ptr();
  std::vector<rd_kafka_ConfigResource_t*> resources;
  for (const std::string& topic : topics) {
    resources.push_back(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str()));
  }
  char message[512];
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* options =
      rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
  rd_kafka_AdminOptions_set_request_timeout(
      options, static_cast<int>(absl::ToInt64Milliseconds(timeout)), message, sizeof(message));
  rd_kafka_DescribeConfigs(rk, resources.data(), resources.size(), options, queue);
  rd_kafka_event_t* event =
      rd_kafka_queue_poll(queue, static_cast<int>(absl::ToInt64Milliseconds(timeout)) + 2000);
  absl::flat_hash_map<std::string, int64_t> limits;
  absl::Status status = absl::OkStatus();
  if (event == nullptr) {
    status = absl::UnavailableError("kafka: DescribeConfigs: no answer");
  } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    status = absl::UnavailableError(
        absl::StrCat("kafka: DescribeConfigs: ", rd_kafka_event_error_string(event)));
  } else {
    size_t count = 0;
    const rd_kafka_ConfigResource_t** described = rd_kafka_DescribeConfigs_result_resources(
        rd_kafka_event_DescribeConfigs_result(event), &count);
    for (size_t i = 0; i < count && status.ok(); ++i) {
      const std::string name = rd_kafka_ConfigResource_name(described[i]);
      if (const rd_kafka_resp_err_t error = rd_kafka_ConfigResource_error(described[i]);
          error != RD_KAFKA_RESP_ERR_NO_ERROR) {
        const std::string text =
            absl::StrCat("kafka: DescribeConfigs ", name, ": ", rd_kafka_err2str(error));
        // A topic created a moment ago may not be known to every part of the cluster yet.
        status = error == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ? absl::NotFoundError(text)
                                                                   : absl::UnavailableError(text);
        break;
      }
      size_t entries = 0;
      const rd_kafka_ConfigEntry_t** configs = rd_kafka_ConfigResource_configs(described[i], &entries);
      for (size_t j = 0; j < entries; ++j) {
        const char* value = rd_kafka_ConfigEntry_value(configs[j]);
        int64_t bytes = 0;
        if (std::string(rd_kafka_ConfigEntry_name(configs[j])) == "max.message.bytes" &&
            value != nullptr && absl::SimpleAtoi(value, &bytes)) {
          limits[name] = bytes;
        }
      }
    }
  }
  if (event != nullptr) rd_kafka_event_destroy(event);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_queue_destroy(queue);
  for (rd_kafka_ConfigResource_t* r : resources) rd_kafka_ConfigResource_destroy(r);
  REFERRAL_RETURN_IF_ERROR(status);
  for (const std::string& topic : topics) {
    if (!limits.contains(topic)) {
      return absl::UnavailableError(absl::StrCat("kafka: no max.message.bytes for ", topic));
    }
  }
  return limits;
}

int64_t RecordLimitOf(int64_t topic_max_message_bytes) {
  return std::max<int64_t>(1000, topic_max_message_bytes - kBatchOverhead);
}

absl::Status ApplyTopicLimits(const absl::flat_hash_map<std::string, int64_t>& limits,
                              KafkaSettings& settings) {
  if (limits.empty()) return absl::OkStatus();
  auto largest = limits.begin();
  for (auto it = limits.begin(); it != limits.end(); ++it) {
    if (it->second > largest->second || (it->second == largest->second && it->first < largest->first)) {
      largest = it;
    }
  }
  for (const auto& [name, value] : settings.properties) {
    if (name != "message.max.bytes") continue;
    int64_t explicit_limit = 0;
    if (absl::SimpleAtoi(value, &explicit_limit) && explicit_limit > largest->second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "kafka.properties[message.max.bytes]: ", explicit_limit,
          " exceeds the largest max.message.bytes of the topics it writes, ", largest->second,
          " of topic ", largest->first, ": records the producer takes would fail at the broker"));
    }
  }
  for (const auto& [topic, limit] : limits) settings.topic_record_limits[topic] = RecordLimitOf(limit);
  bool explicit_producer_limit = false;
  for (const auto& [name, value] : settings.properties) explicit_producer_limit |= name == "message.max.bytes";
  if (!explicit_producer_limit) settings.producer_message_max_bytes = RecordLimitOf(largest->second);
  return absl::OkStatus();
}

absl::Status EnsureTopics(const KafkaSettings& settings, const std::vector<TopicSpec>& topics,
                          absl::Duration timeout, const std::atomic<bool>* stop) {
  KafkaEventLogger logger;  // outlives the client below
  REFERRAL_ASSIGN_OR_RETURN(std::unique_ptr<RdKafka::Producer> client,
                            NewAdminClient(settings, logger));
  REFERRAL_ASSIGN_OR_RETURN(std::vector<TopicSpec> missing, Missing(*client, topics, timeout, stop));
  if (missing.empty()) return absl::OkStatus();
  std::vector<std::string> names;
  nlohmann::json created = nlohmann::json::object();
  for (const TopicSpec& topic : missing) {
    names.push_back(topic.name);
    created[topic.name] = topic.partitions;
  }
  if (settings.missing_topics == config::v1::Kafka::REFUSE) {
    return absl::FailedPreconditionError(absl::StrCat(
        "kafka: missing topics: ", absl::StrJoin(names, ", "),
        " (create them, or set kafka.missing_topics: CREATE)"));
  }
  REFERRAL_RETURN_IF_ERROR(Create(*client, missing, settings.topic_replication_factor, timeout));
  log::Info("topics_created", {{"partitions", created}});
  return absl::OkStatus();
}

}  // namespace referral
