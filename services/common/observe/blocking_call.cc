#include "services/common/observe/blocking_call.h"

#include <future>
#include <memory>
#include <thread>
#include <utility>

namespace referral {

std::optional<absl::Status> ThreadCallRunner::Run(std::function<absl::Status()> call,
                                                  const GiveUp& give_up) {
  auto result = std::make_shared<std::promise<absl::Status>>();
  std::future<absl::Status> done = result->get_future();
  std::thread([result, call = std::move(call)]() mutable { result->set_value(call()); }).detach();
  const absl::Time started = clock_.Now();
  for (;;) {
    if (done.wait_for(absl::ToChronoMilliseconds(check_every_)) == std::future_status::ready) {
      return done.get();
    }
    if (give_up(clock_.Now() - started)) return std::nullopt;
  }
}

}  // namespace referral
