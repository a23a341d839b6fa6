// librdkafka's own logs and errors as our JSON log lines (severity warning and worse), so that
// nothing a service prints is in another format. Used by every librdkafka handle we create.
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_LOG_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_LOG_H_

#include <librdkafka/rdkafkacpp.h>

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace referral {

class KafkaEventLogger : public RdKafka::EventCb {
 public:
  // Logs EVENT_ERROR as "kafka_error" and EVENT_LOG (warning or worse) as "kafka_log".
  void event_cb(RdKafka::Event& event) override;

  // The detail of the last error the client met other than "all brokers down" (a refused login,
  // a TLS handshake either side refused, a refused connection), or empty: why a cluster "does not
  // answer".
  std::string LastConnectionError() const;

 private:
  mutable absl::Mutex mutex_;
  std::string last_connection_error_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_LOG_H_
