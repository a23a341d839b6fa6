#include "services/common/kafka/poison_ledger.h"

#include <algorithm>

namespace referral {

absl::string_view PoisonStepName(PoisonStep step) {
  switch (step) {
    case PoisonStep::kProcess: return "process";
    case PoisonStep::kDeadLetter: return "dead_letter";
    case PoisonStep::kDeadLetterWithoutValue: return "dead_letter_without_value";
    case PoisonStep::kDeadLetterCoordinatesOnly: return "dead_letter_coordinates_only";
    case PoisonStep::kSkip: return "skip";
  }
  return "unknown";
}

PoisonStep PoisonLedger::StepFor(const RecordId& record) const {
  auto it = entries_.find(record);
  return it == entries_.end() ? PoisonStep::kProcess : it->second.step;
}

std::string PoisonLedger::ReasonFor(const RecordId& record) const {
  auto it = entries_.find(record);
  return it == entries_.end() ? std::string() : it->second.reason;
}

void PoisonLedger::Advance(Entry& entry) {
  if (entry.step != PoisonStep::kSkip) entry.step = static_cast<PoisonStep>(static_cast<int>(entry.step) + 1);
  entry.lone_failures = 0;
}

void PoisonLedger::Refused(const RecordId& record, absl::string_view reason) {
  Entry& entry = entries_[record];
  if (entry.reason.empty()) entry.reason = std::string(reason);
  Advance(entry);
}

void PoisonLedger::Aborted(const std::optional<RecordId>& lone_record, absl::string_view reason) {
  const bool isolating = Isolating();
  ++aborts_in_a_row_;
  if (!isolating || !lone_record) return;
  Entry& entry = entries_[*lone_record];
  if (entry.reason.empty()) entry.reason = std::string(reason);
  if (++entry.lone_failures >= kLoneFailuresPerStep) Advance(entry);
}

void PoisonLedger::Committed(const absl::flat_hash_map<PartitionId, int64_t>& next_offsets) {
  aborts_in_a_row_ = 0;
  absl::erase_if(entries_, [&](const auto& entry) {
    auto committed = next_offsets.find(entry.first.partition);
    return committed != next_offsets.end() && entry.first.offset < committed->second;
  });
}

void PoisonLedger::Revoked(const std::vector<PartitionId>& partitions) {
  absl::erase_if(entries_, [&](const auto& entry) {
    return std::find(partitions.begin(), partitions.end(), entry.first.partition) != partitions.end();
  });
}

}  // namespace referral
