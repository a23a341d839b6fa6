// librdkafka's in-process mock Kafka cluster, for `referralctl dev-broker` (`make run`) and for
// error injection. IMPORTANT: it accepts the transactional APIs but does not honour them (no
// markers, no read_committed, offsets sent with a transaction are not stored): never use it to
// prove exactly-once. Its API is experimental; this is the one place that touches it.
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_MOCK_CLUSTER_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_MOCK_CLUSTER_H_

#include <memory>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace referral {

class MockCluster {
 public:
  // Starts `brokers` mock brokers on loopback. Returns kInternal when librdkafka cannot.
  static absl::StatusOr<std::unique_ptr<MockCluster>> Start(int brokers);
  ~MockCluster();

  // "127.0.0.1:port,…": what clients in other processes connect to.
  std::string bootstrap() const;

  // Creates `topic` (the mock serves no CreateTopics request). Returns kInternal on failure.
  absl::Status CreateTopic(const std::string& topic, int partitions);

  // Error injection: the next requests with Kafka protocol API key `api_key` (0 Produce,
  // 22 InitProducerId, 25 AddOffsetsToTxn, 26 EndTxn, ...) fail with `errors` (Kafka error
  // codes, one request each, in order).
  void PushRequestErrors(int16_t api_key, const std::vector<int>& errors);

  // Delays the answer to the next request with `api_key` by `delay` (a slow broker).
  void DelayNextRequest(int16_t api_key, absl::Duration delay);

  // Makes broker `broker` (1-based) the coordinator of `key`; `type` is "group" (a consumer
  // group id) or "transaction" (a transactional.id). Returns kInternal on failure.
  absl::Status SetCoordinator(const std::string& type, const std::string& key, int32_t broker);

  // Makes broker `broker` the leader of every partition of `topic`.
  absl::Status SetLeader(const std::string& topic, int partitions, int32_t broker);

  // Takes broker `broker` down (its connections close and new ones are refused) or up again.
  absl::Status SetBrokerUp(int32_t broker, bool up);

 private:
  struct Handles;
  explicit MockCluster(std::unique_ptr<Handles> handles);
  std::unique_ptr<Handles> handles_;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_MOCK_CLUSTER_H_
