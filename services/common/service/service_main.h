// The shell of every service's main(): common flags (--config, --instance, --http,
// --check-config), JSON-lines logs, config failure → exit 2 naming the field, /metrics /healthz
// /readyz, SIGTERM and SIGINT, and the exit statuses. A service's main.cc is a ServiceDefinition
// and one call.
#ifndef REFERRAL_SERVICES_COMMON_SERVICE_SERVICE_MAIN_H_
#define REFERRAL_SERVICES_COMMON_SERVICE_SERVICE_MAIN_H_

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/registry.h>

#include "absl/status/statusor.h"
#include "services/common/observe/clock.h"
#include "services/common/service/service.h"

namespace CLI {
class App;
}

namespace referral {

// Exit statuses of the services.
inline constexpr int kExitStopped = 0;    // SIGTERM/SIGINT: drained and stopped
inline constexpr int kExitFatal = 1;      // fatal client error, or stopped without draining
inline constexpr int kExitBadConfig = 2;  // config, topics or endpoint refused at start-up

// What a service's factory gets.
struct ServiceContext {
  std::string name;                   // "standardiser"
  std::filesystem::path config_path;  // --config; files it names are relative to its folder
  std::string instance;               // --instance; may be empty
  std::shared_ptr<prometheus::Registry> registry;  // for the service's metrics
};

// What a service's factory makes.
struct LoadedService {
  std::unique_ptr<Service> service;
  std::string http_listen;  // the config's http.listen; may be empty
  // Metrics the service renders itself at each scrape, served after the registry's.
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables;
};

struct ServiceDefinition {
  std::string name;                    // "router": logs, metrics, default group id
  std::string summary;                 // one line for --help
  std::string default_config;          // "deploy/config/router.yaml"
  std::string default_http_listen;     // "0.0.0.0:9102"
  // Loads the config and builds the service. kInvalidArgument/kNotFound name the file and field.
  std::function<absl::StatusOr<LoadedService>(const ServiceContext&)> make;
  // Adds the service's own flags (optional); they are parsed before make() runs.
  std::function<void(CLI::App&)> add_flags;
};

// The clock of a service's `--clock-start` flag: the system clock when `clock_start` is empty,
// else one that read that RFC 3339 moment at start-up (drills and tests; logs `clock_shifted`).
// Returns kInvalidArgument naming the flag for a malformed time.
absl::StatusOr<std::unique_ptr<Clock>> ClockFromFlag(const std::string& clock_start);

// Parses the flags, runs the service and returns the exit status.
int ServiceMain(int argc, char** argv, const ServiceDefinition& definition);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_SERVICE_SERVICE_MAIN_H_
