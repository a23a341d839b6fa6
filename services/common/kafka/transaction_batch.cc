#include "services/common/kafka/transaction_batch.h"

#include <algorithm>

namespace referral {

void TransactionBatch::Open(absl::Time now) {
  Clear();
  open_ = true;
  started_ = now;
}

void TransactionBatch::Add(const RecordId& record) {
  next_offsets_[record.partition] = record.offset + 1;
  ++consumed_[record.partition.topic];
  last_record_ = record;
  ++records_;
}

bool TransactionBatch::CommitDue(absl::Time now, bool input_drained,
                                 bool one_record_per_transaction) const {
  if (!open_) return false;
  if (one_record_per_transaction && records_ >= 1) return true;
  const absl::Duration age = now - started_;
  return records_ >= policy_.max_records || age >= policy_.interval ||
         (input_drained && age >= policy_.idle);
}

absl::Duration TransactionBatch::PollTimeout(absl::Time now) const {
  if (!open_) return kIdlePoll;
  const absl::Duration age = now - started_;
  if (age >= policy_.idle) return absl::ZeroDuration();
  // Wake when the transaction is `idle` old (or due by its interval, if that comes first): a
  // poll that then finds nothing waiting commits it. Waiting for the whole interval instead held
  // every record of a light stream back 100 ms per hop.
  return std::clamp(std::min(policy_.idle, policy_.interval) - age, absl::ZeroDuration(),
                    kIdlePoll);
}

void TransactionBatch::Clear() {
  open_ = false;
  started_ = absl::InfinitePast();
  records_ = 0;
  last_record_.reset();
  next_offsets_.clear();
  produced_.clear();
  consumed_.clear();
}

}  // namespace referral
