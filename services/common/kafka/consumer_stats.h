// Consumer lag and fetch states from librdkafka's statistics JSON (statistics.interval.ms; the fields are those
// of librdkafka's STATISTICS.md). Pure: no client, no clock.
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_CONSUMER_STATS_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_CONSUMER_STATS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/messaging/record.h"

namespace referral {

// What a consumer's librdkafka statistics say about the partitions of `topics`.
struct ConsumerStats {
  // Records each topic still has to deliver to this consumer, summed over the partitions it
  // fetches: the last stable offset (the end a read_committed reader can reach; records of open
  // transactions upstream are not lag) minus the position (the next offset handed to the
  // application, else the next one fetched). A partition with neither offset known yet is left
  // out, as is every partition this consumer does not fetch. Every topic in `topics` is here.
  absl::flat_hash_map<std::string, int64_t> lag_by_topic;
  // Whether librdkafka fetches each partition (fetch_state "active"), whatever its other states
  // ("none", "offset-query", "offset-wait", ...). An assigned partition that is not fetched for
  // long has no position: its committed offset cannot be read (it is "unstable", held by a
  // transaction left open) or the broker cannot be reached.
  absl::flat_hash_map<PartitionId, bool> fetching;
};

// Reads the statistics JSON (statistics.interval.ms) once. Returns kNotFound for a producer's
// statistics, kInvalidArgument for JSON that is not an object.
absl::StatusOr<ConsumerStats> ReadConsumerStats(absl::string_view stats_json,
                                                const std::vector<std::string>& topics);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_CONSUMER_STATS_H_
