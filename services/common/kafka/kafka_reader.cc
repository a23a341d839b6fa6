#include "services/common/kafka/kafka_reader.h"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>

#include "absl/container/flat_hash_map.h"
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

namespace {

StoredRecord ToStored(const RdKafka::Message& message) {
  StoredRecord record;
  record.topic = message.topic_name();
  record.partition = message.partition();
  record.offset = message.offset();
  if (message.key_pointer() != nullptr) {
    record.key.assign(static_cast<const char*>(message.key_pointer()), message.key_len());
  }
  if (message.payload() != nullptr) {
    record.value.assign(static_cast<const char*>(message.payload()), message.len());
  }
  if (RdKafka::Headers* headers = const_cast<RdKafka::Message&>(message).headers();
      headers != nullptr) {
    for (const RdKafka::Headers::Header& h : headers->get_all()) {
      record.headers.push_back(
          {h.key(), h.value() == nullptr ? "" : std::string(h.value_string(), h.value_size())});
    }
  }
  record.timestamp_ms = message.timestamp().timestamp;
  return record;
}

}  // namespace

absl::StatusOr<std::vector<PartitionId>> TopicPartitions(const KafkaSettings& settings,
                                                         const std::string& topic,
                                                         absl::Duration timeout) {
  REFERRAL_ASSIGN_OR_RETURN(std::unique_ptr<RdKafka::Conf> conf, ReaderConf(settings));
  std::string error;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!consumer) return absl::InvalidArgumentError(absl::StrCat("consumer: ", error));
  const absl::Time deadline = absl::Now() + timeout;
  absl::Status status;
  std::vector<PartitionId> partitions;
  for (;;) {
    std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(consumer.get(), topic, nullptr, error));
    RdKafka::Metadata* raw = nullptr;
    const RdKafka::ErrorCode code = consumer->metadata(false, handle.get(), &raw, 5000);
    std::unique_ptr<RdKafka::Metadata> metadata(raw);
    if (code == RdKafka::ERR_NO_ERROR && !metadata->topics()->empty()) {
      const RdKafka::TopicMetadata* found = metadata->topics()->front();
      if (found->err() == RdKafka::ERR_NO_ERROR && !found->partitions()->empty()) {
        for (const RdKafka::PartitionMetadata* p : *found->partitions()) {
          partitions.push_back(PartitionId{topic, p->id()});
        }
        break;
      }
      if (found->err() == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART) {
        status = absl::NotFoundError(absl::StrCat("topic ", topic, ": does not exist"));
        break;
      }
    }
    if (absl::Now() >= deadline) {
      status = absl::UnavailableError(
          absl::StrCat("topic ", topic, ": no metadata: ", RdKafka::err2str(code)));
      break;
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
  consumer->close();
  if (!status.ok()) return status;
  std::sort(partitions.begin(), partitions.end(),
            [](const PartitionId& a, const PartitionId& b) { return a.partition < b.partition; });
  return partitions;
}

absl::Status ReadRanges(const KafkaSettings& settings, const std::vector<ReadRange>& ranges,
                        absl::Time since, const std::function<void(const StoredRecord&)>& each,
                        absl::Duration timeout) {
  if (ranges.empty()) return absl::OkStatus();
  REFERRAL_ASSIGN_OR_RETURN(std::unique_ptr<RdKafka::Conf> conf, ReaderConf(settings));
  std::string error;
  // Partition EOF events tell where what is committed ends.
  if (conf->set("enable.partition.eof", "true", error) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError(error);
  }
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!consumer) return absl::InvalidArgumentError(absl::StrCat("consumer: ", error));
  const int timeout_ms = static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(timeout), 600000));

  std::vector<RdKafka::TopicPartition*> starts;
  for (const ReadRange& range : ranges) {
    starts.push_back(RdKafka::TopicPartition::create(
        range.partition.topic, range.partition.partition,
        since == absl::InfinitePast() ? 0 : absl::ToUnixMillis(since)));
  }
  absl::Status status;
  if (since != absl::InfinitePast()) {
    const RdKafka::ErrorCode code = consumer->offsetsForTimes(starts, timeout_ms);
    if (code != RdKafka::ERR_NO_ERROR) {
      status = code == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART
                   ? absl::NotFoundError(absl::StrCat("offsets for times: ", RdKafka::err2str(code)))
                   : absl::UnavailableError(absl::StrCat("offsets for times: ", RdKafka::err2str(code)));
    }
  } else {
    for (RdKafka::TopicPartition* start : starts) start->set_offset(RdKafka::Topic::OFFSET_BEGINNING);
  }
  // What is left to read: a partition with no record since `since` (offset -1, the end) or whose
  // start is at or past its end has nothing.
  absl::flat_hash_map<PartitionId, int64_t> open;
  std::vector<RdKafka::TopicPartition*> assign;
  for (size_t i = 0; status.ok() && i < starts.size(); ++i) {
    RdKafka::TopicPartition* start = starts[i];
    if (start->err() != RdKafka::ERR_NO_ERROR) {
      status = absl::UnavailableError(absl::StrCat(start->topic(), "[", start->partition(),
                                                   "]: ", RdKafka::err2str(start->err())));
      break;
    }
    const int64_t begin = start->offset();
    if (begin == RdKafka::Topic::OFFSET_END || (begin >= 0 && begin >= ranges[i].end)) continue;
    open[ranges[i].partition] = ranges[i].end;
    assign.push_back(start);
  }
  if (status.ok() && !assign.empty()) {
    const RdKafka::ErrorCode code = consumer->assign(assign);
    if (code != RdKafka::ERR_NO_ERROR) {
      status = absl::InternalError(absl::StrCat("assign: ", RdKafka::err2str(code)));
    }
  }
  RdKafka::TopicPartition::destroy(starts);
  const absl::Time deadline = absl::Now() + timeout;
  while (status.ok() && !open.empty()) {
    if (absl::Now() >= deadline) {
      status = absl::UnavailableError(
          absl::StrCat("reading ", open.size(), " partitions did not finish within ",
                       absl::FormatDuration(timeout)));
      break;
    }
    std::unique_ptr<RdKafka::Message> message(consumer->consume(500));
    const auto it = open.find(PartitionId{message->topic_name(), message->partition()});
    switch (message->err()) {
      case RdKafka::ERR_NO_ERROR:
        if (it == open.end()) break;
        if (message->offset() < it->second) each(ToStored(*message));
        if (message->offset() + 1 >= it->second) open.erase(it);
        break;
      case RdKafka::ERR__PARTITION_EOF:
        if (it != open.end()) open.erase(it);
        break;
      case RdKafka::ERR__FATAL:
      case RdKafka::ERR_UNKNOWN_TOPIC_OR_PART:
      case RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED:
        status = absl::UnavailableError(absl::StrCat("consumer: ", message->errstr()));
        break;
      default:
        break;  // timed out, transient transport errors
    }
  }
  consumer->close();
  return status;
}

absl::StatusOr<std::optional<StoredRecord>> KafkaReader::Next(absl::Duration wait) {
  const absl::Time deadline = absl::Now() + wait;
  for (;;) {
    const int64_t left = std::max<int64_t>(0, absl::ToInt64Milliseconds(deadline - absl::Now()));
    std::unique_ptr<RdKafka::Message> message(consumer_->consume(static_cast<int>(std::min<int64_t>(left, 1000))));
    switch (message->err()) {
      case RdKafka::ERR_NO_ERROR:
        return std::optional<StoredRecord>(ToStored(*message));
      case RdKafka::ERR__FATAL:
        return absl::UnavailableError(absl::StrCat("consumer: ", message->errstr()));
      default:
        break;  // timed out, partition EOF, transient transport errors
    }
    if (absl::Now() >= deadline) return std::optional<StoredRecord>();
  }
}

}  // namespace referral
