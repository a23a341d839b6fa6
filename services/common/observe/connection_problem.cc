#include "services/common/observe/connection_problem.h"

#include "absl/synchronization/mutex.h"

namespace referral {
namespace {

struct Note {
  absl::Mutex mutex;
  std::string detail ABSL_GUARDED_BY(mutex);
};

Note& TheNote() {
  static Note* const note = new Note;  // never destroyed: clients may log while the process exits
  return *note;
}

}  // namespace

void NoteConnectionProblem(absl::string_view detail) {
  Note& note = TheNote();
  absl::MutexLock lock(&note.mutex);
  note.detail = std::string(detail);
}

std::string LastConnectionProblem() {
  Note& note = TheNote();
  absl::MutexLock lock(&note.mutex);
  return note.detail;
}

}  // namespace referral
