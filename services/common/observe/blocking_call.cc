#include "services/common/observe/blocking_call.h"

#include <future>
#include <memory>
#include <thread>
#include <utility>

#include "absl/synchronization/mutex.h"

namespace referral {
namespace {

// Leaked on purpose: used by threads that may outlive static destruction.
struct CallThreads {
  absl::Mutex mutex;
  int running ABSL_GUARDED_BY(mutex) = 0;
};

CallThreads& Threads() {
  static CallThreads* const threads = new CallThreads();
  return *threads;
}

}  // namespace

int CallThreadsRunning() {
  CallThreads& threads = Threads();
  absl::MutexLock lock(&threads.mutex);
  return threads.running;
}

bool AwaitCallThreads(absl::Duration limit) {
  CallThreads& threads = Threads();
  absl::MutexLock lock(&threads.mutex);
  return threads.mutex.AwaitWithTimeout(
      absl::Condition(+[](int* running) { return *running == 0; }, &threads.running), limit);
}

std::optional<absl::Status> ThreadCallRunner::Run(std::function<absl::Status()> call,
                                                  const GiveUp& give_up) {
  auto result = std::make_shared<std::promise<absl::Status>>();
  std::future<absl::Status> done = result->get_future();
  {
    CallThreads& threads = Threads();
    absl::MutexLock lock(&threads.mutex);
    ++threads.running;
  }
  std::thread([result, call = std::move(call)]() mutable {
    absl::Status status = call();
    call = nullptr;  // what the call owns (an abandoned Kafka client) goes before it is counted out
    result->set_value(std::move(status));
    CallThreads& threads = Threads();
    absl::MutexLock lock(&threads.mutex);
    --threads.running;
  }).detach();
  const absl::Time started = clock_.Now();
  for (;;) {
    if (done.wait_for(absl::ToChronoMilliseconds(check_every_)) == std::future_status::ready) {
      return done.get();
    }
    if (give_up(clock_.Now() - started)) return std::nullopt;
  }
}

}  // namespace referral
