#include "services/common/observe/http_endpoint.h"

#include <CivetServer.h>
#include <prometheus/text_serializer.h>

#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace referral {
namespace {

void Reply(mg_connection* connection, int status, absl::string_view content_type,
           absl::string_view body) {
  mg_printf(connection,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
            status, status == 200 ? "OK" : "Service Unavailable", std::string(content_type).c_str(),
            body.size());
  mg_write(connection, body.data(), body.size());
}

class MetricsHandler final : public CivetHandler {
 public:
  MetricsHandler(std::shared_ptr<prometheus::Registry> registry, ReadinessProbe ready,
                 std::vector<std::shared_ptr<prometheus::Collectable>> collectables)
      : registry_(std::move(registry)),
        ready_(std::move(ready)),
        collectables_(std::move(collectables)) {}
  bool handleGet(CivetServer*, mg_connection* connection) override {
    // Readiness first: the probe may refresh gauges of the registry (stalled partitions).
    std::vector<prometheus::MetricFamily> families = ready_.Collect();
    for (prometheus::MetricFamily& family : registry_->Collect()) families.push_back(std::move(family));
    for (const auto& collectable : collectables_) {
      for (prometheus::MetricFamily& family : collectable->Collect()) {
        families.push_back(std::move(family));
      }
    }
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, families);
    Reply(connection, 200, "text/plain; version=0.0.4; charset=utf-8", out.str());
    return true;
  }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  ReadinessGauge ready_;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
};

class HealthHandler final : public CivetHandler {
 public:
  bool handleGet(CivetServer*, mg_connection* connection) override {
    Reply(connection, 200, "text/plain", "ok\n");
    return true;
  }
};

class ReadyHandler final : public CivetHandler {
 public:
  explicit ReadyHandler(ReadinessProbe ready) : ready_(std::move(ready)) {}
  bool handleGet(CivetServer*, mg_connection* connection) override {
    const std::string why_not = ready_();
    if (why_not.empty()) {
      Reply(connection, 200, "text/plain", "ready\n");
    } else {
      Reply(connection, 503, "text/plain", absl::StrCat("not ready: ", why_not, "\n"));
    }
    return true;
  }

 private:
  ReadinessProbe ready_;
};

}  // namespace

struct HttpEndpoint::Handlers {
  MetricsHandler metrics;
  HealthHandler health;
  ReadyHandler ready;
};

absl::StatusOr<std::unique_ptr<HttpEndpoint>> HttpEndpoint::Start(
    absl::string_view listen, std::shared_ptr<prometheus::Registry> registry,
    ReadinessProbe ready, std::vector<std::shared_ptr<prometheus::Collectable>> collectables) {
  const size_t colon = listen.rfind(':');
  int port = 0;
  if (colon == absl::string_view::npos || !absl::SimpleAtoi(listen.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("http.listen: \"", listen, "\" is not address:port"));
  }
  std::unique_ptr<HttpEndpoint> endpoint(new HttpEndpoint());
  endpoint->handlers_ = std::unique_ptr<Handlers>(
      new Handlers{MetricsHandler(std::move(registry), ready, std::move(collectables)),
                   HealthHandler(), ReadyHandler(ready)});
  const std::vector<std::string> options = {"listening_ports", std::string(listen), "num_threads",
                                            "2"};
  try {
    endpoint->server_ = std::make_unique<CivetServer>(options);
  } catch (const CivetException& e) {
    return absl::UnavailableError(absl::StrCat("http.listen: cannot listen on ", listen, ": ", e.what()));
  }
  endpoint->server_->addHandler("/metrics", endpoint->handlers_->metrics);
  endpoint->server_->addHandler("/healthz", endpoint->handlers_->health);
  endpoint->server_->addHandler("/readyz", endpoint->handlers_->ready);
  const std::vector<int> ports = endpoint->server_->getListeningPorts();
  endpoint->port_ = ports.empty() ? port : ports.front();
  return endpoint;
}

HttpEndpoint::~HttpEndpoint() {
  if (server_) server_->close();
}

}  // namespace referral
