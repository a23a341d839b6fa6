#include "services/common/kafka/kafka_reader.h"

#include <librdkafka/rdkafkacpp.h>

#include "absl/strings/str_cat.h"
#include "services/common/core/status_macros.h"
#include "services/common/kafka/kafka_client_conf.h"
#include "absl/time/clock.h"

namespace referral {

KafkaReader::~KafkaReader() {
  if (consumer_) consumer_->close();
}

absl::StatusOr<std::unique_ptr<KafkaReader>> KafkaReader::Open(
    const std::string& bootstrap, const std::vector<std::string>& topics, absl::Duration timeout) {
  return Open(ToolSettings(bootstrap), topics, timeout);
}

absl::StatusOr<std::unique_ptr<KafkaReader>> KafkaReader::Open(
    const KafkaSettings& settings, const std::vector<std::string>& topics, absl::Duration timeout) {
  REFERRAL_ASSIGN_OR_RETURN(std::unique_ptr<RdKafka::Conf> conf, ReaderConf(settings));
  std::string error;
  std::unique_ptr<KafkaReader> reader(new KafkaReader());
  reader->consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!reader->consumer_) return absl::InvalidArgumentError(absl::StrCat("consumer: ", error));

  std::vector<RdKafka::TopicPartition*> partitions;
  const absl::Time deadline = absl::Now() + timeout;
  for (const std::string& topic : topics) {
    for (;;) {
      std::unique_ptr<RdKafka::Topic> handle(
          RdKafka::Topic::create(reader->consumer_.get(), topic, nullptr, error));
      RdKafka::Metadata* raw = nullptr;
      const RdKafka::ErrorCode code = reader->consumer_->metadata(false, handle.get(), &raw, 5000);
      std::unique_ptr<RdKafka::Metadata> metadata(raw);
      if (code == RdKafka::ERR_NO_ERROR && !metadata->topics()->empty()) {
        const RdKafka::TopicMetadata* found = metadata->topics()->front();
        if (found->err() == RdKafka::ERR_NO_ERROR && !found->partitions()->empty()) {
          for (const RdKafka::PartitionMetadata* p : *found->partitions()) {
            partitions.push_back(
                RdKafka::TopicPartition::create(topic, p->id(), RdKafka::Topic::OFFSET_BEGINNING));
          }
          break;
        }
        if (found->err() == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART && absl::Now() >= deadline) {
          RdKafka::TopicPartition::destroy(partitions);
          return absl::NotFoundError(absl::StrCat("topic ", topic, ": does not exist"));
        }
      }
      if (absl::Now() >= deadline) {
        RdKafka::TopicPartition::destroy(partitions);
        return absl::UnavailableError(absl::StrCat("topic ", topic, ": no metadata: ",
                                                   RdKafka::err2str(code)));
      }
      absl::SleepFor(absl::Milliseconds(200));
    }
  }
  const RdKafka::ErrorCode code = reader->consumer_->assign(partitions);
  RdKafka::TopicPartition::destroy(partitions);
  if (code != RdKafka::ERR_NO_ERROR) {
    return absl::InternalError(absl::StrCat("assign: ", RdKafka::err2str(code)));
  }
  return reader;
}

absl::StatusOr<std::optional<StoredRecord>> KafkaReader::Next(absl::Duration wait) {
  const absl::Time deadline = absl::Now() + wait;
  for (;;) {
    const int64_t left = std::max<int64_t>(0, absl::ToInt64Milliseconds(deadline - absl::Now()));
    std::unique_ptr<RdKafka::Message> message(consumer_->consume(static_cast<int>(std::min<int64_t>(left, 1000))));
    switch (message->err()) {
      case RdKafka::ERR_NO_ERROR: {
        StoredRecord record;
        record.topic = message->topic_name();
        record.partition = message->partition();
        record.offset = message->offset();
        if (message->key_pointer() != nullptr) {
          record.key.assign(static_cast<const char*>(message->key_pointer()), message->key_len());
        }
        if (message->payload() != nullptr) {
          record.value.assign(static_cast<const char*>(message->payload()), message->len());
        }
        if (const RdKafka::Headers* headers = message->headers(); headers != nullptr) {
          for (const RdKafka::Headers::Header& h : headers->get_all()) {
            record.headers.push_back(
                {h.key(), h.value() == nullptr ? "" : std::string(h.value_string(), h.value_size())});
          }
        }
        record.timestamp_ms = message->timestamp().timestamp;
        return std::optional<StoredRecord>(std::move(record));
      }
      case RdKafka::ERR__FATAL:
        return absl::UnavailableError(absl::StrCat("consumer: ", message->errstr()));
      default:
        break;  // timed out, partition EOF, transient transport errors
    }
    if (absl::Now() >= deadline) return std::optional<StoredRecord>();
  }
}

}  // namespace referral
