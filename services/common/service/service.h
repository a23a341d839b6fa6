// What the service shell (service_main.h) runs: anything that can start, run until stopped and
// say why it is not ready. KafkaLoopService and GrpcService are the two kinds.
#ifndef REFERRAL_SERVICES_COMMON_SERVICE_SERVICE_H_
#define REFERRAL_SERVICES_COMMON_SERVICE_SERVICE_H_

#include <atomic>
#include <string>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace referral {

// How a service that was told to stop ended.
enum class RunOutcome {
  kDrained,     // finished what it had taken on: exit 0
  kNotDrained,  // left work for its successor (nothing is lost): exit 1
};

class Service {
 public:
  virtual ~Service() = default;

  // Gets ready to run (topics, clients, listeners). An error refuses the start: the shell logs
  // it and exits 2, except kCancelled (told to stop while starting), which exits 0.
  virtual absl::Status Start(const std::atomic<bool>& stop) = 0;

  // Runs until `stop` becomes true. Returns how it ended, or the fatal error that ended it.
  virtual absl::StatusOr<RunOutcome> Run(const std::atomic<bool>& stop) = 0;

  // Empty when ready, else why not. Thread-safe: /readyz calls it.
  virtual std::string NotReadyReason() const = 0;

  // Fields for the "started" log line (no secrets, no personal data).
  virtual nlohmann::json Describe() const { return nlohmann::json::object(); }
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_SERVICE_SERVICE_H_
