// The Kafka commands of `referralctl`: dev-broker, publish, tail and simulate. Like commands.h,
// each is a function from parsed options to an exit status.
#ifndef REFERRAL_SERVICES_REFERRALCTL_KAFKA_COMMANDS_H_
#define REFERRAL_SERVICES_REFERRALCTL_KAFKA_COMMANDS_H_

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace referral::ctl {

struct DevBrokerOptions {
  std::filesystem::path standardiser_config;  // topic names
  std::filesystem::path router_config;        // topic names and LAs
  std::filesystem::path monitor_config;       // its state topic
  int partitions = 6;
  std::optional<std::filesystem::path> bootstrap_file;  // also write the address here
};
// Starts librdkafka's mock cluster, creates every topic the services use, prints the bootstrap
// address as the first line of `out` and runs until SIGINT or SIGTERM.
int DevBroker(const DevBrokerOptions& options, std::ostream& out, std::ostream& err);

struct PublishOptions {
  std::string bootstrap;
  std::string kafka_config;  // Kafka client settings file (client_settings.h)
  std::string topic = "incidents.v1";
  std::string encoding = "json";  // or "protobuf"
  std::string input = "-";
};
// Publishes each IncidentEvent JSON (a document or JSON lines) keyed by incident id, with
// content-type and CloudEvents headers. Invalid input is reported by line and not sent; the
// rest is. Returns kExitBadInput when any input was invalid, kExitFailure when delivery failed.
int Publish(const PublishOptions& options, std::ostream& out, std::ostream& err);

struct TailOptions {
  std::string bootstrap;
  std::string kafka_config;  // Kafka client settings file (client_settings.h)
  std::vector<std::string> topics;
  std::optional<int64_t> count;    // stop after this many records
  std::optional<double> timeout;   // stop after this many seconds without a new record
  bool envelope = false;           // print topic, partition, offset, timestamp, key, headers too
};
// Reads `topics` from the beginning with isolation.level=read_committed (no consumer group) and
// prints one JSON line per record: the decoded IncidentEvent or Referral (by topic), or with
// `envelope` an object holding it. Returns kExitFailure when `count` was given and not reached.
int Tail(const TailOptions& options, std::ostream& out, std::ostream& err);

struct SimulateOptions {
  std::string bootstrap;
  std::string kafka_config;  // Kafka client settings file (client_settings.h)
  std::filesystem::path standardiser_config;  // the directory's postcodes, the incidents topic
  std::optional<double> rate;                 // incidents per second (with duration)
  std::optional<double> duration;             // seconds
  std::optional<int64_t> count;
  uint64_t seed = 1;
  std::optional<std::string> at;              // newest incident time; default 2026-11-20T00:00:00Z
  std::string encoding = "json";
  std::optional<std::filesystem::path> output;  // JSON lines here instead of publishing
};
// Generates synthetic incidents (see simulate.h) and publishes them, or writes them as JSON lines.
int Simulate(const SimulateOptions& options, std::ostream& out, std::ostream& err);

}  // namespace referral::ctl

#endif  // REFERRAL_SERVICES_REFERRALCTL_KAFKA_COMMANDS_H_
