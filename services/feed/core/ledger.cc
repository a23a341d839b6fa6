#include "services/feed/core/ledger.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace referral {
namespace {

bool ParsePosition(absl::string_view text, absl::string_view prefix, int32_t& partition,
                   int64_t& offset) {
  if (!absl::ConsumePrefix(&text, prefix)) return false;
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  return parts.size() == 2 && absl::SimpleAtoi(parts[0], &partition) &&
         absl::SimpleAtoi(parts[1], &offset) && partition >= 0 && offset >= 0;
}

}  // namespace

std::string FormatCheckpointMetadata(const Checkpoint& c) {
  return absl::StrCat("v1 a=", c.audit_partition, ":", c.audit_from, " f=", c.feedback_partition,
                      ":", c.feedback_from);
}

bool ParseCheckpointMetadata(absl::string_view metadata, Checkpoint& checkpoint) {
  const std::vector<absl::string_view> parts = absl::StrSplit(metadata, ' ');
  if (parts.size() != 3 || parts[0] != "v1") return false;
  Checkpoint parsed = checkpoint;
  if (!ParsePosition(parts[1], "a=", parsed.audit_partition, parsed.audit_from) ||
      !ParsePosition(parts[2], "f=", parsed.feedback_partition, parsed.feedback_from)) {
    return false;
  }
  checkpoint = parsed;
  return true;
}

PartitionLedger::PartitionLedger(const Checkpoint& checkpoint)
    : base_(checkpoint),
      next_(checkpoint.committed),
      audit_end_(checkpoint.audit_from),
      feedback_end_(checkpoint.feedback_from) {}

void PartitionLedger::NoteDisclosure(int64_t offset, const std::string& delivery_id,
                                     int64_t audit_offset) {
  if (offset < committed()) return;
  auto [it, inserted] = disclosed_.try_emplace(offset, Disclosed{0, audit_offset, delivery_id});
  ++it->second.attempts;
  it->second.first_audit_offset = std::min(it->second.first_audit_offset, audit_offset);
}

bool PartitionLedger::NoteAcknowledgement(int64_t offset, const std::string& delivery_id,
                                          int64_t feedback_offset) {
  if (offset < committed()) return false;
  auto disclosed = disclosed_.find(offset);
  if (disclosed == disclosed_.end() || disclosed->second.delivery_id != delivery_id) return false;
  if (acknowledged_.contains(offset)) return false;
  if (offset < next_) {
    auto open = open_.find(offset);
    if (open == open_.end()) return false;  // read and done already
    if (open->second.sent) --unacknowledged_;
    open_.erase(open);
  }
  acknowledged_.emplace(offset, feedback_offset);
  Prune();
  return true;
}

void PartitionLedger::NoteAuditEnd(int64_t end) { audit_end_ = std::max(audit_end_, end); }
void PartitionLedger::NoteFeedbackEnd(int64_t end) {
  feedback_end_ = std::max(feedback_end_, end);
}

PartitionLedger::Verdict PartitionLedger::Read(int64_t offset, bool duplicate) {
  next_ = std::max(next_, offset + 1);
  Verdict verdict;
  if (!acknowledged_.contains(offset) && !duplicate) {
    open_.emplace(offset, Open{});
    verdict.deliver = true;
    verdict.attempt = attempts(offset) + 1;
    verdict.redelivery = verdict.attempt > 1;
  }
  Prune();
  return verdict;
}

void PartitionLedger::Sent(int64_t offset, const std::string& delivery_id, int64_t audit_offset,
                           absl::Time now, absl::Time deadline) {
  NoteDisclosure(offset, delivery_id, audit_offset);
  auto it = open_.find(offset);
  if (it == open_.end()) return;
  if (!it->second.sent) {
    ++unacknowledged_;
    it->second.first_sent = now;
  }
  it->second.sent = true;
  it->second.deadline = deadline;
}

PartitionLedger::Verdict PartitionLedger::Resend(int64_t offset) const {
  return Verdict{.deliver = true, .attempt = attempts(offset) + 1, .redelivery = true};
}

std::vector<int64_t> PartitionLedger::Expired(absl::Time now) const {
  std::vector<int64_t> expired;
  for (const auto& [offset, open] : open_) {
    if (open.sent && open.deadline <= now) expired.push_back(offset);
  }
  return expired;
}

std::optional<absl::Time> PartitionLedger::oldest_unacknowledged_since() const {
  std::optional<absl::Time> oldest;
  for (const auto& [offset, open] : open_) {
    if (open.sent && (!oldest || open.first_sent < *oldest)) oldest = open.first_sent;
  }
  return oldest;
}

int64_t PartitionLedger::committed() const {
  return open_.empty() ? next_ : std::min(next_, open_.begin()->first);
}

Checkpoint PartitionLedger::checkpoint() const {
  Checkpoint checkpoint = base_;
  checkpoint.committed = committed();
  checkpoint.audit_from = audit_end_;
  for (const auto& [offset, disclosed] : disclosed_) {
    checkpoint.audit_from = std::min(checkpoint.audit_from, disclosed.first_audit_offset);
  }
  checkpoint.feedback_from = feedback_end_;
  for (const auto& [offset, feedback_offset] : acknowledged_) {
    checkpoint.feedback_from = std::min(checkpoint.feedback_from, feedback_offset);
  }
  return checkpoint;
}

uint32_t PartitionLedger::attempts(int64_t offset) const {
  auto it = disclosed_.find(offset);
  return it == disclosed_.end() ? 0 : it->second.attempts;
}

void PartitionLedger::Prune() {
  const int64_t done_before = committed();
  disclosed_.erase(disclosed_.begin(), disclosed_.lower_bound(done_before));
  acknowledged_.erase(acknowledged_.begin(), acknowledged_.lower_bound(done_before));
}

bool Deduplicator::SeenBefore(const std::string& referral_id, uint64_t revision, absl::Time at) {
  newest_ = std::max(newest_, at);
  // Forget what fell out of the window.
  while (!by_time_.empty() && by_time_.begin()->first < newest_ - window_) {
    first_seen_.erase(by_time_.begin()->second);
    by_time_.erase(by_time_.begin());
  }
  Key key{referral_id, revision};
  auto it = first_seen_.find(key);
  if (it != first_seen_.end() && at - it->second < window_) return true;
  if (it != first_seen_.end()) {
    auto range = by_time_.equal_range(it->second);
    for (auto entry = range.first; entry != range.second; ++entry) {
      if (entry->second == key) {
        by_time_.erase(entry);
        break;
      }
    }
  }
  first_seen_[key] = at;
  by_time_.emplace(at, key);
  return false;
}

std::string SubscriptionKey(absl::string_view subscriber, absl::string_view subscription,
                            absl::string_view queue) {
  return absl::StrCat(subscriber, "/", subscription, "/", queue);
}

int32_t LogPartition(absl::string_view key, int32_t partitions) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : key) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return partitions <= 0 ? 0 : static_cast<int32_t>(hash % static_cast<uint64_t>(partitions));
}

bool ValidSubscriptionName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
  });
}

}  // namespace referral
