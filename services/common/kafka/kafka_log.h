// librdkafka's own logs and errors as our JSON log lines (severity warning and worse), so that
// nothing a service prints is in another format. Used by every librdkafka handle we create.
#ifndef REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_LOG_H_
#define REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_LOG_H_

#include <librdkafka/rdkafkacpp.h>

namespace referral {

class KafkaEventLogger : public RdKafka::EventCb {
 public:
  // Logs EVENT_ERROR as "kafka_error" and EVENT_LOG (warning or worse) as "kafka_log". An error
  // other than "all brokers down" (a refused login, a TLS handshake either side refused, a
  // refused connection) is also noted as the process's last connection problem
  // (observe/connection_problem.h): why a cluster "does not answer".
  void event_cb(RdKafka::Event& event) override;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_KAFKA_KAFKA_LOG_H_
