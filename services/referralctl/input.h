// Reading incident events for people's commands: a file or stdin holding one JSON document or
// JSON lines, each parsed on its own so one bad line does not hide the rest.
#ifndef REFERRAL_SERVICES_REFERRALCTL_INPUT_H_
#define REFERRAL_SERVICES_REFERRALCTL_INPUT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "referral/v1/incident.pb.h"
#include "services/common/core/unrecognised.h"

namespace referral::ctl {

// One incident of the input: its parse result and where it came from ("" for a lone document,
// "line 3" for JSON lines) to prefix errors with.
struct InputEvent {
  std::string where;
  absl::StatusOr<v1::IncidentEvent> event;
  std::vector<UnknownEnumName> unknown_names;  // enum names the decoder did not recognise
};

// The whole of `input`: a file path, or "-" for stdin. Returns kNotFound for a missing file.
absl::StatusOr<std::string> ReadInput(const std::string& input);

// A single JSON document, or JSON lines when the first non-empty line is a whole JSON value.
std::vector<InputEvent> ParseIncidents(const std::string& text);

}  // namespace referral::ctl

#endif  // REFERRAL_SERVICES_REFERRALCTL_INPUT_H_
