// SIGTERM and SIGINT as a flag: what the services and referralctl's long-running commands poll to
// stop cleanly.
#ifndef REFERRAL_SERVICES_COMMON_OBSERVE_STOP_SIGNAL_H_
#define REFERRAL_SERVICES_COMMON_OBSERVE_STOP_SIGNAL_H_

#include <atomic>

namespace referral {

// Installs handlers for SIGTERM and SIGINT (once per process; later calls do nothing more) and
// returns the flag they set.
const std::atomic<bool>& StopOnSignals();

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_OBSERVE_STOP_SIGNAL_H_
