#include "services/common/grpc/grpc_metrics.h"

#include <chrono>
#include <utility>

#include "google/protobuf/descriptor.h"
#include "absl/strings/str_cat.h"

namespace referral {
namespace {

// "OK", "NOT_FOUND", ...: the gRPC status code names, a closed set.
std::string CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
      "UNAUTHENTICATED"};
  const int index = static_cast<int>(code);
  return index >= 0 && index < 17 ? kNames[index] : "UNKNOWN";
}

prometheus::Histogram::BucketBoundaries Buckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
          60, 300, 900, 3600};
}

class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(GrpcMetrics& metrics, grpc::experimental::ServerRpcInfo* info)
      : metrics_(metrics),
        method_(metrics.MethodLabel(info->method() == nullptr ? "" : info->method())),
        streaming_(info->type() != grpc::experimental::ServerRpcInfo::Type::UNARY),
        started_(std::chrono::steady_clock::now()) {
    if (streaming_) metrics_.active_streams.Add({{"method", method_}}).Increment();
  }
  ~MetricsInterceptor() override {
    if (streaming_) metrics_.active_streams.Add({{"method", method_}}).Decrement();
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      metrics_.requests.Add({{"method", method_}, {"code", CodeName(status.error_code())}})
          .Increment();
      metrics_.seconds.Add({{"method", method_}}, Buckets())
          .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started_)
                       .count());
    }
    methods->Proceed();
  }

 private:
  GrpcMetrics& metrics_;
  const std::string method_;
  const bool streaming_;
  const std::chrono::steady_clock::time_point started_;
};

class MetricsInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(GrpcMetrics& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(metrics_, info);
  }

 private:
  GrpcMetrics& metrics_;
};

}  // namespace

GrpcMetrics::GrpcMetrics(prometheus::Registry& registry, const std::vector<std::string>& services)
    : requests(prometheus::BuildCounter()
                   .Name("referral_grpc_requests_total")
                   .Help("gRPC calls served, by method and status code")
                   .Register(registry)),
      seconds(prometheus::BuildHistogram()
                  .Name("referral_grpc_request_seconds")
                  .Help("Time from a gRPC call's start to its status, by method (streams: the "
                        "stream's whole life)")
                  .Register(registry)),
      active_streams(prometheus::BuildGauge()
                         .Name("referral_grpc_active_streams")
                         .Help("Streaming gRPC calls open now, by method")
                         .Register(registry)),
      methods_({"/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch",
                "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"}) {
  for (const std::string& name : services) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    if (service == nullptr) continue;
    for (int i = 0; i < service->method_count(); ++i) {
      methods_.insert(absl::StrCat("/", service->full_name(), "/", service->method(i)->name()));
    }
  }
  // Every method and code at zero from the start: increase() and rate() ignore a series' first
  // sample, so a counter born at its first call would hide that call from alerts and dashboards.
  std::vector<std::string> labels(methods_.begin(), methods_.end());
  labels.push_back("unknown");
  for (const std::string& method : labels) {
    for (int code = 0; code < 17; ++code) {
      requests.Add({{"method", method}, {"code", CodeName(static_cast<grpc::StatusCode>(code))}});
    }
  }
}

std::string GrpcMetrics::MethodLabel(absl::string_view method) const {
  return methods_.contains(method) ? std::string(method) : "unknown";
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
GrpcMetrics::InterceptorFactory() {
  return std::make_unique<MetricsInterceptorFactory>(*this);
}

}  // namespace referral
