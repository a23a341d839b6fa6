#include "services/common/kafka/kafka_log.h"

#include "services/common/observe/connection_problem.h"
#include "services/common/observe/log.h"

namespace referral {

void KafkaEventLogger::event_cb(RdKafka::Event& event) {
  switch (event.type()) {
    case RdKafka::Event::EVENT_ERROR:
      log::Warn("kafka_error", {{"error", RdKafka::err2str(event.err())},
                                {"detail", event.str()},
                                {"fatal", event.fatal()}});
      if (event.err() != RdKafka::ERR__ALL_BROKERS_DOWN) NoteConnectionProblem(event.str());
      break;
    case RdKafka::Event::EVENT_LOG:
      if (event.severity() <= RdKafka::Event::EVENT_SEVERITY_WARNING) {
        log::Warn("kafka_log", {{"facility", event.fac()}, {"detail", event.str()}});
      }
      break;
    default:
      break;
  }
}

}  // namespace referral
