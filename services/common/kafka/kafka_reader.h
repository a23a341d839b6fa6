// Reads whole topics from the beginning, read_committed, without a consumer group: what
// `referralctl tail`, the tests and the benchmark use to see what the services committed; and
// bounded ranges of partitions (ReadRanges: the monitor's replay on start, `referralctl report`).
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_READER_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_READER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/kafka/kafka_settings.h"
#include "services/common/messaging/record.h"

namespace RdKafka {
class KafkaConsumer;
}

namespace referral {

// A consumed record that owns its bytes.
struct StoredRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  std::vector<Header> headers;
  int64_t timestamp_ms = 0;  // producer create time

  // The record as a processor reads it. IMPORTANT: points into this record, which must outlive it.
  InRecord View() const {
    InRecord in;
    in.topic = topic;
    in.partition = partition;
    in.offset = offset;
    in.key = key;
    in.value = value;
    in.headers = headers;
    in.timestamp_ms = timestamp_ms;
    return in;
  }
};

// Records of one partition before `end` (INT64_MAX: all it has committed now).
struct ReadRange {
  PartitionId partition;
  int64_t end = INT64_MAX;
};

// Reads each of `ranges`, read_committed and without a group, from the first record whose
// timestamp is at or after `since` (absl::InfinitePast(): from the beginning) to its end or to
// the end of what the partition has committed, whichever comes first, calling `each` for every
// record (in order within a partition). Returns kUnavailable (kNotFound when the time lookup
// finds no such topic) when a partition cannot be read, or the ranges are not read within
// `timeout`.
absl::Status ReadRanges(const KafkaSettings& settings, const std::vector<ReadRange>& ranges,
                        absl::Time since, const std::function<void(const StoredRecord&)>& each,
                        absl::Duration timeout);

// The partitions of `topic`. Returns kNotFound when the cluster does not have it, kUnavailable
// when it does not answer within `timeout`.
absl::StatusOr<std::vector<PartitionId>> TopicPartitions(const KafkaSettings& settings,
                                                         const std::string& topic,
                                                         absl::Duration timeout);

class KafkaReader {
 public:
  // Assigns every partition of `topics` at the beginning. Returns kNotFound naming a topic the
  // cluster does not have, kUnavailable when it does not answer within `timeout`.
  static absl::StatusOr<std::unique_ptr<KafkaReader>> Open(const KafkaSettings& settings,
                                                           const std::vector<std::string>& topics,
                                                           absl::Duration timeout);
  // Open(ToolSettings(bootstrap), ...).
  static absl::StatusOr<std::unique_ptr<KafkaReader>> Open(const std::string& bootstrap,
                                                           const std::vector<std::string>& topics,
                                                           absl::Duration timeout);
  ~KafkaReader();

  // The next record, or std::nullopt when none arrives within `wait`. Returns kUnavailable on a
  // fatal consumer error.
  absl::StatusOr<std::optional<StoredRecord>> Next(absl::Duration wait);

 private:
  KafkaReader() = default;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_READER_H_
