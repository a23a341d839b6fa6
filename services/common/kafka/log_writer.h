// An idempotent producer (acks=all) for records a service must know are stored before it acts on
// them: the feed's disclosure record before it sends a referral, an acknowledgement before it
// answers. Each Write() waits for the broker to acknowledge its own records and returns where
// they were stored; concurrent writers do not wait for each other's records.
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_LOG_WRITER_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_LOG_WRITER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/kafka/kafka_settings.h"
#include "services/common/messaging/record.h"

namespace RdKafka {
class Producer;
}

namespace referral {

// A record for an explicit partition (-1: the producer's partitioner).
struct PartitionedRecord {
  OutRecord record;
  int32_t partition = -1;
};

class LogWriter {
 public:
  // kInvalidArgument naming a property librdkafka refuses.
  static absl::StatusOr<std::unique_ptr<LogWriter>> Create(const KafkaSettings& settings);
  ~LogWriter();

  // Produces `records` and waits up to `timeout` until the broker has each. Returns their offsets
  // in order; kUnavailable when some were not acknowledged in time (they may still be stored
  // later), kDataLoss naming the broker's error when one was refused.
  absl::StatusOr<std::vector<int64_t>> Write(const std::vector<PartitionedRecord>& records,
                                             absl::Duration timeout);

  // Why the producer can write no more (an idempotence or authorisation failure librdkafka calls
  // fatal); empty while it can. Every Write() fails with kInternal once it is set.
  std::string FatalError();

  // The number of partitions of `topic`; kNotFound when the cluster still has no such topic at
  // the end of `timeout` (one created a moment ago is waited for),
  // kUnavailable when it does not answer within it. Also a probe of the cluster.
  absl::StatusOr<int32_t> Partitions(const std::string& topic, absl::Duration timeout);

 private:
  class Reports;
  LogWriter();
  std::unique_ptr<Reports> reports_;
  std::unique_ptr<RdKafka::Producer> producer_;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_LOG_WRITER_H_
