// A blocking call run under a watchdog: the caller waits for it only as long as it chooses, and a
// call still running then is abandoned to its own thread (librdkafka issue 5456: a transactional
// call can ignore its own timeout). An interface so that tests decide, on a fake clock, which
// calls get stuck.
#ifndef REFERRAL_SERVICES_COMMON_OBSERVE_BLOCKING_CALL_H_
#define REFERRAL_SERVICES_COMMON_OBSERVE_BLOCKING_CALL_H_

#include <functional>
#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/common/observe/clock.h"

namespace referral {

class BlockingCallRunner {
 public:
  // Says whether to stop waiting for a call that has run for `waited`.
  using GiveUp = std::function<bool(absl::Duration waited)>;

  virtual ~BlockingCallRunner() = default;

  // Runs `call` and returns its status, or std::nullopt when `give_up` said to stop waiting while
  // it was still running. IMPORTANT: `call` must own everything it uses: an abandoned call
  // outlives this frame, and whatever it holds lives until it returns.
  virtual std::optional<absl::Status> Run(std::function<absl::Status()> call,
                                          const GiveUp& give_up) = 0;
};

// Runs each call on a thread of its own and asks `give_up` every `check_every` of `clock` time.
class ThreadCallRunner final : public BlockingCallRunner {
 public:
  explicit ThreadCallRunner(const Clock& clock,
                            absl::Duration check_every = absl::Milliseconds(100))
      : clock_(clock), check_every_(check_every) {}

  std::optional<absl::Status> Run(std::function<absl::Status()> call,
                                  const GiveUp& give_up) override;

 private:
  const Clock& clock_;
  const absl::Duration check_every_;
};

// How many call threads of every ThreadCallRunner are running, process-wide: at exit, the calls
// abandoned and still stuck.
int CallThreadsRunning();

// Waits up to `limit` for every call thread to end; true when none is left. A process must not
// exit normally while one runs: its static destructors (OpenSSL's among them) would pull state
// from under the call.
bool AwaitCallThreads(absl::Duration limit);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_OBSERVE_BLOCKING_CALL_H_
