#include "services/common/kafka/rdkafka_clients.h"

#include <librdkafka/rdkafkacpp.h>

#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/core/status_macros.h"
#include "services/common/kafka/kafka_client_conf.h"
#include "services/common/kafka/kafka_log.h"
#include "services/common/observe/log.h"

namespace referral {
namespace {

int Ms(absl::Duration d) { return static_cast<int>(absl::ToInt64Milliseconds(d)); }

void ForwardEvent(RdKafka::Event& event, ConsumerListener* listener, KafkaEventLogger& logger) {
  if (listener != nullptr && event.type() == RdKafka::Event::EVENT_ERROR && event.fatal()) {
    listener->OnFailure(absl::InternalError(
        absl::StrCat("fatal: ", RdKafka::err2str(event.err()), ": ", event.str())));
  }
  logger.event_cb(event);
}

std::vector<PartitionId> Ids(const std::vector<RdKafka::TopicPartition*>& partitions) {
  std::vector<PartitionId> ids;
  ids.reserve(partitions.size());
  for (const RdKafka::TopicPartition* p : partitions) ids.push_back({p->topic(), p->partition()});
  return ids;
}

class RdKafkaTransactionalClient final : public TransactionalClient, public RdKafka::EventCb {
 public:
  explicit RdKafkaTransactionalClient(ConsumerListener* events) : events_(events) {}
  ~RdKafkaTransactionalClient() override { client_.reset(); }  // before the callback's members

  absl::Status Create(const KafkaSettings& settings) {
    REFERRAL_ASSIGN_OR_RETURN(std::unique_ptr<RdKafka::Conf> conf,
                              TransactionalProducerConf(settings));
    std::string error;
    if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(this), error) !=
        RdKafka::Conf::CONF_OK) {
      return absl::InternalError(absl::StrCat("kafka producer callbacks: ", error));
    }
    client_.reset(RdKafka::Producer::create(conf.get(), error));
    if (!client_) return absl::InvalidArgumentError(absl::StrCat("kafka producer: ", error));
    return absl::OkStatus();
  }

  void event_cb(RdKafka::Event& event) override {
    std::lock_guard<std::mutex> lock(mu_);
    // Why the open transaction failed, in librdkafka's words ("Current transaction failed in
    // state InTransaction: Failed to add partition(s) to transaction ...: Topic authorization
    // failed"): a produce refused after it says no more than "Erroneous state".
    if (event.type() == RdKafka::Event::EVENT_LOG && event.fac() == "TXNERR") {
      transaction_error_ = event.str();
    }
    ForwardEvent(event, events_, logger_);
  }

  absl::Status InitTransactions(absl::Duration timeout) override {
    return FromError(client_->init_transactions(Ms(timeout)), "init_transactions");
  }
  absl::Status BeginTransaction() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      transaction_error_.clear();
    }
    return FromError(client_->begin_transaction(), "begin_transaction");
  }

  ProduceResult Produce(const OutRecord& out) override {
    RdKafka::Headers* headers = RdKafka::Headers::create();
    for (const Header& header : out.headers) headers->add(header.name, header.value);
    for (;;) {
      const RdKafka::ErrorCode code = client_->produce(
          out.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
          const_cast<char*>(out.value.data()), out.value.size(), out.key.data(), out.key.size(),
          /*timestamp=*/0, headers, /*msg_opaque=*/nullptr);
      if (code == RdKafka::ERR_NO_ERROR) return {};  // librdkafka owns the headers now
      if (code == RdKafka::ERR__QUEUE_FULL) {
        client_->poll(50);  // back-pressure: wait for deliveries, bounded memory
        continue;
      }
      delete headers;
      std::string error = absl::StrCat("produce to ", out.topic, ": ", RdKafka::err2str(code));
      if (code == RdKafka::ERR__STATE) {
        std::lock_guard<std::mutex> lock(mu_);
        if (!transaction_error_.empty()) absl::StrAppend(&error, " (", transaction_error_, ")");
      }
      return {.queued = false, .refusal = ClassifyProduceError(code), .error = std::move(error)};
    }
  }

  absl::Status SendOffsets(const Offsets& offsets, const GroupMetadata& group,
                           absl::Duration timeout) override {
    std::vector<RdKafka::TopicPartition*> list;
    for (const auto& [partition, next] : offsets) {
      list.push_back(RdKafka::TopicPartition::create(partition.topic, partition.partition, next));
    }
    absl::Status sent = FromError(
        client_->send_offsets_to_transaction(list, group.get(), Ms(timeout)),
        "send_offsets_to_transaction");
    RdKafka::TopicPartition::destroy(list);
    return sent;
  }
  absl::Status CommitTransaction(absl::Duration timeout) override {
    return FromError(client_->commit_transaction(Ms(timeout)), "commit_transaction");
  }
  absl::Status AbortTransaction(absl::Duration timeout) override {
    return FromError(client_->abort_transaction(Ms(timeout)), "abort_transaction");
  }
  void Poll() override { client_->poll(0); }
  void Detach() override {
    std::lock_guard<std::mutex> lock(mu_);
    events_ = nullptr;
  }

 private:
  std::mutex mu_;
  ConsumerListener* events_;     // guarded by mu_; null once detached
  std::string transaction_error_;  // guarded by mu_; librdkafka's TXNERR since the last begin
  KafkaEventLogger logger_;
  std::unique_ptr<RdKafka::Producer> client_;
};

class RdKafkaInputConsumer final : public InputConsumer,
                                   public RdKafka::RebalanceCb,
                                   public RdKafka::EventCb {
 public:
  explicit RdKafkaInputConsumer(ConsumerListener& listener) : listener_(listener) {}
  ~RdKafkaInputConsumer() override { client_.reset(); }

  absl::Status Create(const KafkaSettings& settings) {
    group_id_ = settings.group_id;
    REFERRAL_ASSIGN_OR_RETURN(std::unique_ptr<RdKafka::Conf> conf, LoopConsumerConf(settings));
    std::string error;
    if (conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(this), error) !=
            RdKafka::Conf::CONF_OK ||
        conf->set("event_cb", static_cast<RdKafka::EventCb*>(this), error) !=
            RdKafka::Conf::CONF_OK) {
      return absl::InternalError(absl::StrCat("kafka consumer callbacks: ", error));
    }
    client_.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
    if (!client_) return absl::InvalidArgumentError(absl::StrCat("kafka consumer: ", error));
    return absl::OkStatus();
  }

  absl::Status Subscribe(const std::vector<std::string>& topics) override {
    const RdKafka::ErrorCode code = client_->subscribe(topics);
    if (code != RdKafka::ERR_NO_ERROR) {
      return absl::InternalError(absl::StrCat("subscribe: ", RdKafka::err2str(code)));
    }
    return absl::OkStatus();
  }

  Polled Poll(absl::Duration timeout) override {
    std::unique_ptr<RdKafka::Message> message(client_->consume(Ms(timeout)));
    Polled polled;
    switch (message->err()) {
      case RdKafka::ERR_NO_ERROR:
        break;
      case RdKafka::ERR__TIMED_OUT:
      case RdKafka::ERR__PARTITION_EOF:
        return polled;
      case RdKafka::ERR__FATAL:
        polled.kind = Polled::Kind::kFatal;
        polled.error = absl::StrCat("consumer: ", message->errstr());
        return polled;
      case RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED:
      case RdKafka::ERR_GROUP_AUTHORIZATION_FAILED:
        polled.kind = Polled::Kind::kTransient;
        polled.refused = true;
        if (message->err() == RdKafka::ERR_GROUP_AUTHORIZATION_FAILED) {
          polled.error = absl::StrCat(RdKafka::err2str(message->err()), " (group ", group_id_, ")");
        } else {
          polled.refused_topic = message->topic_name();
          polled.error = absl::StrCat(RdKafka::err2str(message->err()), " (topic ",
                                      polled.refused_topic, ")");
        }
        return polled;
      default:
        polled.kind = Polled::Kind::kTransient;
        polled.error = RdKafka::err2str(message->err());
        return polled;
    }
    polled.kind = Polled::Kind::kRecord;
    // IMPORTANT: the record views the message's bytes and, since topic_name() returns a
    // temporary, a copy of the topic: both live in `storage`.
    struct Held {
      std::unique_ptr<RdKafka::Message> message;
      std::string topic;
    };
    auto held = std::make_shared<Held>(Held{std::move(message), {}});
    held->topic = held->message->topic_name();
    RdKafka::Message& m = *held->message;
    InRecord& in = polled.record;
    in.topic = held->topic;
    in.partition = m.partition();
    in.offset = m.offset();
    in.timestamp_ms = m.timestamp().timestamp;
    if (m.key_pointer() != nullptr) {
      in.key = absl::string_view(static_cast<const char*>(m.key_pointer()), m.key_len());
    }
    if (m.payload() != nullptr) {
      in.value = absl::string_view(static_cast<const char*>(m.payload()), m.len());
    }
    if (RdKafka::Headers* headers = m.headers(); headers != nullptr) {
      for (const RdKafka::Headers::Header& header : headers->get_all()) {
        in.headers.push_back({header.key(), header.value() == nullptr
                                                ? std::string()
                                                : std::string(header.value_string(),
                                                              header.value_size())});
      }
    }
    polled.storage = std::move(held);
    return polled;
  }

  absl::Status RewindToCommitted() override {
    std::vector<RdKafka::TopicPartition*> partitions;
    RdKafka::ErrorCode code = client_->assignment(partitions);
    if (code != RdKafka::ERR_NO_ERROR) {
      return absl::InternalError(absl::StrCat("assignment: ", RdKafka::err2str(code)));
    }
    // The committed offsets, every partition's without error: an errored entry's offset is not
    // "nothing committed", and reading from the beginning would duplicate committed output.
    code = client_->committed(partitions, kCommittedTimeoutMs);
    if (code == RdKafka::ERR_NO_ERROR) {
      for (const RdKafka::TopicPartition* partition : partitions) {
        if (partition->err() != RdKafka::ERR_NO_ERROR) code = partition->err();
      }
    }
    absl::Status status = absl::OkStatus();
    if (code != RdKafka::ERR_NO_ERROR) {
      status = absl::UnavailableError(absl::StrCat("committed: ", RdKafka::err2str(code)));
    }
    for (size_t i = 0; status.ok() && i < partitions.size(); ++i) {
      if (partitions[i]->offset() < 0) partitions[i]->set_offset(RdKafka::Topic::OFFSET_BEGINNING);
      code = client_->seek(*partitions[i], kCommittedTimeoutMs);
      if (code != RdKafka::ERR_NO_ERROR) {
        status = absl::InternalError(absl::StrCat("seek: ", RdKafka::err2str(code)));
      }
    }
    if (status.ok()) log::Info("rewound", {{"partitions", static_cast<int>(partitions.size())}});
    RdKafka::TopicPartition::destroy(partitions);
    return status;
  }

  GroupMetadata Group() override { return GroupMetadata(client_->groupMetadata()); }

  void Close() override { client_->close(); }

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode code,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    const std::vector<PartitionId> ids = Ids(partitions);
    if (code == RdKafka::ERR__ASSIGN_PARTITIONS) {
      absl::Status assigned =
          FromError(consumer->incremental_assign(partitions), "incremental_assign");
      if (assigned.ok()) {
        listener_.OnAssigned(ids);
      } else {
        listener_.OnFailure(std::move(assigned));
      }
      return;
    }
    if (code == RdKafka::ERR__REVOKE_PARTITIONS) {
      listener_.OnRevoked(ids, consumer->assignment_lost());
    } else {
      log::Error("rebalance_failed", {{"error", RdKafka::err2str(code)}});
      listener_.OnRevoked(ids, /*lost=*/true);
    }
    absl::Status unassigned =
        FromError(consumer->incremental_unassign(partitions), "incremental_unassign");
    if (!unassigned.ok()) listener_.OnFailure(std::move(unassigned));
  }

  void event_cb(RdKafka::Event& event) override {
    if (event.type() == RdKafka::Event::EVENT_STATS) {
      listener_.OnStatistics(event.str());
      return;
    }
    ForwardEvent(event, &listener_, logger_);
  }

 private:
  static constexpr int kCommittedTimeoutMs = 10000;
  ConsumerListener& listener_;
  KafkaEventLogger logger_;
  std::string group_id_;
  std::unique_ptr<RdKafka::KafkaConsumer> client_;
};

}  // namespace

absl::StatusOr<std::shared_ptr<TransactionalClient>> NewRdKafkaTransactionalClient(
    const KafkaSettings& settings, ConsumerListener* events) {
  auto client = std::make_shared<RdKafkaTransactionalClient>(events);
  REFERRAL_RETURN_IF_ERROR(client->Create(settings));
  return client;
}

absl::StatusOr<std::unique_ptr<InputConsumer>> NewRdKafkaInputConsumer(
    const KafkaSettings& settings, ConsumerListener& listener) {
  auto consumer = std::make_unique<RdKafkaInputConsumer>(listener);
  REFERRAL_RETURN_IF_ERROR(consumer->Create(settings));
  return consumer;
}

}  // namespace referral
