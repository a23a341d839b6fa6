// A Service that serves gRPC services on one port, with gRPC's health service (SERVING while the
// service is ready) and server reflection, the request metrics of GrpcMetrics, and a graceful
// shutdown on stop: calls in flight get `grace` to finish, then are cancelled. Optionally a second,
// plaintext port for Kubernetes' gRPC probes serves health alone (and reflection, which gRPC adds
// to every server: the descriptors, never a call of the services).
#ifndef REFERRAL_SERVICES_COMMON_SERVICE_GRPC_SERVICE_H_
#define REFERRAL_SERVICES_COMMON_SERVICE_GRPC_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "referral/config/v1/config.pb.h"
#include "services/common/grpc/grpc_metrics.h"
#include "services/common/service/service.h"
#include "services/common/service/service_main.h"

namespace referral {

class GrpcService final : public Service {
 public:
  struct Options {
    std::string listen = "0.0.0.0:0";  // "address:port"; port 0 picks one (see port())
    // Where to serve gRPC health alone in plaintext, for Kubernetes' gRPC probes (they cannot
    // present a client certificate); empty: nowhere.
    std::string health_listen;
    absl::Duration grace = absl::Seconds(10);
    std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
    int max_receive_message_bytes = 4 << 20;
    int max_send_message_bytes = 8 << 20;
    absl::Duration keepalive_time = absl::Seconds(30);
    absl::Duration keepalive_timeout = absl::Seconds(10);
  };

  // Options from a service's `grpc` config: mTLS credentials (MutualTlsCredentials), limits and
  // keepalive, `default_listen` when `listen` is empty. Errors name the field under "grpc".
  static absl::StatusOr<Options> OptionsFrom(const config::v1::GrpcServer& config,
                                             const std::filesystem::path& config_path,
                                             const std::string& default_listen);

  // Serves `services` (not owned; they must outlive this), whose full names are `service_names`
  // ("referral.v1.ReferralFeed": their methods label the metrics). `ready` says why the service
  // is not ready, as Service::NotReadyReason() does (empty: ready); may be null.
  GrpcService(const ServiceContext& context, Options options, std::vector<grpc::Service*> services,
              const std::vector<std::string>& service_names, std::function<std::string()> ready);
  ~GrpcService() override;

  // kUnavailable when it cannot listen on options.listen.
  absl::Status Start(const std::atomic<bool>& stop) override;
  absl::StatusOr<RunOutcome> Run(const std::atomic<bool>& stop) override;
  std::string NotReadyReason() const override;
  nlohmann::json Describe() const override;

  // The port it listens on, once started.
  int port() const { return port_; }
  // The health-only port, once started; 0 when there is none.
  int health_port() const { return health_port_; }

 private:
  const Options options_;
  const std::vector<grpc::Service*> services_;
  const std::function<std::string()> ready_;
  GrpcMetrics metrics_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Server> health_server_;  // registers no service: gRPC adds only health
  int port_ = 0;
  int health_port_ = 0;
  std::atomic<bool> serving_{false};
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_SERVICE_GRPC_SERVICE_H_
