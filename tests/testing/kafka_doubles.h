// Test doubles for the transactional loop's parts: a fake clock, a call runner that decides which
// calls get stuck, and an in-memory Kafka with scripted transactional producer and input consumer
// clients. They keep the loop's unit tests in milliseconds; the mock-cluster and real-broker
// tests cover the librdkafka wiring.
#ifndef REFERRAL_TESTS_TESTING_KAFKA_DOUBLES_H_
#define REFERRAL_TESTS_TESTING_KAFKA_DOUBLES_H_

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/common/kafka/kafka_clients.h"
#include "services/common/observe/blocking_call.h"
#include "services/common/observe/clock.h"

namespace referral::testing {

// A clock that moves only when told to, or when something sleeps on it.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1'800'000'000)) : now_(start) {}
  absl::Time Now() const override { return now_; }
  void SleepFor(absl::Duration duration) const override {
    now_ += duration;
    slept_ += duration;
    if (on_sleep) on_sleep();
  }
  void Advance(absl::Duration duration) { now_ += duration; }
  // Everything SleepFor() was asked to wait, in total.
  absl::Duration slept() const { return slept_; }

  // Called after each SleepFor() (a back-off): tests stop the loop there.
  std::function<void()> on_sleep;

 private:
  mutable absl::Time now_;
  mutable absl::Duration slept_ = absl::ZeroDuration();
};

// Runs calls inline, except the next `stick` calls: those it "waits for" in 100 ms steps of the
// fake clock until the caller gives up, and keeps (never runs) while `hold_stuck` is true, so
// that what they captured stays alive as it would on a thread still stuck in librdkafka.
class ScriptedCallRunner final : public BlockingCallRunner {
 public:
  explicit ScriptedCallRunner(FakeClock& clock) : clock_(clock) {}

  std::optional<absl::Status> Run(std::function<absl::Status()> call,
                                  const GiveUp& give_up) override {
    if (stick > 0) {
      --stick;
      absl::Duration waited = absl::ZeroDuration();
      while (!give_up(waited)) {
        clock_.Advance(absl::Milliseconds(100));
        waited += absl::Milliseconds(100);
      }
      last_stuck_for = waited;
      if (hold_stuck) stuck_calls.push_back(std::move(call));
      return std::nullopt;
    }
    return call();
  }

  // Lets the stuck calls return (their captures are released).
  void ReleaseStuck() { stuck_calls.clear(); }

  int stick = 0;
  bool hold_stuck = true;
  absl::Duration last_stuck_for = absl::ZeroDuration();
  std::vector<std::function<absl::Status()>> stuck_calls;

 private:
  FakeClock& clock_;
};

// An in-memory Kafka: partitions of records, the group's committed offsets, and what committed
// transactions produced.
struct FakeKafka {
  using Key = std::pair<std::string, int32_t>;
  struct Record {
    std::string key;
    std::string value;
    std::vector<Header> headers;
  };

  void Append(const std::string& topic, int32_t partition, Record record) {
    log[{topic, partition}].push_back(std::move(record));
  }
  // The records committed to `topic` (all partitions), in order.
  std::vector<OutRecord> Output(const std::string& topic) const {
    std::vector<OutRecord> out;
    for (const auto& [key, records] : log) {
      if (key.first != topic) continue;
      for (const Record& r : records) out.push_back({topic, r.key, r.value, r.headers});
    }
    return out;
  }

  std::map<Key, std::vector<Record>> log;
  std::map<Key, int64_t> committed;  // the group's next offset per partition
};

// A transactional producer on FakeKafka. Each call takes the next scripted status of its kind
// (OK when none is left). A record larger than `max_record_bytes` (key + value + headers) is
// refused at once, as librdkafka refuses one above message.max.bytes.
class ScriptedTransactionalClient final : public TransactionalClient {
 public:
  explicit ScriptedTransactionalClient(FakeKafka& kafka) : kafka_(kafka) {}

  absl::Status InitTransactions(absl::Duration) override { return Next(init); }
  absl::Status BeginTransaction() override {
    ++begun;
    pending_.clear();
    return absl::OkStatus();
  }
  ProduceResult Produce(const OutRecord& record) override {
    size_t size = record.key.size() + record.value.size();
    for (const Header& h : record.headers) size += h.name.size() + h.value.size();
    if (size > max_record_bytes) {
      return {.queued = false, .refusal = ProduceRefusal::kRecord,
              .error = "produce to " + record.topic + ": Broker: Message size too large"};
    }
    pending_.push_back(record);
    return {};
  }
  absl::Status SendOffsets(const Offsets& offsets, const GroupMetadata&, absl::Duration) override {
    absl::Status status = Next(send_offsets);
    if (status.ok()) offsets_ = offsets;
    return status;
  }
  absl::Status CommitTransaction(absl::Duration) override {
    absl::Status status = Next(commit);
    if (!status.ok()) return status;
    for (const OutRecord& r : pending_) kafka_.Append(r.topic, 0, {r.key, r.value, r.headers});
    for (const auto& [partition, next] : offsets_) {
      kafka_.committed[{partition.topic, partition.partition}] = next;
    }
    pending_.clear();
    ++commits;
    return absl::OkStatus();
  }
  absl::Status AbortTransaction(absl::Duration) override {
    absl::Status status = Next(abort);
    if (status.ok()) {
      pending_.clear();
      ++aborts;
    }
    return status;
  }
  void Poll() override {}
  void Detach() override { detached = true; }

  std::deque<absl::Status> init, send_offsets, commit, abort;
  size_t max_record_bytes = 1'000'000;
  int begun = 0, commits = 0, aborts = 0;
  bool detached = false;

 private:
  static absl::Status Next(std::deque<absl::Status>& script) {
    if (script.empty()) return absl::OkStatus();
    absl::Status status = script.front();
    script.pop_front();
    return status;
  }
  FakeKafka& kafka_;
  std::vector<OutRecord> pending_;
  Offsets offsets_;
};

// The loop's consumer on FakeKafka: assigned every partition of its topics at the first poll,
// reading from the committed offsets. A poll that finds nothing advances the clock by its timeout
// and calls `on_idle` (tests stop the loop there).
class ScriptedInputConsumer final : public InputConsumer {
 public:
  ScriptedInputConsumer(FakeKafka& kafka, FakeClock& clock, ConsumerListener& listener)
      : kafka_(kafka), clock_(clock), listener_(listener) {}

  absl::Status Subscribe(const std::vector<std::string>& topics) override {
    topics_ = topics;
    return absl::OkStatus();
  }

  Polled Poll(absl::Duration timeout) override {
    if (before_poll) before_poll(polls);
    if (!assigned_once_) {
      assigned_once_ = true;
      std::vector<PartitionId> ids;
      for (const auto& [key, records] : kafka_.log) {
        for (const std::string& topic : topics_) {
          if (key.first == topic) ids.push_back({key.first, key.second});
        }
      }
      assigned_ = ids;
      for (const PartitionId& id : ids) position_[{id.topic, id.partition}] = Committed(id);
      listener_.OnAssigned(ids);
    }
    if (!injected.empty()) {
      Polled polled = std::move(injected.front());
      injected.pop_front();
      ++polls;
      return polled;
    }
    if (!revoke_next.empty()) {
      std::vector<PartitionId> revoked = std::move(revoke_next);
      revoke_next.clear();
      listener_.OnRevoked(revoked, /*lost=*/false);
      std::erase_if(assigned_, [&](const PartitionId& p) {
        return std::find(revoked.begin(), revoked.end(), p) != revoked.end();
      });
    }
    ++polls;
    for (const PartitionId& id : assigned_) {
      const FakeKafka::Key key{id.topic, id.partition};
      const std::vector<FakeKafka::Record>& records = kafka_.log[key];
      int64_t& position = position_[key];
      if (position >= static_cast<int64_t>(records.size())) continue;
      struct Storage {
        std::string topic;
        FakeKafka::Record record;
      };
      auto storage = std::make_shared<Storage>(Storage{id.topic, records[position]});
      Polled polled;
      polled.kind = Polled::Kind::kRecord;
      polled.record.topic = storage->topic;
      polled.record.partition = id.partition;
      polled.record.offset = position++;
      polled.record.key = storage->record.key;
      polled.record.value = storage->record.value;
      polled.record.headers = storage->record.headers;
      polled.storage = storage;
      clock_.Advance(record_poll_cost);
      idle_in_a_row = 0;
      return polled;
    }
    clock_.Advance(timeout);
    ++idle_in_a_row;
    if (on_idle) on_idle();
    return {};
  }

  absl::Status RewindToCommitted() override {
    if (!rewind.empty()) {
      absl::Status status = rewind.front();
      rewind.pop_front();
      if (!status.ok()) return status;
    }
    ++rewinds;
    for (const PartitionId& id : assigned_) position_[{id.topic, id.partition}] = Committed(id);
    return absl::OkStatus();
  }

  GroupMetadata Group() override { return nullptr; }

  void Close() override {
    listener_.OnRevoked(assigned_, /*lost=*/false);
    assigned_.clear();
  }

  std::function<void()> on_idle;
  std::function<void(int polls_so_far)> before_poll;
  std::vector<PartitionId> revoke_next;  // revoked at the next poll
  std::deque<absl::Status> rewind;
  std::deque<Polled> injected;  // returned by the next polls, before any record
  absl::Duration record_poll_cost = absl::ZeroDuration();  // fake time a poll with a record takes
  int polls = 0, rewinds = 0;
  int idle_in_a_row = 0;  // polls that found nothing since the last record

 private:
  int64_t Committed(const PartitionId& id) const {
    auto it = kafka_.committed.find({id.topic, id.partition});
    return it == kafka_.committed.end() ? 0 : it->second;
  }
  FakeKafka& kafka_;
  FakeClock& clock_;
  ConsumerListener& listener_;
  std::vector<std::string> topics_;
  std::vector<PartitionId> assigned_;
  std::map<FakeKafka::Key, int64_t> position_;
  bool assigned_once_ = false;
};

}  // namespace referral::testing

#endif  // REFERRAL_TESTS_TESTING_KAFKA_DOUBLES_H_
