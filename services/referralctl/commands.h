// The commands of `referralctl`, each a function from parsed options to an exit status, so that
// main.cc only wires CLI11. Output goes to the given streams; tests run the binary itself.
#ifndef REFERRAL_SERVICES_REFERRALCTL_COMMANDS_H_
#define REFERRAL_SERVICES_REFERRALCTL_COMMANDS_H_

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

namespace referral::ctl {

// Exit statuses.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;     // config, I/O or internal failure
inline constexpr int kExitBadInput = 2;    // invalid input (each bad field on stderr)

// The config file used when --config is not given: ./deploy/config/<name>.yaml when it exists,
// else deploy/config/<name>.yaml beside the binary's build tree (build/bin/../../deploy/config).
std::filesystem::path DefaultConfig(const std::string& name);

struct StandardiseOptions {
  std::filesystem::path config;
  std::string input = "-";  // file path, or "-" for stdin
};
// Reads IncidentEvent JSON (one document, or one per line) and prints each Referral as one JSON
// line. Skipped incidents are reported on stderr. Returns kExitBadInput when any input is invalid.
int Standardise(const StandardiseOptions& options, std::ostream& out, std::ostream& err);

struct RouteOptions {
  std::filesystem::path config;               // router config
  std::filesystem::path standardiser_config;  // for FILE mode
  std::optional<std::string> la;              // decision mode
  std::optional<std::string> at;              // RFC 3339; default now
  bool immediate = false;
  std::optional<std::string> input;  // FILE mode
  bool summary = false;              // FILE mode: a line per delivery for people
};
// With `la`: prints the RoutingDecision as one JSON object. With `input`: standardises each
// incident and prints each delivered copy (Referral JSON with routing), or a summary.
int Route(const RouteOptions& options, std::ostream& out, std::ostream& err);

struct CalendarOptions {
  std::filesystem::path config;
  std::string la;
  std::optional<std::string> from;  // YYYY-MM-DD; default today in the directory's time zone
  int days = 14;
};
// Prints the LA's opening times and closures day by day, in local time.
int Calendar(const CalendarOptions& options, std::ostream& out, std::ostream& err);

}  // namespace referral::ctl

#endif  // REFERRAL_SERVICES_REFERRALCTL_COMMANDS_H_
