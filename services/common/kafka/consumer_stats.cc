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

// The statistics as a consumer's JSON object, or why not.
absl::StatusOr<nlohmann::json> ConsumerStats(absl::string_view stats_json) {
  nlohmann::json stats = nlohmann::json::parse(stats_json, nullptr, /*allow_exceptions=*/false);
  if (!stats.is_object()) return absl::InvalidArgumentError("statistics: not a JSON object");
  if (stats.value("type", "") != "consumer") {
    return absl::NotFoundError("statistics: not a consumer's");
  }
  return stats;
}

// Calls `each(partition number, entry)` for every partition of `topic` in `stats`, but for
// librdkafka's unassigned queue (-1).
template <typename F>
void ForEachPartition(const nlohmann::json& stats, const std::string& topic, F each) {
  auto all_topics = stats.find("topics");
  if (all_topics == stats.end() || !all_topics->is_object()) return;
  auto found = all_topics->find(topic);
  if (found == all_topics->end() || !found->is_object()) return;
  auto partitions = found->find("partitions");
  if (partitions == found->end() || !partitions->is_object()) return;
  for (const auto& [id, partition] : partitions->items()) {
    if (id == "-1" || !partition.is_object()) continue;
    int32_t number = 0;
    if (!absl::SimpleAtoi(id, &number)) continue;
    each(number, partition);
  }
}

}  // namespace

absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> LagByTopic(
    absl::string_view stats_json, const std::vector<std::string>& topics) {
  absl::StatusOr<nlohmann::json> stats = ConsumerStats(stats_json);
  if (!stats.ok()) return stats.status();
  absl::flat_hash_map<std::string, int64_t> lag;
  for (const std::string& topic : topics) {
    int64_t& records = lag[topic];
    ForEachPartition(*stats, topic, [&records](int32_t, const nlohmann::json& partition) {
      const std::string state = partition.value("fetch_state", "none");
      if (state == "none" || state == "stopping" || state == "stopped") return;  // not ours
      const int64_t end = Offset(partition, "ls_offset");
      int64_t position = Offset(partition, "app_offset");
      if (position < 0) position = Offset(partition, "next_offset");
      if (end < 0 || position < 0) return;
      records += std::max<int64_t>(0, end - position);
    });
  }
  return lag;
}

absl::StatusOr<absl::flat_hash_map<PartitionId, bool>> FetchingByPartition(
    absl::string_view stats_json, const std::vector<std::string>& topics) {
  absl::StatusOr<nlohmann::json> stats = ConsumerStats(stats_json);
  if (!stats.ok()) return stats.status();
  absl::flat_hash_map<PartitionId, bool> fetching;
  for (const std::string& topic : topics) {
    ForEachPartition(*stats, topic, [&](int32_t number, const nlohmann::json& partition) {
      fetching[PartitionId{topic, number}] = partition.value("fetch_state", "none") == "active";
    });
  }
  return fetching;
}

}  // namespace referral
