// Builds the feed service from its config: the gRPC server (mTLS, grants) serving ReferralFeed,
// the audit and feedback log writer, the metrics.
#ifndef REFERRAL_SERVICES_FEED_SERVICE_H_
#define REFERRAL_SERVICES_FEED_SERVICE_H_

#include "absl/status/statusor.h"
#include "services/common/service/service_main.h"

namespace referral {

absl::StatusOr<LoadedService> MakeFeedService(const ServiceContext& context);

}  // namespace referral

#endif  // REFERRAL_SERVICES_FEED_SERVICE_H_
