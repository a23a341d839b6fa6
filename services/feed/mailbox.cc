#include "services/feed/mailbox.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "referral/v1/feedback.pb.h"
#include "referral/v1/referral.pb.h"
#include "services/common/kafka/kafka_client_conf.h"
#include "services/common/messaging/decode_record.h"
#include "services/common/observe/log.h"
#include "services/feed/core/delivery_id.h"
#include "services/feed/core/ledger.h"

namespace referral {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int kKafkaTimeoutMs = 10000;
constexpr absl::Duration kRebuildTimeout = absl::Seconds(60);
constexpr absl::Duration kAuditTimeout = absl::Seconds(15);
// At most this many records are read between two rounds of sending and acknowledging.
constexpr int kMaxReadPerRound = 500;

std::string GroupId(const FeedOptions& options, const MailboxSpec& spec) {
  std::string queue = spec.queue;
  std::replace(queue.begin(), queue.end(), '/', '.');
  return absl::StrCat(options.group_prefix, ".", spec.subscriber, ".", spec.subscription, ".",
                      queue);
}

google::protobuf::Timestamp ToProto(absl::Time time) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(time));
}

InRecord ToInRecord(const RdKafka::Message& message) {
  InRecord record;
  record.topic = message.topic_name();
  record.partition = message.partition();
  record.offset = message.offset();
  if (message.key() != nullptr) record.key = *message.key();
  record.value = absl::string_view(static_cast<const char*>(message.payload()), message.len());
  // headers() is not const in librdkafka's C++ API, though it only reads.
  if (const RdKafka::Headers* headers = const_cast<RdKafka::Message&>(message).headers();
      headers != nullptr) {
    for (const RdKafka::Headers::Header& h : headers->get_all()) {
      record.headers.push_back(
          {h.key(), std::string(static_cast<const char*>(h.value()), h.value_size())});
    }
  }
  return record;
}

// Reads [from, end) of one partition with a throwaway read_committed reader and hands each record
// to `each` until it returns false. `end` is the high watermark when it started; a `from` below
// the partition's oldest record starts at that record.
absl::Status ReadRange(const KafkaSettings& settings, const std::string& topic, int32_t partition,
                       int64_t from, int64_t end,
                       const std::function<bool(const RdKafka::Message&)>& each) {
  if (from >= end) return absl::OkStatus();
  absl::StatusOr<std::unique_ptr<RdKafka::Conf>> conf = LeanReaderConf(settings);
  if (!conf.ok()) return conf.status();
  std::string error;
  std::unique_ptr<RdKafka::KafkaConsumer> reader(
      RdKafka::KafkaConsumer::create(conf->get(), error));
  if (reader == nullptr) return absl::InternalError(error);
  std::unique_ptr<RdKafka::TopicPartition> tp(
      RdKafka::TopicPartition::create(topic, partition, from));
  std::vector<RdKafka::TopicPartition*> assignment = {tp.get()};
  reader->assign(assignment);
  const absl::Time deadline = absl::Now() + kRebuildTimeout;
  int64_t position = from;
  while (position < end) {
    if (absl::Now() > deadline) {
      reader->close();
      return absl::UnavailableError(absl::StrCat("reading ", topic, "[", partition, "] from ",
                                                 from, " to ", end, " took over ",
                                                 absl::FormatDuration(kRebuildTimeout)));
    }
    std::unique_ptr<RdKafka::Message> message(reader->consume(200));
    if (message->err() == RdKafka::ERR_NO_ERROR) {
      if (!each(*message)) break;
      position = message->offset() + 1;
    } else if (message->err() == RdKafka::ERR__PARTITION_EOF ||
               message->err() == RdKafka::ERR__TIMED_OUT) {
      // read_committed: the end may be transaction markers or aborted records.
      std::vector<RdKafka::TopicPartition*> positions = {tp.get()};
      if (reader->position(positions) == RdKafka::ERR_NO_ERROR && tp->offset() >= 0) {
        position = std::max(position, tp->offset());
      }
    } else if (message->err() != RdKafka::ERR__TIMED_OUT) {
      log::Warn("feed_rebuild_read_error",
                {{"topic", topic}, {"partition", partition}, {"error", message->errstr()}});
    }
  }
  reader->close();
  return absl::OkStatus();
}

struct Watermarks {
  int64_t low = 0;
  int64_t high = 0;
};

absl::StatusOr<Watermarks> QueryWatermarks(RdKafka::KafkaConsumer& consumer,
                                           const std::string& topic, int32_t partition) {
  Watermarks marks;
  const RdKafka::ErrorCode err =
      consumer.query_watermark_offsets(topic, partition, &marks.low, &marks.high, kKafkaTimeoutMs);
  if (err != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("watermarks of ", topic, "[", partition,
                                               "]: ", RdKafka::err2str(err)));
  }
  return marks;
}

// A referral read from the queue and not yet acknowledged.
struct Held {
  v1::Referral referral;
  std::string delivery_id;
};

// Something to send: a new record or a redelivery.
struct Outgoing {
  int32_t partition;
  int64_t offset;
  PartitionLedger::Verdict verdict;
};

class Mailbox final : public RdKafka::RebalanceCb {
 public:
  Mailbox(const MailboxSpec& spec, const KafkaSettings& settings, const FeedOptions& options,
          const FeedLogs& logs, LogWriter& writer, FeedMetrics& metrics, std::string instance,
          uint64_t stream_id, DeliverySink& sink)
      : spec_(spec),
        settings_(settings),
        options_(options),
        logs_(logs),
        writer_(writer),
        metrics_(metrics),
        instance_(std::move(instance)),
        stream_id_(stream_id),
        sink_(sink),
        key_(SubscriptionKey(spec.subscriber, spec.subscription, spec.queue)),
        audit_partition_(LogPartition(key_, logs.audit_partitions)),
        feedback_partition_(LogPartition(key_, logs.feedback_partitions)) {}

  absl::Status Run(const std::atomic<bool>& stop);

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override;

 private:
  absl::Status Assign(std::vector<RdKafka::TopicPartition*>& partitions);
  void Revoke(const std::vector<RdKafka::TopicPartition*>& partitions);
  absl::StatusOr<Checkpoint> LoadCheckpoint(int32_t partition);
  absl::Status CommitCheckpoints(const std::vector<int32_t>& partitions);
  void Take(const RdKafka::Message& message);
  void TakeFeedback(const RdKafka::Message& message);
  absl::Status SendDue();

  const MailboxSpec& spec_;
  const KafkaSettings& settings_;
  const FeedOptions& options_;
  const FeedLogs& logs_;
  LogWriter& writer_;
  FeedMetrics& metrics_;
  const std::string instance_;
  const uint64_t stream_id_;
  DeliverySink& sink_;
  const std::string key_;
  const int32_t audit_partition_;
  const int32_t feedback_partition_;

  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::unique_ptr<RdKafka::KafkaConsumer> feedback_;
  std::map<int32_t, PartitionLedger> ledgers_;
  std::map<int32_t, Deduplicator> dedupers_;
  std::map<std::pair<int32_t, int64_t>, Held> held_;
  std::deque<Outgoing> waiting_;
  std::map<int32_t, Checkpoint> committed_;
  absl::Status failure_;
  bool paused_ = false;
  bool client_gone_ = false;
};

void Mailbox::rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                           std::vector<RdKafka::TopicPartition*>& partitions) {
  if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
    if (absl::Status assigned = Assign(partitions); !assigned.ok()) {
      failure_ = assigned;
      consumer->unassign();
      return;
    }
    paused_ = false;
    consumer->assign(partitions);
  } else {
    Revoke(partitions);
    consumer->unassign();
  }
}

absl::StatusOr<Checkpoint> Mailbox::LoadCheckpoint(int32_t partition) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, spec_.topic.c_str(), partition);
  rd_kafka_resp_err_t err = rd_kafka_committed(consumer_->c_ptr(), list, kKafkaTimeoutMs);
  const rd_kafka_resp_err_t partition_err = list->elems[0].err;
  const int64_t offset = list->elems[0].offset;
  const std::string metadata =
      list->elems[0].metadata == nullptr
          ? ""
          : std::string(static_cast<const char*>(list->elems[0].metadata),
                        list->elems[0].metadata_size);
  rd_kafka_topic_partition_list_destroy(list);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) err = partition_err;
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // Never taken for a new subscription: that would send everything again, unflagged.
    return absl::UnavailableError(
        absl::StrCat("committed offsets of ", spec_.topic, ": ", rd_kafka_err2str(err)));
  }
  // Without a readable checkpoint (a new subscription, group offsets expired or reset by hand)
  // everything the logs still hold is re-read, so that nothing disclosed before is sent again
  // unflagged and nothing acknowledged is sent again at all.
  Checkpoint checkpoint{.committed = offset,
                        .audit_partition = audit_partition_,
                        .audit_from = 0,
                        .feedback_partition = feedback_partition_,
                        .feedback_from = 0};
  if (offset >= 0) {
    if (!ParseCheckpointMetadata(metadata, checkpoint)) {
      log::Warn("feed_checkpoint_without_logs",
                {{"subscriber", spec_.subscriber}, {"queue", spec_.queue},
                 {"partition", partition}, {"detail", "re-reading the audit and feedback logs"}});
    }
    return checkpoint;
  }
  absl::StatusOr<Watermarks> queue = QueryWatermarks(*consumer_, spec_.topic, partition);
  if (!queue.ok()) return queue.status();
  checkpoint.committed = queue->low;
  log::Info("feed_subscription_created",
            {{"subscriber", spec_.subscriber}, {"queue", spec_.queue}, {"partition", partition}});
  return checkpoint;
}

absl::Status Mailbox::Assign(std::vector<RdKafka::TopicPartition*>& partitions) {
  std::set<int32_t> fresh;
  for (RdKafka::TopicPartition* tp : partitions) {
    absl::StatusOr<Checkpoint> checkpoint = LoadCheckpoint(tp->partition());
    if (!checkpoint.ok()) return checkpoint.status();
    ledgers_.erase(tp->partition());
    ledgers_.emplace(tp->partition(), PartitionLedger(*checkpoint));
    committed_.erase(tp->partition());
    fresh.insert(tp->partition());
  }
  if (absl::Status stored = CommitCheckpoints({fresh.begin(), fresh.end()}); !stored.ok()) {
    return stored;
  }
  // Rebuild: what was disclosed (audit), then what was acknowledged (feedback), then which
  // revisions the window has already seen (the queue before the checkpoint).
  std::map<int32_t, int64_t> audit_from, feedback_from;
  for (int32_t p : fresh) {
    const Checkpoint c = ledgers_.at(p).checkpoint();
    if (c.audit_partition == audit_partition_) {
      audit_from[p] = c.audit_from;
    } else {
      log::Warn("feed_audit_partition_moved", {{"queue", spec_.queue}});
      audit_from[p] = 0;
    }
    feedback_from[p] = c.feedback_partition == feedback_partition_ ? c.feedback_from : 0;
  }
  auto min_of = [](const std::map<int32_t, int64_t>& m) {
    int64_t least = INT64_MAX;
    for (const auto& [p, v] : m) least = std::min(least, v);
    return least;
  };
  absl::StatusOr<Watermarks> audit_marks =
      QueryWatermarks(*consumer_, logs_.audit_topic, audit_partition_);
  if (!audit_marks.ok()) return audit_marks.status();
  absl::Status read = ReadRange(
      settings_, logs_.audit_topic, audit_partition_, min_of(audit_from), audit_marks->high,
      [&](const RdKafka::Message& message) {
        if (message.key() == nullptr || *message.key() != key_) return true;
        v1::Disclosure disclosure;
        if (!disclosure.ParseFromArray(message.payload(), static_cast<int>(message.len()))) {
          return true;
        }
        const int32_t p = disclosure.position().partition();
        if (disclosure.position().topic() != spec_.topic || !fresh.contains(p)) return true;
        if (message.offset() < audit_from[p]) return true;
        ledgers_.at(p).NoteDisclosure(disclosure.position().offset(), disclosure.delivery_id(),
                                      message.offset());
        return true;
      });
  if (!read.ok()) return read;
  for (int32_t p : fresh) ledgers_.at(p).NoteAuditEnd(audit_marks->high);

  absl::StatusOr<Watermarks> feedback_marks =
      QueryWatermarks(*consumer_, logs_.feedback_topic, feedback_partition_);
  if (!feedback_marks.ok()) return feedback_marks.status();
  read = ReadRange(settings_, logs_.feedback_topic, feedback_partition_, min_of(feedback_from),
                   feedback_marks->high, [&](const RdKafka::Message& message) {
                     if (message.key() == nullptr || *message.key() != key_) return true;
                     v1::FeedbackEvent event;
                     if (!event.ParseFromArray(message.payload(),
                                               static_cast<int>(message.len())) ||
                         !event.has_acknowledgement()) {
                       return true;
                     }
                     const v1::QueuePosition& at = event.acknowledgement().position();
                     if (at.topic() != spec_.topic || !fresh.contains(at.partition())) return true;
                     ledgers_.at(at.partition())
                         .NoteAcknowledgement(at.offset(), event.acknowledgement().delivery_id(),
                                              message.offset());
                     return true;
                   });
  if (!read.ok()) return read;
  for (int32_t p : fresh) ledgers_.at(p).NoteFeedbackEnd(feedback_marks->high);

  const absl::Time now = absl::Now();
  for (RdKafka::TopicPartition* tp : partitions) {
    const int32_t p = tp->partition();
    dedupers_.erase(p);
    Deduplicator& dedup = dedupers_.emplace(p, Deduplicator(options_.deduplication_window))
                              .first->second;
    const int64_t committed = ledgers_.at(p).committed();
    // The window reaches back from the first record to be read, not from now: a duplicate
    // resumed days later must still meet its original.
    absl::Time resume_at = now;
    absl::StatusOr<Watermarks> marks = QueryWatermarks(*consumer_, spec_.topic, p);
    if (!marks.ok()) return marks.status();
    read = ReadRange(settings_, spec_.topic, p, committed, marks->high,
                     [&](const RdKafka::Message& message) {
                       resume_at = std::min(
                           resume_at, absl::FromUnixMillis(message.timestamp().timestamp));
                       return false;
                     });
    if (!read.ok()) return read;
    std::unique_ptr<RdKafka::TopicPartition> at(RdKafka::TopicPartition::create(
        spec_.topic, p, absl::ToUnixMillis(resume_at - options_.deduplication_window)));
    std::vector<RdKafka::TopicPartition*> query = {at.get()};
    int64_t scan_from = 0;
    if (consumer_->offsetsForTimes(query, kKafkaTimeoutMs) == RdKafka::ERR_NO_ERROR &&
        at->offset() >= 0) {
      scan_from = at->offset();
    }
    read = ReadRange(settings_, spec_.topic, p, scan_from, committed,
                     [&](const RdKafka::Message& message) {
                       v1::Referral referral;
                       if (!DecodeRecord(ToInRecord(message), referral)) {
                         dedup.SeenBefore(referral.referral_id(), referral.revision(),
                                          absl::FromUnixMillis(message.timestamp().timestamp));
                       }
                       return true;
                     });
    if (!read.ok()) return read;
    tp->set_offset(committed);
  }
  // The stream's feedback tail starts where the rebuild ended; re-reading is harmless.
  if (feedback_ != nullptr) {
    std::unique_ptr<RdKafka::TopicPartition> tail(RdKafka::TopicPartition::create(
        logs_.feedback_topic, feedback_partition_, feedback_marks->high));
    std::vector<RdKafka::TopicPartition*> current = {tail.get()};
    if (feedback_->position(current) == RdKafka::ERR_NO_ERROR && tail->offset() >= 0 &&
        tail->offset() <= feedback_marks->high) {
      // Already tailing from before the rebuild's end: keep going.
    } else {
      tail->set_offset(feedback_marks->high);
      feedback_->assign(current);
    }
  }
  log::Info("feed_partitions_assigned",
            {{"subscriber", spec_.subscriber},
             {"queue", spec_.queue},
             {"partitions", std::vector<int32_t>(fresh.begin(), fresh.end())}});
  return absl::OkStatus();
}

void Mailbox::Revoke(const std::vector<RdKafka::TopicPartition*>& partitions) {
  std::vector<int32_t> revoked;
  for (RdKafka::TopicPartition* tp : partitions) revoked.push_back(tp->partition());
  if (absl::Status stored = CommitCheckpoints(revoked); !stored.ok()) {
    log::Warn("feed_checkpoint_failed", {{"queue", spec_.queue}, {"reason", stored.ToString()}});
  }
  for (int32_t p : revoked) {
    ledgers_.erase(p);
    dedupers_.erase(p);
    committed_.erase(p);
    std::erase_if(waiting_, [p](const Outgoing& out) { return out.partition == p; });
    std::erase_if(held_, [p](const auto& entry) { return entry.first.first == p; });
  }
}

absl::Status Mailbox::CommitCheckpoints(const std::vector<int32_t>& partitions) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(
      static_cast<int>(partitions.size()));
  for (int32_t p : partitions) {
    auto ledger = ledgers_.find(p);
    if (ledger == ledgers_.end()) continue;
    const Checkpoint checkpoint = ledger->second.checkpoint();
    auto previous = committed_.find(p);
    if (previous != committed_.end() && previous->second == checkpoint) continue;
    rd_kafka_topic_partition_t* tp =
        rd_kafka_topic_partition_list_add(list, spec_.topic.c_str(), p);
    tp->offset = checkpoint.committed;
    const std::string metadata = FormatCheckpointMetadata(checkpoint);
    tp->metadata = malloc(metadata.size());  // freed by rd_kafka_topic_partition_list_destroy
    memcpy(tp->metadata, metadata.data(), metadata.size());
    tp->metadata_size = metadata.size();
    committed_[p] = checkpoint;
  }
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  if (list->cnt > 0) err = rd_kafka_commit(consumer_->c_ptr(), list, 0);
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int32_t p : partitions) committed_.erase(p);
    return absl::UnavailableError(absl::StrCat("storing the subscription's position: ",
                                               rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

void Mailbox::Take(const RdKafka::Message& message) {
  const int32_t p = message.partition();
  auto ledger = ledgers_.find(p);
  if (ledger == ledgers_.end()) return;  // revoked meanwhile
  v1::Referral referral;
  if (std::optional<DecodeFailure> failure = DecodeRecord(ToInRecord(message), referral)) {
    // Never skip a referral: the subscription stops here until the record is dealt with.
    failure_ = absl::DataLossError(absl::StrCat("the referral at ", spec_.topic, "[", p, "]@",
                                                message.offset(), " cannot be read (",
                                                failure->reason, ")"));
    return;
  }
  const bool duplicate =
      dedupers_.at(p).SeenBefore(referral.referral_id(), referral.revision(),
                                 absl::FromUnixMillis(message.timestamp().timestamp));
  const PartitionLedger::Verdict verdict = ledger->second.Read(message.offset(), duplicate);
  if (duplicate) metrics_.Deduplicated(spec_.queue);
  if (!verdict.deliver) return;
  Held held{.referral = std::move(referral)};
  held.delivery_id = FormatDeliveryId({.partition = p,
                                       .offset = message.offset(),
                                       .revision = held.referral.revision(),
                                       .referral_id = held.referral.referral_id()});
  held_[{p, message.offset()}] = std::move(held);
  waiting_.push_back({p, message.offset(), verdict});
}

void Mailbox::TakeFeedback(const RdKafka::Message& message) {
  if (message.key() == nullptr || *message.key() != key_) return;
  v1::FeedbackEvent event;
  if (!event.ParseFromArray(message.payload(), static_cast<int>(message.len())) ||
      !event.has_acknowledgement()) {
    return;
  }
  const v1::QueuePosition& at = event.acknowledgement().position();
  auto ledger = ledgers_.find(at.partition());
  if (at.topic() != spec_.topic || ledger == ledgers_.end()) return;
  if (ledger->second.NoteAcknowledgement(at.offset(), event.acknowledgement().delivery_id(),
                                         message.offset())) {
    // Acknowledged while waiting to be sent again: it is not.
    std::erase_if(waiting_, [&](const Outgoing& out) {
      return out.partition == at.partition() && out.offset == at.offset();
    });
    held_.erase({at.partition(), at.offset()});
    metrics_.Acknowledged(spec_.queue, 1);
  }
  ledger->second.NoteFeedbackEnd(message.offset() + 1);
}

absl::Status Mailbox::SendDue() {
  const absl::Time now = absl::Now();
  std::vector<Outgoing> batch;
  int unacknowledged = 0;
  for (auto& [p, ledger] : ledgers_) {
    unacknowledged += ledger.unacknowledged();
    for (int64_t offset : ledger.Expired(now)) batch.push_back({p, offset, ledger.Resend(offset)});
  }
  // Redeliveries are already counted as unacknowledged; new records take the free slots.
  while (!waiting_.empty() && unacknowledged < static_cast<int>(spec_.max_unacknowledged)) {
    batch.push_back(waiting_.front());
    waiting_.pop_front();
    ++unacknowledged;
  }
  // Only records still open and held (an acknowledgement may have overtaken a redelivery).
  std::erase_if(batch, [&](const Outgoing& out) {
    auto ledger = ledgers_.find(out.partition);
    return ledger == ledgers_.end() || !ledger->second.IsOpen(out.offset) ||
           !held_.contains({out.partition, out.offset});
  });
  if (batch.empty()) return absl::OkStatus();
  // A partition taken away without a revocation (the stream stalled past max.poll.interval.ms)
  // is another stream's now: send nothing more from it.
  if (consumer_->assignment_lost()) return absl::OkStatus();
  if (spec_.authorised) {
    if (absl::Status allowed = spec_.authorised(); !allowed.ok()) return allowed;
  }
  std::vector<PartitionedRecord> disclosures;
  disclosures.reserve(batch.size());
  for (const Outgoing& out : batch) {
    const Held& held = held_.at({out.partition, out.offset});
    v1::Disclosure disclosure;
    disclosure.set_referral_id(held.referral.referral_id());
    disclosure.set_revision(held.referral.revision());
    disclosure.set_subscriber(spec_.subscriber);
    disclosure.set_subscription(spec_.subscription);
    disclosure.set_queue(spec_.queue);
    *disclosure.mutable_disclosed_at() = ToProto(now);
    disclosure.set_attempt(out.verdict.attempt);
    disclosure.set_lawful_basis(options_.lawful_basis);
    disclosure.set_delivery_id(held.delivery_id);
    disclosure.mutable_position()->set_topic(spec_.topic);
    disclosure.mutable_position()->set_partition(out.partition);
    disclosure.mutable_position()->set_offset(out.offset);
    disclosure.set_client_identity(spec_.client_identity);
    disclosure.set_feed_instance(instance_);
    PartitionedRecord record{.partition = audit_partition_};
    record.record.topic = logs_.audit_topic;
    record.record.key = key_;
    record.record.value = disclosure.SerializeAsString();
    record.record.headers = {{"content-type", "application/x-protobuf"}};
    disclosures.push_back(std::move(record));
  }
  absl::StatusOr<std::vector<int64_t>> audited = writer_.Write(disclosures, kAuditTimeout);
  if (!audited.ok()) {
    return absl::UnavailableError(
        absl::StrCat("the disclosure records could not be written, so nothing was sent: ",
                     audited.status().message()));
  }
  const absl::Time deadline = now + options_.ack_deadline;
  for (size_t i = 0; i < batch.size(); ++i) {
    const Outgoing& out = batch[i];
    PartitionLedger& ledger = ledgers_.at(out.partition);
    const Held& held = held_.at({out.partition, out.offset});
    ledger.Sent(out.offset, held.delivery_id, (*audited)[i], now, deadline);
    ledger.NoteAuditEnd((*audited)[i] + 1);
    v1::Delivery delivery;
    delivery.set_delivery_id(held.delivery_id);
    *delivery.mutable_referral() = held.referral;
    delivery.set_attempt(out.verdict.attempt);
    delivery.set_redelivery(out.verdict.redelivery);
    if (!sink_.Send(delivery, i + 1 < batch.size())) {
      // The client went: it reconnects. What was disclosed and not sent comes again, flagged.
      client_gone_ = true;
      return absl::OkStatus();
    }
    metrics_.Delivered(spec_.queue, out.verdict.redelivery);
  }
  return absl::OkStatus();
}

absl::Status Mailbox::Run(const std::atomic<bool>& stop) {
  absl::StatusOr<std::unique_ptr<RdKafka::Conf>> conf =
      SubscriptionConsumerConf(settings_, GroupId(options_, spec_));
  if (!conf.ok()) return conf.status();
  std::string error;
  if ((*conf)->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(this), error) !=
      RdKafka::Conf::CONF_OK) {
    return absl::InternalError(error);
  }
  consumer_.reset(RdKafka::KafkaConsumer::create(conf->get(), error));
  if (consumer_ == nullptr) return absl::InternalError(error);
  absl::StatusOr<std::unique_ptr<RdKafka::Conf>> reader_conf = LeanReaderConf(settings_);
  if (!reader_conf.ok()) return reader_conf.status();
  feedback_.reset(RdKafka::KafkaConsumer::create(reader_conf->get(), error));
  if (feedback_ == nullptr) return absl::InternalError(error);
  {
    absl::StatusOr<Watermarks> marks =
        QueryWatermarks(*consumer_, logs_.feedback_topic, feedback_partition_);
    if (!marks.ok()) return marks.status();
    std::unique_ptr<RdKafka::TopicPartition> tail(RdKafka::TopicPartition::create(
        logs_.feedback_topic, feedback_partition_, marks->high));
    std::vector<RdKafka::TopicPartition*> assignment = {tail.get()};
    feedback_->assign(assignment);
  }
  if (RdKafka::ErrorCode err = consumer_->subscribe({spec_.topic}); err != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("subscribing to ", spec_.topic, ": ",
                                               RdKafka::err2str(err)));
  }
  absl::Time last_checkpoint = absl::Now();
  absl::Status outcome;
  // Records read and held, waiting for a slot: twice the flow-control window read ahead freely,
  // three times the window at most before the partitions are paused.
  const size_t read_ahead = 2 * static_cast<size_t>(spec_.max_unacknowledged);
  const size_t hard_cap = read_ahead + spec_.max_unacknowledged;
  absl::Time last_poll = absl::InfinitePast();
  while (!stop.load() && !sink_.Cancelled() && !client_gone_) {
    // Read what the consumer has, up to the room flow control leaves, waiting only for the
    // first record: the records of one round share one disclosure write.
    int read = 0;
    // Beyond the read-ahead, the consumer is still polled (group callbacks, max.poll.interval.ms)
    // but only once a second, so what is held grows slowly while the client does not acknowledge.
    const bool ahead = waiting_.size() >= read_ahead;
    const bool poll = !ahead || absl::Now() - last_poll >= absl::Seconds(1);
    if (!poll) absl::SleepFor(absl::Milliseconds(20));
    for (int wait_ms = 20; poll; wait_ms = 0) {
      last_poll = absl::Now();
      std::unique_ptr<RdKafka::Message> message(consumer_->consume(wait_ms));
      if (!failure_.ok()) break;
      if (message->err() == RdKafka::ERR__TIMED_OUT ||
          message->err() == RdKafka::ERR__PARTITION_EOF) {
        break;
      }
      if (message->err() != RdKafka::ERR_NO_ERROR) {
        if (message->err() == RdKafka::ERR__FATAL) {
          failure_ = absl::UnavailableError(message->errstr());
          break;
        }
        log::Warn("feed_consumer_error", {{"queue", spec_.queue}, {"error", message->errstr()}});
        break;
      }
      Take(*message);
      if (!failure_.ok() || waiting_.size() >= (ahead ? hard_cap : read_ahead) ||
          ++read >= kMaxReadPerRound) {
        break;
      }
    }
    if (!failure_.ok()) {
      // What was read before an unreadable record still goes out before the stream ends.
      if (absl::Status sent = SendDue(); !sent.ok()) outcome = sent;
      break;
    }
    while (true) {
      std::unique_ptr<RdKafka::Message> feedback(feedback_->consume(0));
      if (feedback->err() != RdKafka::ERR_NO_ERROR) break;
      TakeFeedback(*feedback);
    }
    // Flow control: stop fetching while enough is waiting to be sent.
    // Pausing costs about a second when the partition resumes (librdkafka 2.0.2 restarts its
    // fetcher), so it is the last resort: only at the hard cap, until below the window again.
    const bool full = paused_ ? waiting_.size() >= spec_.max_unacknowledged
                              : waiting_.size() >= hard_cap;
    if (full != paused_) {
      std::vector<RdKafka::TopicPartition*> assignment;
      consumer_->assignment(assignment);
      if (full) {
        consumer_->pause(assignment);
      } else {
        consumer_->resume(assignment);
      }
      RdKafka::TopicPartition::destroy(assignment);
      paused_ = full;
    }
    if (absl::Status sent = SendDue(); !sent.ok()) {
      outcome = sent;
      break;
    }
    const absl::Time now = absl::Now();
    std::optional<absl::Time> oldest;
    for (const auto& [p, ledger] : ledgers_) {
      std::optional<absl::Time> since = ledger.oldest_unacknowledged_since();
      if (since && (!oldest || *since < *oldest)) oldest = since;
    }
    metrics_.Oldest(spec_.queue, stream_id_, oldest, now);
    if (now - last_checkpoint >= options_.checkpoint_interval) {
      std::vector<int32_t> all;
      for (const auto& [p, ledger] : ledgers_) all.push_back(p);
      if (absl::Status stored = CommitCheckpoints(all); !stored.ok()) {
        log::Warn("feed_checkpoint_failed",
                  {{"queue", spec_.queue}, {"reason", std::string(stored.message())}});
      }
      last_checkpoint = now;
    }
  }
  if (outcome.ok()) outcome = failure_;
  std::vector<int32_t> all;
  for (const auto& [p, ledger] : ledgers_) all.push_back(p);
  if (absl::Status stored = CommitCheckpoints(all); !stored.ok()) {
    log::Warn("feed_checkpoint_failed",
              {{"queue", spec_.queue}, {"reason", std::string(stored.message())}});
  }
  consumer_->close();
  feedback_->close();
  metrics_.Oldest(spec_.queue, stream_id_, std::nullopt, absl::Now());
  return outcome;
}

}  // namespace

absl::Status CheckMailboxClients(const KafkaSettings& settings) {
  for (int kind = 0; kind < 2; ++kind) {
    absl::StatusOr<std::unique_ptr<RdKafka::Conf>> conf =
        kind == 0 ? SubscriptionConsumerConf(settings, "referral-feed-check")
                  : LeanReaderConf(settings);
    if (!conf.ok()) return conf.status();
    std::string error;
    // librdkafka checks some properties against each other only when the client is made.
    std::unique_ptr<RdKafka::KafkaConsumer> consumer(
        RdKafka::KafkaConsumer::create(conf->get(), error));
    if (consumer == nullptr) return absl::InvalidArgumentError(absl::StrCat("kafka: ", error));
    consumer->close();
  }
  return absl::OkStatus();
}

absl::Status RunMailbox(const MailboxSpec& spec, const KafkaSettings& settings,
                        const FeedOptions& options, const FeedLogs& logs, LogWriter& writer,
                        FeedMetrics& metrics, const std::string& instance, uint64_t stream_id,
                        DeliverySink& sink, const std::atomic<bool>& stop) {
  Mailbox mailbox(spec, settings, options, logs, writer, metrics, instance, stream_id, sink);
  return mailbox.Run(stop);
}

}  // namespace referral
