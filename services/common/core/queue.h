// The feed's queues: "frontdoor/<GSS code>" (a local authority's front door) and "edt/<edt id>"
// (an emergency duty team), each one routed topic.
#ifndef REFERRAL_SERVICES_COMMON_CORE_QUEUE_H_
#define REFERRAL_SERVICES_COMMON_CORE_QUEUE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "referral/config/v1/config.pb.h"

namespace referral {

struct Queue {
  enum class Kind { kFrontDoor, kEdt };
  Kind kind = Kind::kFrontDoor;
  std::string id;  // the GSS code or the EDT id

  // "frontdoor/E06000023" or "edt/avon".
  std::string Name() const;
  friend bool operator==(const Queue&, const Queue&) = default;
};

// Parses a queue name. Returns kInvalidArgument saying what is wrong with `name`.
absl::StatusOr<Queue> ParseQueue(absl::string_view name);

// Whether `directory` has this queue: an LA with that GSS code, or an LA whose EDT has that id.
bool DirectoryHasQueue(const config::v1::Directory& directory, const Queue& queue);

// Every queue of `directory`: a front door per LA, then an EDT per team, each once.
std::vector<Queue> DirectoryQueues(const config::v1::Directory& directory);

// The queue's routed topic under `topics` (WithDefaults() applied).
std::string QueueTopic(const config::v1::Topics& topics, const Queue& queue);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_CORE_QUEUE_H_
