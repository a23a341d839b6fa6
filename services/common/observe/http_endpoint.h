// The HTTP endpoint every service serves: /metrics (Prometheus text format from a prometheus-cpp
// registry, with referral_ready computed from the readiness probe), /healthz (the process is alive) and /readyz (200 only while `ready()` says so;
// 503 with the reason otherwise). Built on civetweb, which prometheus-cpp uses too.
#ifndef REFERRAL_SERVICES_COMMON_OBSERVE_HTTP_ENDPOINT_H_
#define REFERRAL_SERVICES_COMMON_OBSERVE_HTTP_ENDPOINT_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/registry.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/observe/status_metrics.h"

class CivetServer;

namespace referral {


class HttpEndpoint {
 public:
  // Listens on `listen` ("address:port"; port 0 picks one). /metrics serves `registry` and then
  // each of `collectables` (metrics a service renders itself at scrape time). Returns kUnavailable when it cannot
  // bind and kInvalidArgument for a malformed address.
  static absl::StatusOr<std::unique_ptr<HttpEndpoint>> Start(
      absl::string_view listen, std::shared_ptr<prometheus::Registry> registry,
      ReadinessProbe ready,
      std::vector<std::shared_ptr<prometheus::Collectable>> collectables = {});
  ~HttpEndpoint();

  // The port it listens on.
  int port() const { return port_; }

 private:
  HttpEndpoint() = default;
  struct Handlers;
  std::unique_ptr<Handlers> handlers_;
  std::unique_ptr<CivetServer> server_;
  int port_ = 0;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_OBSERVE_HTTP_ENDPOINT_H_
