#include "services/common/kafka/consumer_stats.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"

namespace referral {
namespace {

// librdkafka writes -1001 (RD_KAFKA_OFFSET_INVALID) for an offset it does not know.
int64_t Offset(const nlohmann::json& partition, const char* field) {
  auto it = partition.find(field);
  if (it == partition.end() || !it->is_number_integer()) return -1;
  return it->get<int64_t>();
}

}  // namespace

absl::StatusOr<ConsumerStats> ReadConsumerStats(absl::string_view stats_json,
                                                const std::vector<std::string>& topics) {
  const nlohmann::json stats = nlohmann::json::parse(stats_json, nullptr, /*allow_exceptions=*/false);
  if (!stats.is_object()) return absl::InvalidArgumentError("statistics: not a JSON object");
  if (stats.value("type", "") != "consumer") {
    return absl::NotFoundError("statistics: not a consumer's");
  }
  ConsumerStats result;
  for (const std::string& topic : topics) result.lag_by_topic[topic] = 0;
  auto all_topics = stats.find("topics");
  if (all_topics == stats.end() || !all_topics->is_object()) return result;
  for (const std::string& topic : topics) {
    auto found = all_topics->find(topic);
    if (found == all_topics->end() || !found->is_object()) continue;
    auto partitions = found->find("partitions");
    if (partitions == found->end() || !partitions->is_object()) continue;
    int64_t& lag = result.lag_by_topic[topic];
    for (const auto& [id, partition] : partitions->items()) {
      int32_t number = 0;
      // -1: librdkafka's unassigned queue.
      if (id == "-1" || !partition.is_object() || !absl::SimpleAtoi(id, &number)) continue;
      const std::string state = partition.value("fetch_state", "none");
      result.fetching[PartitionId{topic, number}] = state == "active";
      if (state == "none" || state == "stopping" || state == "stopped") continue;  // not ours
      const int64_t end = Offset(partition, "ls_offset");
      int64_t position = Offset(partition, "app_offset");
      if (position < 0) position = Offset(partition, "next_offset");
      if (end < 0 || position < 0) continue;
      lag += std::max<int64_t>(0, end - position);
    }
  }
  return result;
}

}  // namespace referral
