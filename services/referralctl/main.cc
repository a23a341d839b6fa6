// referralctl: the gateway's command line for people. See README.md in this folder.
#include <CLI/CLI.hpp>
#include <iostream>

#include <cstdlib>

#include "google/protobuf/stubs/logging.h"
#include "services/referralctl/commands.h"
#include "services/referralctl/feed_commands.h"
#include "services/referralctl/intake_commands.h"
#include "services/referralctl/kafka_commands.h"
#include "services/referralctl/probe_command.h"
#include "services/referralctl/report_command.h"

namespace ctl = referral::ctl;

int main(int argc, char** argv) {
  // libprotobuf's own warnings (a JSON writer left open by a failed encode) would only repeat,
  // in another format, the error each command reports itself.
  google::protobuf::SetLogHandler(nullptr);
  CLI::App app{"referralctl: standardise, route and inspect police referrals to children's social care"};
  app.require_subcommand(1);

  ctl::StandardiseOptions standardise;
  auto* standardise_cmd = app.add_subcommand(
      "standardise", "IncidentEvent JSON in (a document or JSON lines), Referral JSON lines out");
  standardise_cmd->add_option("--config", standardise.config, "standardiser config file")
      ->check(CLI::ExistingFile);
  standardise_cmd->add_option("input", standardise.input, "incident JSON file, or - for stdin");

  ctl::RouteOptions route;
  std::string at;
  std::string la;
  std::string input;
  auto* route_cmd = app.add_subcommand(
      "route", "Routing decision for an LA and moment (--la), or standardise and route a FILE");
  route_cmd->add_option("--config", route.config, "router config file")->check(CLI::ExistingFile);
  route_cmd->add_option("--standardiser-config", route.standardiser_config,
                        "standardiser config file (FILE mode)")
      ->check(CLI::ExistingFile);
  auto* la_opt = route_cmd->add_option("--la", la, "GSS code of the local authority");
  auto* at_opt = route_cmd->add_option("--at", at, "routing moment, RFC 3339 (default: now)");
  route_cmd->add_flag("--immediate", route.immediate, "the referral is IMMEDIATE (with --la)");
  route_cmd->add_flag("--summary", route.summary, "one line per delivery, for people (FILE mode)");
  auto* input_opt = route_cmd->add_option("input", input, "incident JSON file, or - for stdin");
  la_opt->excludes(input_opt);

  ctl::CalendarOptions calendar;
  std::string from;
  auto* calendar_cmd =
      app.add_subcommand("calendar", "An LA's opening times and closures, in local time");
  calendar_cmd->add_option("--config", calendar.config, "router config file")
      ->check(CLI::ExistingFile);
  calendar_cmd->add_option("--la", calendar.la, "GSS code of the local authority")->required();
  auto* from_opt = calendar_cmd->add_option("--from", from, "first date, YYYY-MM-DD (default: today)");
  calendar_cmd->add_option("--days", calendar.days, "number of days")->check(CLI::Range(1, 3660));

  const char* env_bootstrap = std::getenv("KAFKA_BOOTSTRAP");
  const std::string default_bootstrap = env_bootstrap == nullptr ? "" : env_bootstrap;
  const std::string bootstrap_help = "Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP)";
  // A secured cluster: the `kafka:` settings of a service's config (TLS, SASL, secrets from the
  // environment or files) in a file of their own.
  const char* env_kafka_config = std::getenv("REFERRALCTL_KAFKA_CONFIG");
  const std::string default_kafka_config = env_kafka_config == nullptr ? "" : env_kafka_config;
  const std::string kafka_config_help =
      "YAML file of Kafka client settings as a service config's `kafka:` section: TLS, SASL, "
      "secrets from env or file (default: $REFERRALCTL_KAFKA_CONFIG)";

  ctl::DevBrokerOptions dev_broker;
  std::string bootstrap_file;
  auto* dev_broker_cmd = app.add_subcommand(
      "dev-broker", "An embedded Kafka (librdkafka mock cluster) with the gateway's topics");
  dev_broker_cmd->add_option("--partitions", dev_broker.partitions, "partitions per topic")
      ->check(CLI::Range(1, 64));
  auto* bootstrap_file_opt =
      dev_broker_cmd->add_option("--bootstrap-file", bootstrap_file, "also write the address here");

  ctl::PublishOptions publish;
  publish.bootstrap = default_bootstrap;
  auto* publish_cmd =
      app.add_subcommand("publish", "Publish IncidentEvent JSON (a document or JSON lines) to Kafka");
  publish_cmd->add_option("--bootstrap", publish.bootstrap, bootstrap_help);
  publish.kafka_config = default_kafka_config;
  publish_cmd->add_option("--kafka-config", publish.kafka_config, kafka_config_help);
  publish_cmd->add_option("--topic", publish.topic, "topic")->capture_default_str();
  publish_cmd->add_option("--encoding", publish.encoding, "json or protobuf on the wire")
      ->capture_default_str();
  publish_cmd->add_option("input", publish.input, "incident JSON file, or - for stdin");

  ctl::TailOptions tail;
  tail.bootstrap = default_bootstrap;
  int64_t tail_count = 0;
  double tail_timeout = 0;
  auto* tail_cmd = app.add_subcommand(
      "tail", "Print committed records of topics from the beginning as JSON lines (read_committed)");
  tail_cmd->add_option("--bootstrap", tail.bootstrap, bootstrap_help);
  tail.kafka_config = default_kafka_config;
  tail_cmd->add_option("--kafka-config", tail.kafka_config, kafka_config_help);
  auto* count_opt = tail_cmd->add_option("--count", tail_count, "stop after N records")
                        ->check(CLI::PositiveNumber);
  auto* timeout_opt = tail_cmd->add_option("--timeout", tail_timeout,
                                           "stop after S seconds without a new record")
                          ->check(CLI::PositiveNumber);
  tail_cmd->add_flag("--envelope", tail.envelope,
                     "print {topic, partition, offset, key, headers, value} per record");
  tail_cmd->add_option("topics", tail.topics, "topics")->required();

  ctl::SimulateOptions simulate;
  simulate.bootstrap = default_bootstrap;
  double rate = 0;
  double duration = 0;
  int64_t count = 0;
  std::string sim_at;
  std::string output;
  auto* simulate_cmd = app.add_subcommand(
      "simulate", "Synthetic incidents (seeded): publish them, or write JSON lines with --output");
  simulate_cmd->add_option("--bootstrap", simulate.bootstrap, bootstrap_help);
  simulate.kafka_config = default_kafka_config;
  simulate_cmd->add_option("--kafka-config", simulate.kafka_config, kafka_config_help);
  simulate_cmd->add_option("--config", simulate.standardiser_config, "standardiser config file")
      ->check(CLI::ExistingFile);
  auto* rate_opt = simulate_cmd->add_option("--rate", rate, "incidents per second")
                       ->check(CLI::PositiveNumber);
  auto* duration_opt = simulate_cmd->add_option("--duration", duration, "seconds")
                           ->check(CLI::PositiveNumber);
  auto* sim_count_opt = simulate_cmd->add_option("--count", count, "number of incidents (as fast as possible)")
                            ->check(CLI::PositiveNumber);
  simulate_cmd->add_option("--seed", simulate.seed, "seed: the same seed gives the same incidents")
      ->capture_default_str();
  auto* sim_at_opt = simulate_cmd->add_option(
      "--at", sim_at, "newest incident time, RFC 3339 (default 2026-11-20T00:00:00Z)");
  simulate_cmd->add_option("--encoding", simulate.encoding, "json or protobuf on the wire")
      ->capture_default_str();
  auto* output_opt = simulate_cmd->add_option("--output", output, "write JSON lines here instead");
  rate_opt->needs(duration_opt);
  duration_opt->needs(rate_opt);
  sim_count_opt->excludes(rate_opt);

  // The feed's commands: mTLS options shared by subscribe, ack and decide.
  auto add_grpc = [](CLI::App* cmd, ctl::GrpcTarget& target) {
    cmd->add_option("--target", target.target, "the feed's address")->capture_default_str();
    cmd->add_option("--cert", target.cert, "this system's client certificate (PEM)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--key", target.key, "the certificate's private key (PEM)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--ca", target.ca, "the CA of the feed's certificate (PEM)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--server-name", target.server_name,
                    "the name the feed's certificate holds, when not the target's host");
  };
  ctl::SubscribeOptions subscribe;
  int64_t subscribe_count = 0;
  double subscribe_timeout = 0;
  auto* subscribe_cmd = app.add_subcommand(
      "subscribe", "Receive a queue's referrals from the feed (one line each; --json for all)");
  add_grpc(subscribe_cmd, subscribe.grpc);
  subscribe_cmd->add_option("--queue", subscribe.queue, "frontdoor/<GSS code> or edt/<edt id>")
      ->required();
  subscribe_cmd->add_option("--subscription", subscribe.subscription, "the mailbox's name")
      ->required();
  subscribe_cmd->add_flag("--ack", subscribe.ack, "acknowledge each delivery once printed");
  subscribe_cmd->add_flag("--json", subscribe.json,
                          "print each delivery as JSON (holds personal data)");
  subscribe_cmd->add_option("--window", subscribe.max_unacknowledged,
                            "deliveries the feed may send ahead of acknowledgements");
  auto* subscribe_count_opt =
      subscribe_cmd->add_option("--count", subscribe_count, "stop after N deliveries");
  auto* subscribe_timeout_opt = subscribe_cmd->add_option(
      "--timeout", subscribe_timeout, "stop after this many seconds without a delivery");

  ctl::AckOptions ack;
  auto* ack_cmd = app.add_subcommand("ack", "Acknowledge deliveries of a subscription");
  add_grpc(ack_cmd, ack.grpc);
  ack_cmd->add_option("--queue", ack.queue, "the queue they came from")->required();
  ack_cmd->add_option("--subscription", ack.subscription, "the mailbox's name")->required();
  ack_cmd->add_option("delivery_ids", ack.delivery_ids, "delivery ids")->required();

  ctl::DecideOptions decide;
  std::string decided_at;
  auto* decide_cmd = app.add_subcommand("decide", "Record the LA's decision on a referral");
  add_grpc(decide_cmd, decide.grpc);
  decide_cmd->add_option("referral_id", decide.referral_id, "the referral")->required();
  decide_cmd->add_option("outcome", decide.outcome,
                         "no_further_action, information_and_advice, early_help, s17_assessment, "
                         "s47_enquiry, already_open, returned_for_more_information")
      ->required();
  decide_cmd->add_option("--revision", decide.revision, "the revision decided on")
      ->capture_default_str();
  decide_cmd->add_option("--queue", decide.queue, "the queue it came on")->required();
  decide_cmd->add_option("--role", decide.decider_role, "the decider's role, e.g. \"MASH manager\"")
      ->required();
  decide_cmd->add_option("--reason", decide.reason, "why (free text; never logged)");
  auto* decided_at_opt =
      decide_cmd->add_option("--decided-at", decided_at, "RFC 3339 (default: now)");

  ctl::SubmitOptions submit;
  auto* submit_cmd = app.add_subcommand(
      "submit", "Submit incidents to the intake over gRPC and show what will happen to each");
  add_grpc(submit_cmd, submit.grpc);
  submit_cmd->add_flag("--json", submit.json, "print each answer as JSON");
  submit_cmd->add_option("input", submit.input, "incident JSON file, or - for stdin")->required();

  ctl::ProbeOptions probe;
  auto* probe_cmd = app.add_subcommand(
      "probe", "GET each http:// URL (a service's /readyz); exit 0 when every one answers 200");
  probe_cmd->add_option("urls", probe.urls, "http://host:port/path ...")->required();
  probe_cmd->add_option("--timeout", probe.timeout, "seconds per URL")->capture_default_str();

  ctl::ReportOptions report;
  report.bootstrap = default_bootstrap;
  auto* report_cmd = app.add_subcommand(
      "report", "Referral consistency and timeliness per LA and source system for a period, "
                "from the committed topics (md, csv or html)");
  report_cmd->add_option("--bootstrap", report.bootstrap, bootstrap_help);
  report.kafka_config = default_kafka_config;
  report_cmd->add_option("--kafka-config", report.kafka_config, kafka_config_help);
  report_cmd->add_option("--config", report.config, "monitor config file")
      ->check(CLI::ExistingFile)
      ->capture_default_str();
  report_cmd->add_option("--from", report.from, "first day, YYYY-MM-DD (local time)")->required();
  report_cmd->add_option("--to", report.to, "last day, YYYY-MM-DD, included")->required();
  report_cmd->add_option("--format", report.format, "md, csv or html")->capture_default_str();
  report_cmd->add_option("--output", report.output, "write here instead of stdout");
  report_cmd->add_option("--timeout", report.timeout, "seconds allowed to read the topics")
      ->capture_default_str();

  ctl::AuditOptions audit;
  audit.bootstrap = default_bootstrap;
  auto* audit_cmd = app.add_subcommand(
      "audit", "Who has received a referral, and when: its disclosures, acknowledgements, decisions");
  audit_cmd->add_option("--bootstrap", audit.bootstrap, bootstrap_help);
  audit.kafka_config = default_kafka_config;
  audit_cmd->add_option("--kafka-config", audit.kafka_config, kafka_config_help);
  audit_cmd->add_option("--referral", audit.referral_ids, "a referral id (repeat for more)")
      ->required();
  audit_cmd->add_option("--audit-topic", audit.audit_topic)->capture_default_str();
  audit_cmd->add_option("--feedback-topic", audit.feedback_topic)->capture_default_str();
  audit_cmd->add_option("--timeout", audit.timeout,
                        "seconds without a new record before the answer is complete")
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? ctl::kExitOk : ctl::kExitBadInput;
  }

  if (*subscribe_cmd) {
    if (*subscribe_count_opt) subscribe.count = subscribe_count;
    if (*subscribe_timeout_opt) subscribe.timeout = subscribe_timeout;
    return ctl::Subscribe(subscribe, std::cout, std::cerr);
  }
  if (*ack_cmd) return ctl::Ack(ack, std::cout, std::cerr);
  if (*decide_cmd) {
    if (*decided_at_opt) decide.decided_at = decided_at;
    return ctl::Decide(decide, std::cout, std::cerr);
  }
  if (*audit_cmd) return ctl::Audit(audit, std::cout, std::cerr);
  if (*report_cmd) return ctl::Report(report, std::cout, std::cerr);
  if (*probe_cmd) return ctl::Probe(probe, std::cout, std::cerr);
  if (*submit_cmd) return ctl::Submit(submit, std::cout, std::cerr);
  if (*standardise_cmd) {
    if (standardise.config.empty()) standardise.config = ctl::DefaultConfig("standardiser");
    return ctl::Standardise(standardise, std::cout, std::cerr);
  }
  if (*route_cmd) {
    if (route.config.empty()) route.config = ctl::DefaultConfig("router");
    if (route.standardiser_config.empty()) route.standardiser_config = ctl::DefaultConfig("standardiser");
    if (*at_opt) route.at = at;
    if (*la_opt) route.la = la;
    if (*input_opt) route.input = input;
    if (!route.la && !route.input) {
      std::cerr << "route: give --la GSS (a routing decision) or an incident FILE\n";
      return ctl::kExitBadInput;
    }
    return ctl::Route(route, std::cout, std::cerr);
  }
  if (*dev_broker_cmd) {
    dev_broker.standardiser_config = ctl::DefaultConfig("standardiser");
    dev_broker.router_config = ctl::DefaultConfig("router");
    dev_broker.monitor_config = ctl::DefaultConfig("monitor");
    if (*bootstrap_file_opt) dev_broker.bootstrap_file = bootstrap_file;
    return ctl::DevBroker(dev_broker, std::cout, std::cerr);
  }
  // Without --kafka-config (whose file may name the servers), the address is needed up front.
  auto need_bootstrap = [](const std::string& bootstrap, const std::string& kafka_config) {
    if (!bootstrap.empty() || !kafka_config.empty()) return true;
    std::cerr << "give --bootstrap host:port or set KAFKA_BOOTSTRAP\n";
    return false;
  };
  if (*publish_cmd) {
    if (!need_bootstrap(publish.bootstrap, publish.kafka_config)) return ctl::kExitBadInput;
    return ctl::Publish(publish, std::cout, std::cerr);
  }
  if (*tail_cmd) {
    if (!need_bootstrap(tail.bootstrap, tail.kafka_config)) return ctl::kExitBadInput;
    if (*count_opt) tail.count = tail_count;
    if (*timeout_opt) tail.timeout = tail_timeout;
    return ctl::Tail(tail, std::cout, std::cerr);
  }
  if (*simulate_cmd) {
    if (simulate.standardiser_config.empty()) {
      simulate.standardiser_config = ctl::DefaultConfig("standardiser");
    }
    if (*rate_opt) simulate.rate = rate;
    if (*duration_opt) simulate.duration = duration;
    if (*sim_count_opt) simulate.count = count;
    if (*sim_at_opt) simulate.at = sim_at;
    if (*output_opt) {
      simulate.output = output;
    } else if (!need_bootstrap(simulate.bootstrap, simulate.kafka_config)) {
      return ctl::kExitBadInput;
    }
    return ctl::Simulate(simulate, std::cout, std::cerr);
  }
  if (calendar.config.empty()) calendar.config = ctl::DefaultConfig("router");
  if (*from_opt) calendar.from = from;
  return ctl::Calendar(calendar, std::cout, std::cerr);
}
