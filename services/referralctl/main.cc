// referralctl: the gateway's command line for people. See README.md in this folder.
#include <CLI/CLI.hpp>
#include <iostream>

#include "services/referralctl/commands.h"

namespace ctl = referral::ctl;

int main(int argc, char** argv) {
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? ctl::kExitOk : ctl::kExitBadInput;
  }

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
  if (calendar.config.empty()) calendar.config = ctl::DefaultConfig("router");
  if (*from_opt) calendar.from = from;
  return ctl::Calendar(calendar, std::cout, std::cerr);
}
