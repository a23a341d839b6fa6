// The gRPC server metrics of a service (DESIGN.md §7), recorded by a server interceptor:
//   referral_grpc_requests_total{method, code}        every finished call
//   referral_grpc_request_seconds{method}              time from the call's start to its status
//   referral_grpc_active_streams{method}               streaming calls open now
// `method` is "/package.Service/Method" for the methods the server serves and "unknown" for
// anything else, so a client cannot grow the label set. Every method and code of the requests
// counter is exported at zero from the start.
#ifndef REFERRAL_SERVICES_COMMON_GRPC_GRPC_METRICS_H_
#define REFERRAL_SERVICES_COMMON_GRPC_GRPC_METRICS_H_

#include <grpcpp/support/server_interceptor.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"

namespace referral {

class GrpcMetrics {
 public:
  // `services`: full names of the services served ("referral.v1.ReferralFeed"); their methods,
  // from the generated descriptors, and those of gRPC's health and reflection services are the
  // method labels.
  GrpcMetrics(prometheus::Registry& registry, const std::vector<std::string>& services);

  // The label for `method` ("/referral.v1.ReferralFeed/Subscribe" or "unknown").
  std::string MethodLabel(absl::string_view method) const;

  // An interceptor factory for grpc::ServerBuilder::experimental().SetInterceptorCreators().
  // IMPORTANT: keeps a reference to this object.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> InterceptorFactory();

  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Histogram>& seconds;
  prometheus::Family<prometheus::Gauge>& active_streams;

 private:
  absl::flat_hash_set<std::string> methods_;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_GRPC_GRPC_METRICS_H_
