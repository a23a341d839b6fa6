// The last error any of the process's clients met connecting to a dependency (a Kafka broker
// refusing a login or a certificate, a refused connection), for /readyz while a service starts:
// the HTTP port answers before the service has reached its cluster, and says why it has not.
#ifndef REFERRAL_SERVICES_COMMON_OBSERVE_CONNECTION_PROBLEM_H_
#define REFERRAL_SERVICES_COMMON_OBSERVE_CONNECTION_PROBLEM_H_

#include <string>

#include "absl/strings/string_view.h"

namespace referral {

// Remembers `detail` as the last connection error (no secrets: librdkafka's own text). Thread-safe.
void NoteConnectionProblem(absl::string_view detail);

// The last one noted, or empty. Thread-safe.
std::string LastConnectionProblem();

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_OBSERVE_CONNECTION_PROBLEM_H_
