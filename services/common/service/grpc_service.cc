#include "services/common/service/grpc_service.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/grpc/server_security.h"
#include "services/common/observe/log.h"

namespace referral {
absl::StatusOr<GrpcService::Options> GrpcService::OptionsFrom(
    const config::v1::GrpcServer& config, const std::filesystem::path& config_path,
    const std::string& default_listen) {
  Options options;
  options.listen = config.listen().empty() ? default_listen : config.listen();
  options.health_listen = config.health_listen();
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      MutualTlsCredentials(config.tls(), config_path, "grpc.tls");
  if (!credentials.ok()) return credentials.status();
  options.credentials = *std::move(credentials);
  if (config.max_receive_message_bytes() > 0) {
    options.max_receive_message_bytes = static_cast<int>(config.max_receive_message_bytes());
  }
  if (config.max_send_message_bytes() > 0) {
    options.max_send_message_bytes = static_cast<int>(config.max_send_message_bytes());
  }
  if (config.keepalive_time_ms() > 0) {
    options.keepalive_time = absl::Milliseconds(config.keepalive_time_ms());
  }
  if (config.keepalive_timeout_ms() > 0) {
    options.keepalive_timeout = absl::Milliseconds(config.keepalive_timeout_ms());
  }
  if (config.shutdown_grace_ms() > 0) options.grace = absl::Milliseconds(config.shutdown_grace_ms());
  return options;
}

GrpcService::GrpcService(const ServiceContext& context, Options options,
                         std::vector<grpc::Service*> services,
                         const std::vector<std::string>& service_names,
                         std::function<std::string()> ready)
    : options_(std::move(options)),
      services_(std::move(services)),
      ready_(std::move(ready)),
      metrics_(*context.registry, service_names) {}

GrpcService::~GrpcService() {
  if (server_ != nullptr) server_->Shutdown(std::chrono::system_clock::now());
  if (health_server_ != nullptr) health_server_->Shutdown(std::chrono::system_clock::now());
}

absl::Status GrpcService::Start(const std::atomic<bool>&) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // gRPC binds with SO_REUSEPORT by default: a second server on a port in use would share it
  // silently instead of failing to start.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(options_.listen, options_.credentials, &port_);
  builder.SetMaxReceiveMessageSize(options_.max_receive_message_bytes);
  builder.SetMaxSendMessageSize(options_.max_send_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(options_.keepalive_time)));
  builder.AddChannelArgument(
      GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options_.keepalive_timeout)));
  // Clients may ping idle connections (subscribers hold streams open for hours).
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  for (grpc::Service* service : services_) builder.RegisterService(service);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(metrics_.InterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    server_.reset();
    return absl::UnavailableError(absl::StrCat("grpc.listen: cannot listen on ", options_.listen));
  }
  if (!options_.health_listen.empty()) {
    grpc::ServerBuilder health;
    health.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    health.AddListeningPort(options_.health_listen, grpc::InsecureServerCredentials(),
                            &health_port_);
    health.SetMaxReceiveMessageSize(4096);  // a health check is a few bytes
    health_server_ = health.BuildAndStart();
    if (health_server_ == nullptr || health_port_ == 0) {
      health_server_.reset();
      server_->Shutdown(std::chrono::system_clock::now());
      server_.reset();
      return absl::UnavailableError(
          absl::StrCat("grpc.health_listen: cannot listen on ", options_.health_listen));
    }
  }
  serving_.store(true);
  return absl::OkStatus();
}

absl::StatusOr<RunOutcome> GrpcService::Run(const std::atomic<bool>& stop) {
  std::vector<grpc::HealthCheckServiceInterface*> healths;
  for (grpc::Server* server : {server_.get(), health_server_.get()}) {
    if (server != nullptr && server->GetHealthCheckService() != nullptr) {
      healths.push_back(server->GetHealthCheckService());
    }
  }
  bool serving = false;
  for (auto* health : healths) health->SetServingStatus(false);
  while (!stop.load()) {
    const bool ready = NotReadyReason().empty();
    if (ready != serving) {
      for (auto* health : healths) health->SetServingStatus(ready);
      serving = ready;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  serving_.store(false);
  for (auto* health : healths) health->SetServingStatus(false);
  if (health_server_ != nullptr) health_server_->Shutdown(std::chrono::system_clock::now());
  log::Info("grpc_draining", {{"grace_ms", absl::ToInt64Milliseconds(options_.grace)}});
  server_->Shutdown(absl::ToChronoTime(absl::Now() + options_.grace));
  server_->Wait();
  return RunOutcome::kDrained;
}

std::string GrpcService::NotReadyReason() const {
  if (!serving_.load()) return "gRPC server not serving";
  return ready_ ? ready_() : "";
}

nlohmann::json GrpcService::Describe() const {
  nlohmann::json described = {{"grpc_port", port_}};
  if (health_port_ != 0) described["grpc_health_port"] = health_port_;
  return described;
}

}  // namespace referral
