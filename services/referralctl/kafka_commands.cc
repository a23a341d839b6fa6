#include "services/referralctl/kafka_commands.h"

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "referral/v1/incident.pb.h"
#include "referral/v1/referral.pb.h"
#include "services/common/observe/stop_signal.h"
#include "services/common/config/setup.h"
#include "services/router/config.h"
#include "services/standardiser/config.h"
#include "services/common/core/codec.h"
#include "services/common/core/time_util.h"
#include "services/common/core/topics.h"
#include "services/common/messaging/cloud_events.h"
#include "services/common/kafka/kafka_publisher.h"
#include "services/common/kafka/kafka_reader.h"
#include "services/common/kafka/mock_cluster.h"
#include "services/monitor/config.h"
#include "services/referralctl/client_settings.h"
#include "services/referralctl/commands.h"
#include "services/referralctl/input.h"
#include "services/referralctl/record_printer.h"
#include "services/referralctl/simulate.h"

namespace referral::ctl {
namespace {

constexpr absl::string_view kIncidentType = "uk.gov.police.incident.v1";
constexpr absl::string_view kSource = "/referral-gateway/referralctl";
constexpr absl::Duration kFlushTimeout = absl::Seconds(60);

absl::StatusOr<Encoding> EncodingNamed(const std::string& name) {
  if (name == "json") return Encoding::kJson;
  if (name == "protobuf") return Encoding::kProtobuf;
  return absl::InvalidArgumentError(
      absl::StrCat("--encoding: want json or protobuf, got \"", name, "\""));
}

absl::StatusOr<OutRecord> IncidentRecord(const v1::IncidentEvent& event, const std::string& topic,
                                         Encoding encoding) {
  absl::StatusOr<std::string> value = Encode(event, encoding);
  if (!value.ok()) return value.status();
  OutRecord record;
  record.topic = topic;
  record.key = event.incident_id();
  record.value = *std::move(value);
  record.headers = CloudEventHeaders(encoding, event.event_id(), kSource, kIncidentType, absl::Now());
  return record;
}

// Every topic the standardiser, router and feed read or write (the feed's audit and feedback
// logs under their default names).
absl::StatusOr<std::set<std::string>> ServiceTopics(const DevBrokerOptions& options) {
  absl::StatusOr<StandardiserSetup> standardiser = LoadStandardiserSetup(options.standardiser_config);
  if (!standardiser.ok()) return standardiser.status();
  absl::StatusOr<RouterSetup> router = LoadRouterSetup(options.router_config);
  if (!router.ok()) return router.status();
  std::set<std::string> topics = {standardiser->topics.incidents(),
                                  standardiser->topics.dead_letters(),
                                  standardiser->topics.standardised(),
                                  router->topics.standardised(),
                                  router->topics.triage(),
                                  router->topics.routing_dead_letters(),
                                  router->topics.audit(),
                                  router->topics.feedback()};
  for (const auto& la : router->directory->config().local_authorities()) {
    topics.insert(FrontDoorTopic(router->topics, la.gss_code()));
    if (!la.edt_id().empty()) topics.insert(EdtTopic(router->topics, la.edt_id()));
  }
  // The mock's metadata names no controller, which librdkafka 2.16's admin client waits for (so
  // a service's CreateTopics times out), and 2.16's clients have no topic made on first mention:
  // every topic a service would make for itself is made here.
  if (!options.monitor_config.empty()) {
    absl::StatusOr<MonitorSetup> monitor = LoadMonitorSetup(options.monitor_config);
    if (!monitor.ok()) return monitor.status();
    topics.insert(monitor->state_topic);
  }
  return topics;
}

// The message type of a record, for printing: none for a dead letter (raw bytes), else by the
// CloudEvents type, else by the topic name (incidents.* or referrals.*, prefixes allowed).

}  // namespace

int DevBroker(const DevBrokerOptions& options, std::ostream& out, std::ostream& err) {
  const std::atomic<bool>& stop_requested = StopOnSignals();
  absl::StatusOr<std::set<std::string>> topics = ServiceTopics(options);
  if (!topics.ok()) {
    err << topics.status().message() << "\n";
    return kExitFailure;
  }
  absl::StatusOr<std::unique_ptr<MockCluster>> cluster = MockCluster::Start(1);
  if (!cluster.ok()) {
    err << cluster.status().message() << "\n";
    return kExitFailure;
  }
  for (const std::string& topic : *topics) {
    if (absl::Status status = (*cluster)->CreateTopic(topic, options.partitions); !status.ok()) {
      err << status.message() << "\n";
      return kExitFailure;
    }
  }
  const std::string bootstrap = (*cluster)->bootstrap();
  out << bootstrap << std::endl;
  if (options.bootstrap_file) {
    std::ofstream file(*options.bootstrap_file);
    file << bootstrap << "\n";
    if (!file) {
      err << "cannot write " << options.bootstrap_file->string() << "\n";
      return kExitFailure;
    }
  }
  err << "dev-broker: librdkafka mock cluster on " << bootstrap << " with " << topics->size()
      << " topics of " << options.partitions
      << " partitions. It does not honour transactions: for exactly-once use a real broker.\n"
      << "Ctrl-C to stop.\n";
  while (!stop_requested.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return kExitOk;
}

int Publish(const PublishOptions& options, std::ostream& out, std::ostream& err) {
  absl::StatusOr<Encoding> encoding = EncodingNamed(options.encoding);
  if (!encoding.ok()) {
    err << encoding.status().message() << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<std::string> text = ReadInput(options.input);
  if (!text.ok()) {
    err << text.status().message() << "\n";
    return kExitFailure;
  }
  absl::StatusOr<KafkaSettings> settings = ClientSettings(options.bootstrap, options.kafka_config);
  if (!settings.ok()) {
    err << settings.status().message() << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<std::unique_ptr<KafkaPublisher>> publisher = KafkaPublisher::Create(*settings);
  if (!publisher.ok()) {
    err << publisher.status().message() << "\n";
    return kExitFailure;
  }
  int status = kExitOk;
  int64_t sent = 0;
  for (const InputEvent& item : ParseIncidents(*text)) {
    if (!item.event.ok()) {
      err << (item.where.empty() ? "" : item.where + ": ") << item.event.status().message()
          << " (not published)\n";
      status = kExitBadInput;
      continue;
    }
    absl::StatusOr<OutRecord> record = IncidentRecord(*item.event, options.topic, *encoding);
    if (!record.ok()) {
      err << (item.where.empty() ? "" : item.where + ": ") << record.status().message()
          << " (not published)\n";
      status = kExitBadInput;
      continue;
    }
    if (absl::Status s = (*publisher)->Send(*record); !s.ok()) {
      err << s.message() << "\n";
      return kExitFailure;
    }
    ++sent;
  }
  if (absl::Status s = (*publisher)->Flush(kFlushTimeout); !s.ok()) {
    err << "publish: " << s.message() << "\n";
    return kExitFailure;
  }
  out << "published " << sent << " incident" << (sent == 1 ? "" : "s") << " to " << options.topic
      << " (" << options.encoding << ")\n";
  return status;
}

int Tail(const TailOptions& options, std::ostream& out, std::ostream& err) {
  const std::atomic<bool>& stop_requested = StopOnSignals();
  absl::StatusOr<KafkaSettings> settings = ClientSettings(options.bootstrap, options.kafka_config);
  if (!settings.ok()) {
    err << settings.status().message() << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<std::unique_ptr<KafkaReader>> reader =
      KafkaReader::Open(*settings, options.topics, absl::Seconds(30));
  if (!reader.ok()) {
    err << reader.status().message() << "\n";
    return kExitFailure;
  }
  const absl::Duration idle = options.timeout ? absl::Seconds(*options.timeout) : absl::InfiniteDuration();
  absl::Time last = absl::Now();
  int64_t seen = 0;
  while (!stop_requested.load() && (!options.count || seen < *options.count)) {
    absl::StatusOr<std::optional<StoredRecord>> next = (*reader)->Next(absl::Milliseconds(500));
    if (!next.ok()) {
      err << next.status().message() << "\n";
      return kExitFailure;
    }
    if (!next->has_value()) {
      if (absl::Now() - last >= idle) break;
      continue;
    }
    last = absl::Now();
    ++seen;
    const StoredRecord& record = **next;
    nlohmann::json value = PrintableValue(record.topic, record.headers, record.value);
    if (options.envelope) {
      nlohmann::json headers = nlohmann::json::object();
      for (const Header& h : record.headers) headers[h.name] = h.value;
      nlohmann::json line = {{"topic", record.topic},   {"partition", record.partition},
                             {"offset", record.offset}, {"timestamp_ms", record.timestamp_ms},
                             {"key", record.key},       {"headers", headers},
                             {"value", std::move(value)}};
      out << DumpLine(line) << "\n";
    } else {
      out << DumpLine(value) << "\n";
    }
    out.flush();
  }
  if (options.count && seen < *options.count) {
    err << "tail: " << seen << " of " << *options.count << " records\n";
    return kExitFailure;
  }
  return kExitOk;
}

int Simulate(const SimulateOptions& options, std::ostream& out, std::ostream& err) {
  const std::atomic<bool>& stop_requested = StopOnSignals();
  absl::StatusOr<Encoding> encoding = EncodingNamed(options.encoding);
  if (!encoding.ok()) {
    err << encoding.status().message() << "\n";
    return kExitBadInput;
  }
  const std::optional<absl::Time> newest = ParseRfc3339(options.at.value_or("2026-11-20T00:00:00Z"));
  if (!newest) {
    err << "--at: want RFC 3339 like 2026-11-27T18:30:00Z, got \"" << *options.at << "\"\n";
    return kExitBadInput;
  }
  int64_t total = 0;
  if (options.count) {
    total = *options.count;
  } else if (options.rate && options.duration && *options.rate > 0 && *options.duration > 0) {
    total = static_cast<int64_t>(*options.rate * *options.duration);
  } else {
    err << "simulate: give --count N, or --rate R and --duration D (both > 0)\n";
    return kExitBadInput;
  }
  absl::StatusOr<StandardiserSetup> setup = LoadStandardiserSetup(options.standardiser_config);
  if (!setup.ok()) {
    err << setup.status().message() << "\n";
    return kExitFailure;
  }
  std::vector<std::string> districts;
  for (const auto& [district, la] : setup->directory->config().postcode_districts()) {
    districts.push_back(district);
  }
  IncidentSimulator simulator(options.seed, std::move(districts), *newest);

  std::ofstream file;
  std::unique_ptr<KafkaPublisher> publisher;
  if (options.output) {
    file.open(*options.output);
    if (!file) {
      err << "cannot write " << options.output->string() << "\n";
      return kExitFailure;
    }
  } else {
    absl::StatusOr<KafkaSettings> settings = ClientSettings(options.bootstrap, options.kafka_config);
    if (!settings.ok()) {
      err << settings.status().message() << "\n";
      return kExitBadInput;
    }
    absl::StatusOr<std::unique_ptr<KafkaPublisher>> created = KafkaPublisher::Create(*settings);
    if (!created.ok()) {
      err << created.status().message() << "\n";
      return kExitFailure;
    }
    publisher = *std::move(created);
  }

  const absl::Time start = absl::Now();
  int64_t made = 0;
  int64_t malformed = 0;
  for (; made < total && !stop_requested.load(); ++made) {
    if (options.rate && !options.count) {
      const absl::Time due = start + absl::Seconds(static_cast<double>(made) / *options.rate);
      if (const absl::Duration wait = due - absl::Now(); wait > absl::ZeroDuration()) {
        absl::SleepFor(wait);
      }
    }
    SimulatedIncident incident = simulator.Next();
    malformed += incident.malformed ? 1 : 0;
    if (file.is_open()) {
      absl::StatusOr<std::string> json =
          incident.malformed ? absl::StatusOr<std::string>(incident.raw) : ToJson(incident.event);
      if (!json.ok()) {
        err << json.status().message() << "\n";
        return kExitFailure;
      }
      file << *json << "\n";
      continue;
    }
    OutRecord record;
    if (incident.malformed) {
      record.topic = setup->topics.incidents();
      record.key = incident.key;
      record.value = incident.raw;
      record.headers = CloudEventHeaders(Encoding::kJson, absl::StrCat("evt-", incident.key), kSource,
                                         kIncidentType, absl::Now());
    } else {
      absl::StatusOr<OutRecord> made_record =
          IncidentRecord(incident.event, setup->topics.incidents(), *encoding);
      if (!made_record.ok()) {
        err << made_record.status().message() << "\n";
        return kExitFailure;
      }
      record = *std::move(made_record);
      record.key = incident.key;  // also when an invalid event lost its incident id
    }
    if (absl::Status s = publisher->Send(record); !s.ok()) {
      err << s.message() << "\n";
      return kExitFailure;
    }
  }
  if (publisher) {
    if (absl::Status s = publisher->Flush(kFlushTimeout); !s.ok()) {
      err << "simulate: " << s.message() << "\n";
      return kExitFailure;
    }
  }
  out << "simulated " << made << " incidents (" << malformed << " malformed) "
      << (options.output ? "to " + options.output->string() : "to " + setup->topics.incidents())
      << "\n";
  return kExitOk;
}

}  // namespace referral::ctl
