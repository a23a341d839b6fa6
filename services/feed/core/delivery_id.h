// Delivery ids: what a subscriber acknowledges. An id names the referral's place on its queue's
// topic (partition and offset) and the referral revision there, so the same referral carries the
// same id on every redelivery, and any feed replica can tell what an acknowledgement is for
// without reading the topic.
#ifndef REFERRAL_SERVICES_FEED_CORE_DELIVERY_ID_H_
#define REFERRAL_SERVICES_FEED_CORE_DELIVERY_ID_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace referral {

struct DeliveryRef {
  int32_t partition = 0;
  int64_t offset = 0;
  uint64_t revision = 0;
  std::string referral_id;
  friend bool operator==(const DeliveryRef&, const DeliveryRef&) = default;
};

// "<partition>:<offset>:<revision>:<referral id>", e.g. "3:1207:2:6f1c...".
std::string FormatDeliveryId(const DeliveryRef& ref);

// Parses a delivery id. Returns kInvalidArgument saying which part is wrong.
absl::StatusOr<DeliveryRef> ParseDeliveryId(absl::string_view id);

}  // namespace referral

#endif  // REFERRAL_SERVICES_FEED_CORE_DELIVERY_ID_H_
