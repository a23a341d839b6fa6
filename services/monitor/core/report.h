// The monitor's figures for a period as a table a leader or inspector can read: per LA and
// source system, the inspection's measures (DOMAIN.md §1), then timeliness per LA and queue kind,
// decisions, dead letters and what is still unacknowledged. `referralctl report` fills the
// Tallies from the committed topics; the same Tallies the monitor exports, so the two agree.
#ifndef REFERRAL_SERVICES_MONITOR_CORE_REPORT_H_
#define REFERRAL_SERVICES_MONITOR_CORE_REPORT_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/monitor/core/monitor.h"
#include "services/monitor/core/tallies.h"

namespace referral::monitor {

// One LA and source system ("all" for the totals row).
struct ConsistencyRow {
  std::string la;
  std::string source_system;
  double referrals = 0;
  double out_of_hours = 0;
  double immediate = 0;
  double completeness_sum = 0;  // mean = completeness_sum / referrals
  double children = 0;
  double spoken_to = 0;
  double views_recorded = 0;
  double resident_children = 0;   // where the household's count is recorded
  double household_children = 0;  // children listed on those referrals
  double no_police_action = 0;
  std::map<std::string, double> issues;  // by issue label
};

// One LA and queue kind.
struct TimelinessRow {
  std::string la;
  std::string queue_kind;
  double acknowledged = 0;
  double within_one_working_day = 0;
  double within_one_hour = 0;
  std::optional<double> median_seconds;  // a bucket's upper bound: "within"
  double unacknowledged = 0;              // copies routed in the period, not acknowledged yet
};

struct Report {
  std::string from;  // as given
  std::string to;
  std::map<std::string, std::string> la_names;  // GSS code → name, for people
  std::vector<ConsistencyRow> consistency;  // by LA, source system; the totals row last
  std::vector<TimelinessRow> timeliness;
  std::map<std::vector<std::string>, double> decisions;  // la, queue_kind, outcome
  std::map<std::string, double> dead_letters;            // by reason
  std::map<std::string, double> standardised;            // by source system
  std::vector<QueueGauge> unacknowledged;                // with anything waiting
};

Report MakeReport(const Tallies& tallies, const std::vector<QueueGauge>& gauges,
                  std::string from, std::string to,
                  std::map<std::string, std::string> la_names = {});

std::string RenderMarkdown(const Report& report);
// Long form, one figure per line: section,la,source_system,queue_kind,measure,value.
std::string RenderCsv(const Report& report);
// A page with the tables and, per LA, a small bar chart of its shares.
std::string RenderHtml(const Report& report);

}  // namespace referral::monitor

#endif  // REFERRAL_SERVICES_MONITOR_CORE_REPORT_H_
