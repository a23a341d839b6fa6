#include "services/common/kafka/consumer_stats.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace referral {
namespace {

// librdkafka writes -1001 (RD_KAFKA_OFFSET_INVALID) for an offset it does not know.
int64_t Offset(const nlohmann::json& partition, const char* field) {
  auto it = partition.find(field);
  if (it == partition.end() || !it->is_number_integer()) return -1;
  return it->get<int64_t>();
}

}  // namespace

absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> LagByTopic(
    absl::string_view stats_json, const std::vector<std::string>& topics) {
  const nlohmann::json stats = nlohmann::json::parse(stats_json, nullptr, /*allow_exceptions=*/false);
  if (!stats.is_object()) return absl::InvalidArgumentError("statistics: not a JSON object");
  if (stats.value("type", "") != "consumer") {
    return absl::NotFoundError("statistics: not a consumer's");
  }
  absl::flat_hash_map<std::string, int64_t> lag;
  for (const std::string& topic : topics) lag[topic] = 0;
  auto all_topics = stats.find("topics");
  if (all_topics == stats.end() || !all_topics->is_object()) return lag;
  for (const std::string& topic : topics) {
    auto found = all_topics->find(topic);
    if (found == all_topics->end() || !found->is_object()) continue;
    auto partitions = found->find("partitions");
    if (partitions == found->end() || !partitions->is_object()) continue;
    for (const auto& [id, partition] : partitions->items()) {
      if (id == "-1" || !partition.is_object()) continue;  // -1: librdkafka's unassigned queue
      const std::string state = partition.value("fetch_state", "none");
      if (state == "none" || state == "stopping" || state == "stopped") continue;  // not ours
      const int64_t end = Offset(partition, "ls_offset");
      int64_t position = Offset(partition, "app_offset");
      if (position < 0) position = Offset(partition, "next_offset");
      if (end < 0 || position < 0) continue;
      lag[topic] += std::max<int64_t>(0, end - position);
    }
  }
  return lag;
}

}  // namespace referral
