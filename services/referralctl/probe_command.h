// `referralctl probe URL...`: GETs each http:// URL (a service's /readyz, say) and says which
// answer 200. What the chart's `helm test` runs inside the gateway's image, which has no curl.
#ifndef REFERRAL_SERVICES_REFERRALCTL_PROBE_COMMAND_H_
#define REFERRAL_SERVICES_REFERRALCTL_PROBE_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace referral::ctl {

struct ProbeOptions {
  std::vector<std::string> urls;  // http://host:port/path
  double timeout = 5;             // seconds per URL
};

// One line per URL ("ok URL" or "failed URL: why"). Returns 0 when every URL answered 200, 1
// when one did not, 2 for a URL that is not http://host:port/path.
int Probe(const ProbeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace referral::ctl

#endif  // REFERRAL_SERVICES_REFERRALCTL_PROBE_COMMAND_H_
