#include "services/common/kafka/mock_cluster.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "absl/strings/str_cat.h"

namespace referral {

struct MockCluster::Handles {
  rd_kafka_t* client = nullptr;  // the mock cluster lives on this handle's threads
  rd_kafka_mock_cluster_t* cluster = nullptr;
};

absl::StatusOr<std::unique_ptr<MockCluster>> MockCluster::Start(int brokers) {
  auto handles = std::make_unique<Handles>();
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", error, sizeof(error));
  handles->client = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
  if (handles->client == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("mock cluster: ", error));
  }
  handles->cluster = rd_kafka_mock_cluster_new(handles->client, brokers);
  if (handles->cluster == nullptr) {
    rd_kafka_destroy(handles->client);
    return absl::InternalError("mock cluster: rd_kafka_mock_cluster_new failed");
  }
  return std::unique_ptr<MockCluster>(new MockCluster(std::move(handles)));
}

MockCluster::MockCluster(std::unique_ptr<Handles> handles) : handles_(std::move(handles)) {}

MockCluster::~MockCluster() {
  rd_kafka_mock_cluster_destroy(handles_->cluster);
  rd_kafka_destroy(handles_->client);
}

std::string MockCluster::bootstrap() const {
  return rd_kafka_mock_cluster_bootstraps(handles_->cluster);
}

absl::Status MockCluster::CreateTopic(const std::string& topic, int partitions) {
  const rd_kafka_resp_err_t code =
      rd_kafka_mock_topic_create(handles_->cluster, topic.c_str(), partitions, 1);
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InternalError(absl::StrCat("mock cluster: topic ", topic, ": ", rd_kafka_err2str(code)));
  }
  return absl::OkStatus();
}

void MockCluster::PushRequestErrors(int16_t api_key, const std::vector<int>& errors) {
  std::vector<rd_kafka_resp_err_t> codes;
  for (int error : errors) codes.push_back(static_cast<rd_kafka_resp_err_t>(error));
  rd_kafka_mock_push_request_errors_array(handles_->cluster, api_key, codes.size(), codes.data());
}

void MockCluster::DelayNextRequest(int16_t api_key, absl::Duration delay) {
  rd_kafka_mock_broker_push_request_error_rtts(handles_->cluster, /*broker_id=*/1, api_key, 1,
                                               RD_KAFKA_RESP_ERR_NO_ERROR,
                                               static_cast<int>(absl::ToInt64Milliseconds(delay)));
}

namespace {

absl::Status Check(rd_kafka_resp_err_t code, absl::string_view what) {
  if (code == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("mock cluster: ", what, ": ", rd_kafka_err2str(code)));
}

}  // namespace

absl::Status MockCluster::SetCoordinator(const std::string& type, const std::string& key,
                                         int32_t broker) {
  return Check(rd_kafka_mock_coordinator_set(handles_->cluster, type.c_str(), key.c_str(), broker),
               absl::StrCat(type, " coordinator"));
}

absl::Status MockCluster::SetLeader(const std::string& topic, int partitions, int32_t broker) {
  for (int partition = 0; partition < partitions; ++partition) {
    absl::Status status = Check(
        rd_kafka_mock_partition_set_leader(handles_->cluster, topic.c_str(), partition, broker),
        absl::StrCat("leader of ", topic));
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status MockCluster::SetBrokerUp(int32_t broker, bool up) {
  return Check(up ? rd_kafka_mock_broker_set_up(handles_->cluster, broker)
                  : rd_kafka_mock_broker_set_down(handles_->cluster, broker),
               absl::StrCat("broker ", broker, up ? " up" : " down"));
}

}  // namespace referral
