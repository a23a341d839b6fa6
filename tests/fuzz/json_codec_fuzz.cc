// libFuzzer target: the fast JSON reader and writer (services/common/core/json_codec.h) held to
// the reference (protobuf's own converter with the strict reading) on arbitrary input, as an
// IncidentEvent and as a Referral: Decode, which tries the fast reader first, must answer
// exactly as the reference alone does (status, message, unknown enum names); and what the fast
// writer makes of any decoded message, protobuf's parser must read back to the same message.
// Aborts on the first difference, which libFuzzer keeps as the crashing input.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "referral/v1/incident.pb.h"
#include "referral/v1/referral.pb.h"
#include "services/common/core/codec.h"
#include "services/common/core/json_codec.h"

namespace {

void Differ(const char* what, const std::string& input) {
  std::fprintf(stderr, "json_codec_fuzz: %s on input of %zu bytes\n", what, input.size());
  std::abort();
}

template <typename M>
void Compare(const std::string& input) {
  M fast;
  std::vector<referral::UnknownEnumName> fast_names;
  const absl::Status fast_status =
      referral::Decode(input, referral::Encoding::kJson, fast, &fast_names);
  M reference;
  std::vector<referral::UnknownEnumName> reference_names;
  const absl::Status reference_status =
      referral::internal::DecodeJsonReference(input, reference, &reference_names);
  if (fast_status != reference_status) Differ("Decode's status differs from the reference's", input);
  if (!fast_status.ok()) return;
  if (!google::protobuf::util::MessageDifferencer::Equals(fast, reference)) {
    Differ("Decode's message differs from the reference's", input);
  }
  if (fast_names.size() != reference_names.size()) Differ("unknown enum names differ", input);
  std::string json;
  if (!referral::json::FastPrint(fast, json)) return;  // ToJson uses the reference then
  M back;
  if (!google::protobuf::util::JsonStringToMessage(json, &back).ok() ||
      !google::protobuf::util::MessageDifferencer::Equals(fast, back)) {
    Differ("protobuf does not read the fast writer's JSON back to the message", input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  Compare<referral::v1::IncidentEvent>(input);
  Compare<referral::v1::Referral>(input);
  return 0;
}
