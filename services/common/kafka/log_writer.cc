#include "services/common/kafka/log_writer.h"

#include <algorithm>

#include <librdkafka/rdkafkacpp.h>

#include <condition_variable>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/kafka/kafka_client_conf.h"

namespace referral {
namespace {

// One Write() call's records: the delivery reports fill it in.
struct Batch {
  std::mutex mutex;
  std::condition_variable done;
  size_t remaining = 0;
  std::vector<int64_t> offsets;
  std::string error;
};

// A record's reference to its batch: the batch lives until the last report ran, even when Write()
// gave up waiting first.
struct Slot {
  std::shared_ptr<Batch> batch;
  size_t index;
};

}  // namespace

class LogWriter::Reports final : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    auto* slot = static_cast<Slot*>(message.msg_opaque());
    if (slot == nullptr) return;
    Batch& batch = *slot->batch;
    {
      std::lock_guard lock(batch.mutex);
      if (message.err() == RdKafka::ERR_NO_ERROR) {
        batch.offsets[slot->index] = message.offset();
      } else if (batch.error.empty()) {
        batch.error = message.errstr();
      }
      --batch.remaining;
    }
    batch.done.notify_all();
    delete slot;
  }
};

LogWriter::LogWriter() = default;
LogWriter::~LogWriter() {
  if (producer_ != nullptr) producer_->flush(5000);
}

absl::StatusOr<std::unique_ptr<LogWriter>> LogWriter::Create(const KafkaSettings& settings) {
  absl::StatusOr<std::unique_ptr<RdKafka::Conf>> conf = IdempotentProducerConf(settings);
  if (!conf.ok()) return conf.status();
  std::unique_ptr<LogWriter> writer(new LogWriter());
  writer->reports_ = std::make_unique<Reports>();
  std::string error;
  if ((*conf)->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(writer->reports_.get()),
                   error) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError(error);
  }
  writer->producer_.reset(RdKafka::Producer::create(conf->get(), error));
  if (writer->producer_ == nullptr) return absl::InvalidArgumentError(error);
  return writer;
}

std::string LogWriter::FatalError() {
  std::string reason;
  return producer_->fatal_error(reason) == RdKafka::ERR_NO_ERROR ? "" : reason;
}

absl::StatusOr<std::vector<int64_t>> LogWriter::Write(
    const std::vector<PartitionedRecord>& records, absl::Duration timeout) {
  if (std::string fatal = FatalError(); !fatal.empty()) {
    return absl::InternalError(absl::StrCat("the producer failed for good: ", fatal));
  }
  auto batch = std::make_shared<Batch>();
  batch->offsets.assign(records.size(), -1);
  const absl::Time deadline = absl::Now() + timeout;
  for (size_t i = 0; i < records.size(); ++i) {
    const OutRecord& out = records[i].record;
    RdKafka::Headers* headers = RdKafka::Headers::create();
    for (const Header& h : out.headers) headers->add(h.name, h.value.data(), h.value.size());
    auto* slot = new Slot{batch, i};
    {
      std::lock_guard lock(batch->mutex);
      ++batch->remaining;
    }
    RdKafka::ErrorCode err;
    while (true) {
      err = producer_->produce(
          out.topic, records[i].partition < 0 ? RdKafka::Topic::PARTITION_UA : records[i].partition,
          RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(out.value.data()), out.value.size(),
          out.key.data(), out.key.size(), 0, headers, slot);
      if (err != RdKafka::ERR__QUEUE_FULL || absl::Now() > deadline) break;
      producer_->poll(10);
    }
    if (err != RdKafka::ERR_NO_ERROR) {
      delete headers;
      delete slot;
      std::lock_guard lock(batch->mutex);
      --batch->remaining;
      return absl::UnavailableError(absl::StrCat("cannot produce to ", out.topic, ": ",
                                                 RdKafka::err2str(err)));
    }
  }
  while (true) {
    {
      std::unique_lock lock(batch->mutex);
      if (batch->remaining == 0) break;
    }
    if (absl::Now() > deadline) {
      std::lock_guard lock(batch->mutex);
      return absl::UnavailableError(absl::StrCat("the broker did not acknowledge ",
                                                 batch->remaining, " of ", records.size(),
                                                 " records within ", absl::FormatDuration(timeout)));
    }
    producer_->poll(5);
  }
  if (!batch->error.empty()) {
    return absl::DataLossError(absl::StrCat("the broker refused a record: ", batch->error));
  }
  return batch->offsets;
}

absl::StatusOr<int32_t> LogWriter::Partitions(const std::string& topic, absl::Duration timeout) {
  std::string error;
  std::unique_ptr<RdKafka::Topic> handle(
      RdKafka::Topic::create(producer_.get(), topic, nullptr, error));
  if (handle == nullptr) return absl::InternalError(error);
  // A topic created a moment ago may not be in the broker's metadata yet: unknown until then.
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    const int64_t left = std::max<int64_t>(1, absl::ToInt64Milliseconds(deadline - absl::Now()));
    RdKafka::Metadata* raw = nullptr;
    const RdKafka::ErrorCode err =
        producer_->metadata(false, handle.get(), &raw, static_cast<int>(left));
    std::unique_ptr<RdKafka::Metadata> metadata(raw);
    if (err != RdKafka::ERR_NO_ERROR) {
      return absl::UnavailableError(
          absl::StrCat("metadata of ", topic, ": ", RdKafka::err2str(err)));
    }
    absl::Status missing = absl::NotFoundError(absl::StrCat("no topic ", topic));
    for (const RdKafka::TopicMetadata* t : *metadata->topics()) {
      if (t->topic() != topic) continue;
      if (t->err() == RdKafka::ERR_NO_ERROR && !t->partitions()->empty()) {
        return static_cast<int32_t>(t->partitions()->size());
      }
      missing = absl::NotFoundError(absl::StrCat("topic ", topic, ": ", RdKafka::err2str(t->err())));
    }
    if (absl::Now() + absl::Milliseconds(200) >= deadline) return missing;
    absl::SleepFor(absl::Milliseconds(200));
  }
}

}  // namespace referral
