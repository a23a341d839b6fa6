// The feed service: social-care systems receive their queue's referrals over gRPC
// (referral.v1.ReferralFeed), acknowledge them and record decisions. See README.md in this folder.
#include "services/common/service/service_main.h"
#include "services/feed/service.h"

int main(int argc, char** argv) {
  return referral::ServiceMain(
      argc, argv,
      {.name = "feed",
       .summary = "feed: each queue's referrals to its subscribers over gRPC, acknowledged and "
                  "audited",
       .default_config = "deploy/config/feed.yaml",
       .default_http_listen = "0.0.0.0:9103",
       .make = [](const referral::ServiceContext& context) {
         return referral::MakeFeedService(context);
       }});
}
