#include "services/common/kafka/kafka_publisher.h"

#include <librdkafka/rdkafkacpp.h>

#include "absl/strings/str_cat.h"
#include "services/common/core/status_macros.h"
#include "services/common/kafka/kafka_client_conf.h"
#include "services/common/kafka/kafka_log.h"

namespace referral {

class KafkaPublisher::Reports final : public RdKafka::DeliveryReportCb {
 public:
  explicit Reports(KafkaPublisher& publisher) : publisher_(publisher) {}
  void dr_cb(RdKafka::Message& message) override {
    if (message.err() == RdKafka::ERR_NO_ERROR) {
      publisher_.delivered_.fetch_add(1);
    } else {
      publisher_.failed_.fetch_add(1);
    }
  }

 private:
  KafkaPublisher& publisher_;
};

class KafkaPublisher::Events final : public KafkaEventLogger {};

KafkaPublisher::KafkaPublisher() = default;

KafkaPublisher::~KafkaPublisher() {
  if (producer_) producer_->flush(5000);
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
