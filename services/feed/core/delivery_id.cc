#include "services/feed/core/delivery_id.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace referral {

std::string FormatDeliveryId(const DeliveryRef& ref) {
  return absl::StrCat(ref.partition, ":", ref.offset, ":", ref.revision, ":", ref.referral_id);
}

absl::StatusOr<DeliveryRef> ParseDeliveryId(absl::string_view id) {
  const std::vector<absl::string_view> parts = absl::StrSplit(id, absl::MaxSplits(':', 3));
  if (parts.size() != 4) {
    return absl::InvalidArgumentError("want \"<partition>:<offset>:<revision>:<referral id>\"");
  }
  DeliveryRef ref;
  if (!absl::SimpleAtoi(parts[0], &ref.partition) || ref.partition < 0 ||
      parts[0].find_first_not_of("0123456789") != absl::string_view::npos) {
    return absl::InvalidArgumentError("partition is not a number");
  }
  if (!absl::SimpleAtoi(parts[1], &ref.offset) || ref.offset < 0 ||
      parts[1].find_first_not_of("0123456789") != absl::string_view::npos) {
    return absl::InvalidArgumentError("offset is not a number");
  }
  if (!absl::SimpleAtoi(parts[2], &ref.revision) ||
      parts[2].find_first_not_of("0123456789") != absl::string_view::npos) {
    return absl::InvalidArgumentError("revision is not a number");
  }
  if (parts[3].empty() || parts[3].size() > 128) {
    return absl::InvalidArgumentError("referral id is empty or too long");
  }
  ref.referral_id = std::string(parts[3]);
  return ref;
}

}  // namespace referral
