#include "services/common/kafka/kafka_publisher.h"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/core/status_macros.h"
#include "services/common/kafka/kafka_client_conf.h"
#include "services/common/kafka/kafka_log.h"

namespace referral {
namespace {

// What a SendAndWait() record's delivery report means for its caller.
absl::Status DeliveryStatus(RdKafka::ErrorCode code, const std::string& topic) {
  switch (code) {
    case RdKafka::ERR_NO_ERROR:
      return absl::OkStatus();
    case RdKafka::ERR_MSG_SIZE_TOO_LARGE:
    case RdKafka::ERR_RECORD_LIST_TOO_LARGE:
      return absl::InvalidArgumentError(
          absl::StrCat("produce to ", topic, ": ", RdKafka::err2str(code)));
    case RdKafka::ERR__FATAL:
    case RdKafka::ERR__INVALID_ARG:
    case RdKafka::ERR_INVALID_RECORD:
    case RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED:
    case RdKafka::ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RdKafka::ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
      return absl::InternalError(absl::StrCat("produce to ", topic, ": ", RdKafka::err2str(code)));
    default:
      // Timed out in the queue, broker down, not enough replicas, ...: not delivered now.
      return absl::UnavailableError(
          absl::StrCat("produce to ", topic, ": ", RdKafka::err2str(code)));
  }
}

}  // namespace

class KafkaPublisher::Reports final : public RdKafka::DeliveryReportCb {
 public:
  explicit Reports(KafkaPublisher& publisher) : publisher_(publisher) {}
  void dr_cb(RdKafka::Message& message) override {
    if (message.err() == RdKafka::ERR_NO_ERROR) {
      publisher_.delivered_.fetch_add(1);
    } else {
      publisher_.failed_.fetch_add(1);
    }
    if (message.msg_opaque() != nullptr) {
      publisher_.Reported(reinterpret_cast<uintptr_t>(message.msg_opaque()), message.err());
    }
  }

 private:
  KafkaPublisher& publisher_;
};

class KafkaPublisher::Events final : public KafkaEventLogger {};

KafkaPublisher::KafkaPublisher() = default;

KafkaPublisher::~KafkaPublisher() {
  if (producer_) producer_->flush(5000);
  stopping_.store(true);
  if (report_thread_.joinable()) report_thread_.join();
  producer_.reset();  // before the callbacks it calls
}

absl::StatusOr<std::unique_ptr<KafkaPublisher>> KafkaPublisher::Create(
    const std::string& bootstrap) {
  return Create(ToolSettings(bootstrap));
}

absl::StatusOr<std::unique_ptr<KafkaPublisher>> KafkaPublisher::Create(
    const KafkaSettings& settings) {
  std::unique_ptr<KafkaPublisher> publisher(new KafkaPublisher());
  publisher->reports_ = std::make_unique<Reports>(*publisher);
  publisher->events_ = std::make_unique<Events>();
  REFERRAL_ASSIGN_OR_RETURN(std::unique_ptr<RdKafka::Conf> conf, IdempotentProducerConf(settings));
  std::string error;
  if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(publisher->reports_.get()),
                error) != RdKafka::Conf::CONF_OK ||
      conf->set("event_cb", static_cast<RdKafka::EventCb*>(publisher->events_.get()), error) !=
          RdKafka::Conf::CONF_OK) {
    return absl::InternalError(error);
  }
  publisher->producer_.reset(RdKafka::Producer::create(conf.get(), error));
  if (!publisher->producer_) return absl::InvalidArgumentError(absl::StrCat("producer: ", error));
  return publisher;
}

absl::Status KafkaPublisher::Send(const OutRecord& record) {
  RdKafka::Headers* headers = RdKafka::Headers::create();
  for (const Header& header : record.headers) headers->add(header.name, header.value);
  for (;;) {
    const RdKafka::ErrorCode code = producer_->produce(
        record.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
        const_cast<char*>(record.value.data()), record.value.size(), record.key.data(),
        record.key.size(), 0, headers, nullptr);
    if (code == RdKafka::ERR_NO_ERROR) {
      producer_->poll(0);
      return absl::OkStatus();
    }
    if (code == RdKafka::ERR__QUEUE_FULL) {
      producer_->poll(50);
      continue;
    }
    delete headers;
    return absl::InternalError(absl::StrCat("produce to ", record.topic, ": ", RdKafka::err2str(code)));
  }
}

absl::Status KafkaPublisher::Flush(absl::Duration timeout) {
  producer_->flush(static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (const int queued = producer_->outq_len(); queued > 0) {
    return absl::UnavailableError(absl::StrCat(queued, " records still queued after ",
                                               absl::FormatDuration(timeout)));
  }
  if (failed_.load() > 0) {
    return absl::DataLossError(absl::StrCat(failed_.load(), " records were not delivered"));
  }
  return absl::OkStatus();
}

}  // namespace referral

namespace referral {

void KafkaPublisher::StartReportThread() {
  report_thread_ = std::thread([this] {
    while (!stopping_.load()) producer_->poll(100);
  });
}

void KafkaPublisher::Reported(uintptr_t id, int error_code) {
  std::shared_ptr<Waiter> waiter;
  {
    std::lock_guard lock(waiters_mutex_);
    auto it = waiters_.find(id);
    if (it == waiters_.end()) return;  // its caller gave up waiting
    waiter = std::move(it->second);
    waiters_.erase(it);
  }
  std::lock_guard lock(waiter->mutex);
  waiter->done = true;
  waiter->error_code = error_code;
  waiter->reported.notify_all();
}

absl::Status KafkaPublisher::SendAndWait(const OutRecord& record, absl::Duration timeout) {
  std::call_once(report_thread_started_, [this] { StartReportThread(); });
  const absl::Time deadline = absl::Now() + timeout;
  auto waiter = std::make_shared<Waiter>();
  uintptr_t id = 0;
  {
    std::lock_guard lock(waiters_mutex_);
    id = next_waiter_id_++;
    waiters_[id] = waiter;
  }
  auto forget = [this, id] {
    std::lock_guard lock(waiters_mutex_);
    waiters_.erase(id);
  };
  RdKafka::Headers* headers = RdKafka::Headers::create();
  for (const Header& header : record.headers) headers->add(header.name, header.value);
  for (;;) {
    const RdKafka::ErrorCode code = producer_->produce(
        record.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
        const_cast<char*>(record.value.data()), record.value.size(), record.key.data(),
        record.key.size(), 0, headers, reinterpret_cast<void*>(id));
    if (code == RdKafka::ERR_NO_ERROR) break;  // librdkafka owns `headers` now
    if (code == RdKafka::ERR__QUEUE_FULL && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(10));  // the report thread drains the queue
      continue;
    }
    delete headers;
    forget();
    if (code == RdKafka::ERR__QUEUE_FULL) {
      return absl::UnavailableError(absl::StrCat("produce to ", record.topic,
                                                 ": the local queue stayed full for ",
                                                 absl::FormatDuration(timeout)));
    }
    return DeliveryStatus(code, record.topic);
  }
  std::unique_lock lock(waiter->mutex);
  if (!waiter->reported.wait_until(lock, absl::ToChronoTime(deadline),
                                   [&waiter] { return waiter->done; })) {
    lock.unlock();
    forget();
    return absl::UnavailableError(absl::StrCat("produce to ", record.topic,
                                               ": no acknowledgement from the broker within ",
                                               absl::FormatDuration(timeout)));
  }
  return DeliveryStatus(static_cast<RdKafka::ErrorCode>(waiter->error_code), record.topic);
}

absl::Status KafkaPublisher::CheckTopic(const std::string& topic, absl::Duration timeout) {
  std::string error;
  std::unique_ptr<RdKafka::Topic> handle(
      RdKafka::Topic::create(producer_.get(), topic, nullptr, error));
  if (handle == nullptr) return absl::InternalError(absl::StrCat("topic ", topic, ": ", error));
  RdKafka::Metadata* raw = nullptr;
  const RdKafka::ErrorCode code = producer_->metadata(
      /*all_topics=*/false, handle.get(), &raw,
      static_cast<int>(std::max<int64_t>(1, absl::ToInt64Milliseconds(timeout))));
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (code != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("kafka: no metadata for ", topic, ": ", RdKafka::err2str(code)));
  }
  if (metadata->topics()->empty()) {
    return absl::UnavailableError(absl::StrCat("kafka: topic ", topic, " not in the metadata"));
  }
  const RdKafka::TopicMetadata* found = metadata->topics()->front();
  if (found->err() != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("kafka: topic ", topic, ": ", RdKafka::err2str(found->err())));
  }
  if (found->partitions()->empty()) {
    return absl::UnavailableError(absl::StrCat("kafka: topic ", topic, " has no partitions"));
  }
  return absl::OkStatus();
}

}  // namespace referral
