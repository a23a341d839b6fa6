#include "services/common/core/queue.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/core/topics.h"

namespace referral {
namespace {

constexpr absl::string_view kFrontDoorPrefix = "frontdoor/";
constexpr absl::string_view kEdtPrefix = "edt/";

// Queue ids become part of topic and consumer-group names: letters, digits, '-' and '_' only.
bool ValidId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace

std::string Queue::Name() const {
  return absl::StrCat(kind == Kind::kFrontDoor ? kFrontDoorPrefix : kEdtPrefix, id);
}

absl::StatusOr<Queue> ParseQueue(absl::string_view name) {
  Queue queue;
  absl::string_view id;
  if (absl::ConsumePrefix(&name, kFrontDoorPrefix)) {
    queue.kind = Queue::Kind::kFrontDoor;
  } else if (absl::ConsumePrefix(&name, kEdtPrefix)) {
    queue.kind = Queue::Kind::kEdt;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("want \"frontdoor/<GSS code>\" or \"edt/<edt id>\", got \"",
                     absl::CHexEscape(name), "\""));
  }
  id = name;
  if (!ValidId(id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "queue id must be 1 to 64 letters, digits, '-' or '_', got \"", absl::CHexEscape(id),
        "\""));
  }
  queue.id = std::string(id);
  return queue;
}

bool DirectoryHasQueue(const config::v1::Directory& directory, const Queue& queue) {
  for (const auto& la : directory.local_authorities()) {
    if (queue.kind == Queue::Kind::kFrontDoor && la.gss_code() == queue.id) return true;
    if (queue.kind == Queue::Kind::kEdt && !la.edt_id().empty() && la.edt_id() == queue.id) {
      return true;
    }
  }
  return false;
}

std::vector<Queue> DirectoryQueues(const config::v1::Directory& directory) {
  std::vector<Queue> queues;
  for (const auto& la : directory.local_authorities()) {
    queues.push_back({Queue::Kind::kFrontDoor, la.gss_code()});
  }
  for (const auto& la : directory.local_authorities()) {
    Queue edt{Queue::Kind::kEdt, la.edt_id()};
    if (!edt.id.empty() && std::find(queues.begin(), queues.end(), edt) == queues.end()) {
      queues.push_back(std::move(edt));
    }
  }
  return queues;
}

std::string QueueTopic(const config::v1::Topics& topics, const Queue& queue) {
  return queue.kind == Queue::Kind::kFrontDoor ? FrontDoorTopic(topics, queue.id)
                                               : EdtTopic(topics, queue.id);
}

}  // namespace referral
