#include "services/monitor/core/report.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace referral::monitor {
namespace {

constexpr absl::string_view kAll = "all";

std::string Percent(double part, double whole) {
  if (whole <= 0) return "n/a";
  return absl::StrFormat("%.0f%%", 100 * part / whole);
}

std::string Count(double value) { return absl::StrFormat("%.0f", value); }

std::string Number(double value) { return absl::StrFormat("%.6g", value); }

std::string Duration(std::optional<double> seconds) {
  if (!seconds) return "over 7 days";
  const double s = *seconds;
  if (s < 3600) return absl::StrFormat("within %.0f min", s / 60);
  if (s < 86400) return absl::StrFormat("within %.0f h", s / 3600);
  if (s == 86400) return "within 1 day";
  return absl::StrFormat("within %.0f days", s / 86400);
}

std::string Escape(absl::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string LaName(const Report& report, const std::string& la) {
  if (la == "unresolved") return "Unresolved (force triage)";
  const auto it = report.la_names.find(la);
  return it == report.la_names.end() ? la : absl::StrCat(it->second, " (", la, ")");
}

void Accumulate(ConsistencyRow& into, const ConsistencyRow& row) {
  into.referrals += row.referrals;
  into.out_of_hours += row.out_of_hours;
  into.immediate += row.immediate;
  into.completeness_sum += row.completeness_sum;
  into.children += row.children;
  into.spoken_to += row.spoken_to;
  into.views_recorded += row.views_recorded;
  into.resident_children += row.resident_children;
  into.household_children += row.household_children;
  into.no_police_action += row.no_police_action;
  for (const auto& [issue, count] : row.issues) into.issues[issue] += count;
}

std::string MeanCompleteness(const ConsistencyRow& row) {
  return Percent(row.completeness_sum, row.referrals);
}

// The shares a chart shows for one LA, each 0..1 or absent.
std::vector<std::pair<std::string, std::optional<double>>> Shares(const ConsistencyRow& row,
                                                                  const TimelinessRow* edt,
                                                                  const TimelinessRow* front) {
  // Not capped: more children listed than the household has is a figure worth seeing.
  auto share = [](double part, double whole) -> std::optional<double> {
    if (whole <= 0) return std::nullopt;
    return part / whole;
  };
  double acknowledged = 0;
  double within = 0;
  for (const TimelinessRow* t : {edt, front}) {
    if (t == nullptr) continue;
    acknowledged += t->acknowledged;
    within += t->within_one_working_day;
  }
  return {{"Mean completeness", share(row.completeness_sum, row.referrals)},
          {"Children spoken to", share(row.spoken_to, row.children)},
          {"Views recorded", share(row.views_recorded, row.children)},
          {"Siblings identified", share(row.household_children, row.resident_children)},
          {"Police action recorded", share(row.referrals - row.no_police_action, row.referrals)},
          {"Acknowledged in 1 working day", share(within, acknowledged)}};
}

}  // namespace

Report MakeReport(const Tallies& tallies, const std::vector<QueueGauge>& gauges,
                  std::string from, std::string to, std::map<std::string, std::string> la_names) {
  Report report;
  report.from = std::move(from);
  report.to = std::move(to);
  report.la_names = std::move(la_names);

  std::map<std::pair<std::string, std::string>, ConsistencyRow> rows;
  auto row = [&](const LabelValues& labels) -> ConsistencyRow& {
    // Every referral metric's labels begin la, window, source_system.
    ConsistencyRow& r = rows[{labels[0], labels[2]}];
    r.la = labels[0];
    r.source_system = labels[2];
    return r;
  };
  for (const auto& [labels, value] : tallies.Series(Metric::kReferrals)) {
    ConsistencyRow& r = row(labels);
    r.referrals += value.value;
    if (labels[1] == "out_of_hours") r.out_of_hours += value.value;
    if (labels[3] == "immediate") r.immediate += value.value;
  }
  for (const auto& [labels, value] : tallies.Series(Metric::kCompleteness)) {
    row(labels).completeness_sum += value.sum;
  }
  const std::pair<Metric, double ConsistencyRow::*> sums[] = {
      {Metric::kChildren, &ConsistencyRow::children},
      {Metric::kChildrenSpokenTo, &ConsistencyRow::spoken_to},
      {Metric::kChildrenViewsRecorded, &ConsistencyRow::views_recorded},
      {Metric::kResidentChildren, &ConsistencyRow::resident_children},
      {Metric::kHouseholdChildrenListed, &ConsistencyRow::household_children},
      {Metric::kNoPoliceAction, &ConsistencyRow::no_police_action}};
  for (const auto& [metric, field] : sums) {
    for (const auto& [labels, value] : tallies.Series(metric)) row(labels).*field += value.value;
  }
  for (const auto& [labels, value] : tallies.Series(Metric::kQualityIssues)) {
    row(labels).issues[labels[3]] += value.value;
  }
  ConsistencyRow total{.la = std::string(kAll), .source_system = std::string(kAll)};
  for (auto& [key, r] : rows) {
    Accumulate(total, r);
    report.consistency.push_back(std::move(r));
  }
  report.consistency.push_back(std::move(total));

  const std::vector<double>& bounds = SpecOf(Metric::kAcknowledgement).bounds;
  std::map<std::pair<std::string, std::string>, std::vector<uint64_t>> buckets;
  std::map<std::pair<std::string, std::string>, TimelinessRow> timeliness;
  for (const auto& [labels, value] : tallies.Series(Metric::kAcknowledgement)) {
    TimelinessRow& t = timeliness[{labels[0], labels[2]}];
    t.la = labels[0];
    t.queue_kind = labels[2];
    t.acknowledged += static_cast<double>(value.count());
    std::vector<uint64_t>& merged = buckets[{labels[0], labels[2]}];
    merged.resize(bounds.size() + 1);
    for (size_t i = 0; i < value.buckets.size() && i < merged.size(); ++i) merged[i] += value.buckets[i];
  }
  for (const auto& [labels, value] : tallies.Series(Metric::kAcknowledgedWithinOneWorkingDay)) {
    TimelinessRow& t = timeliness[{labels[0], labels[2]}];
    t.la = labels[0];
    t.queue_kind = labels[2];
    t.within_one_working_day += value.value;
  }
  for (auto& [key, t] : timeliness) {
    const std::vector<uint64_t>& merged = buckets[key];
    double cumulative = 0;
    for (size_t i = 0; i < merged.size(); ++i) {
      cumulative += static_cast<double>(merged[i]);
      if (i < bounds.size() && bounds[i] <= 3600) t.within_one_hour = cumulative;
      if (!t.median_seconds && t.acknowledged > 0 && cumulative >= t.acknowledged / 2 &&
          i < bounds.size()) {
        t.median_seconds = bounds[i];
      }
    }
    report.timeliness.push_back(std::move(t));
  }
  for (const auto& [labels, value] : tallies.Series(Metric::kDecisions)) {
    report.decisions[labels] += value.value;
  }
  for (const auto& [labels, value] : tallies.Series(Metric::kDeadLetters)) {
    report.dead_letters[labels[0]] += value.value;
  }
  for (const auto& [labels, value] : tallies.Series(Metric::kStandardised)) {
    report.standardised[labels[0]] += value.value;
  }
  for (const QueueGauge& gauge : gauges) {
    if (gauge.unacknowledged == 0) continue;
    report.unacknowledged.push_back(gauge);
    bool found = false;
    for (TimelinessRow& t : report.timeliness) {
      if (t.la == gauge.la && t.queue_kind == gauge.queue_kind) {
        t.unacknowledged += static_cast<double>(gauge.unacknowledged);
        found = true;
      }
    }
    if (!found) {
      report.timeliness.push_back(
          {.la = gauge.la,
           .queue_kind = gauge.queue_kind,
           .unacknowledged = static_cast<double>(gauge.unacknowledged)});
    }
  }
  std::sort(report.timeliness.begin(), report.timeliness.end(),
            [](const TimelinessRow& a, const TimelinessRow& b) {
              return std::tie(a.la, a.queue_kind) < std::tie(b.la, b.queue_kind);
            });
  return report;
}

std::string RenderMarkdown(const Report& report) {
  std::string out = absl::StrCat("# Police referrals to children's social care: ", report.from,
                                 " to ", report.to, "\n\n");
  absl::StrAppend(&out,
                  "Referrals routed in the period, each counted once, as first made. Shares are "
                  "of the referrals (or children) in the row.\n\n",
                  "| LA | Source system | Referrals | Out of hours | Immediate | Mean completeness "
                  "| Children | Spoken to | Views recorded | Siblings identified | No police action |\n",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const ConsistencyRow& r : report.consistency) {
    absl::StrAppend(&out, "| ", r.la == kAll ? "**All**" : LaName(report, r.la), " | ",
                    r.source_system, " | ", Count(r.referrals), " | ",
                    Percent(r.out_of_hours, r.referrals), " | ", Count(r.immediate), " | ",
                    MeanCompleteness(r), " | ", Count(r.children), " | ",
                    Percent(r.spoken_to, r.children), " | ", Percent(r.views_recorded, r.children),
                    " | ", Percent(r.household_children, r.resident_children), " | ",
                    Percent(r.no_police_action, r.referrals), " |\n");
  }
  absl::StrAppend(&out, "\n## Quality issues\n\n| LA | Source system | Issue | Referrals | Share |\n",
                  "|---|---|---|---:|---:|\n");
  for (const ConsistencyRow& r : report.consistency) {
    for (const auto& [issue, count] : r.issues) {
      absl::StrAppend(&out, "| ", r.la == kAll ? "**All**" : LaName(report, r.la), " | ",
                      r.source_system, " | ", issue, " | ", Count(count), " | ",
                      Percent(count, r.referrals), " |\n");
    }
  }
  absl::StrAppend(&out, "\n## Time to acknowledge\n\n",
                  "Shares are of the copies acknowledged; those not yet acknowledged are counted "
                  "apart.\n\n",
                  "| LA | Queue | Acknowledged | Within 1 hour | Within 1 working day | Median | "
                  "Not yet acknowledged |\n",
                  "|---|---|---:|---:|---:|---|---:|\n");
  for (const TimelinessRow& t : report.timeliness) {
    absl::StrAppend(&out, "| ", LaName(report, t.la), " | ", t.queue_kind, " | ",
                    Count(t.acknowledged), " | ", Percent(t.within_one_hour, t.acknowledged), " | ",
                    Percent(t.within_one_working_day, t.acknowledged), " | ",
                    t.acknowledged > 0 ? Duration(t.median_seconds) : "n/a", " | ",
                    Count(t.unacknowledged), " |\n");
  }
  absl::StrAppend(&out, "\n## Decisions\n\n| LA | Queue | Outcome | Decisions |\n|---|---|---|---:|\n");
  for (const auto& [labels, count] : report.decisions) {
    absl::StrAppend(&out, "| ", LaName(report, labels[0]), " | ", labels[1], " | ", labels[2],
                    " | ", Count(count), " |\n");
  }
  if (report.decisions.empty()) absl::StrAppend(&out, "\nNone in the period.\n");
  absl::StrAppend(&out, "\n## Still unacknowledged (now)\n\n| LA | Queue | Urgency | Referrals | "
                        "Oldest | Past due |\n|---|---|---|---:|---|---:|\n");
  for (const QueueGauge& g : report.unacknowledged) {
    absl::StrAppend(&out, "| ", LaName(report, g.la), " | ", g.queue, " | ", g.urgency, " | ",
                    g.unacknowledged, " | ", absl::StrFormat("%.1f h", g.oldest_seconds / 3600),
                    " | ", g.overdue, " |\n");
  }
  if (report.unacknowledged.empty()) absl::StrAppend(&out, "\nNone.\n");
  absl::StrAppend(&out, "\n## Records that did not become referrals\n\n| Dead-letter reason | Records |\n|---|---:|\n");
  for (const auto& [reason, count] : report.dead_letters) {
    absl::StrAppend(&out, "| ", reason, " | ", Count(count), " |\n");
  }
  if (report.dead_letters.empty()) absl::StrAppend(&out, "\nNone in the period.\n");
  absl::StrAppend(&out, "\n| Source system | Referral revisions standardised |\n|---|---:|\n");
  for (const auto& [source, count] : report.standardised) {
    absl::StrAppend(&out, "| ", source, " | ", Count(count), " |\n");
  }
  if (report.standardised.empty()) absl::StrAppend(&out, "\nNone in the period.\n");
  return out;
}

std::string RenderCsv(const Report& report) {
  std::string out = "section,la,source_system,queue_kind,measure,value\n";
  auto line = [&](absl::string_view section, absl::string_view la, absl::string_view source,
                  absl::string_view kind, absl::string_view measure, double value) {
    absl::StrAppend(&out, section, ",", la, ",", source, ",", kind, ",", measure, ",",
                    Number(value), "\n");
  };
  for (const ConsistencyRow& r : report.consistency) {
    line("consistency", r.la, r.source_system, "", "referrals", r.referrals);
    line("consistency", r.la, r.source_system, "", "out_of_hours", r.out_of_hours);
    line("consistency", r.la, r.source_system, "", "immediate", r.immediate);
    line("consistency", r.la, r.source_system, "", "completeness_sum", r.completeness_sum);
    line("consistency", r.la, r.source_system, "", "children", r.children);
    line("consistency", r.la, r.source_system, "", "children_spoken_to", r.spoken_to);
    line("consistency", r.la, r.source_system, "", "children_views_recorded", r.views_recorded);
    line("consistency", r.la, r.source_system, "", "resident_children", r.resident_children);
    line("consistency", r.la, r.source_system, "", "household_children_listed",
         r.household_children);
    line("consistency", r.la, r.source_system, "", "no_police_action", r.no_police_action);
    for (const auto& [issue, count] : r.issues) {
      line("quality_issue", r.la, r.source_system, "", issue, count);
    }
  }
  for (const TimelinessRow& t : report.timeliness) {
    line("timeliness", t.la, "", t.queue_kind, "acknowledged", t.acknowledged);
    line("timeliness", t.la, "", t.queue_kind, "within_one_hour", t.within_one_hour);
    line("timeliness", t.la, "", t.queue_kind, "within_one_working_day", t.within_one_working_day);
    line("timeliness", t.la, "", t.queue_kind, "not_yet_acknowledged", t.unacknowledged);
  }
  for (const auto& [labels, count] : report.decisions) {
    line("decision", labels[0], "", labels[1], labels[2], count);
  }
  for (const QueueGauge& g : report.unacknowledged) {
    line("unacknowledged", g.la, "", g.queue_kind, absl::StrCat(g.queue, " ", g.urgency),
         static_cast<double>(g.unacknowledged));
  }
  for (const auto& [reason, count] : report.dead_letters) {
    line("dead_letters", "", "", "", reason, count);
  }
  for (const auto& [source, count] : report.standardised) {
    line("standardised", "", source, "", "revisions", count);
  }
  return out;
}

std::string RenderHtml(const Report& report) {
  std::string out = absl::StrCat(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Referrals ",
      Escape(report.from), " to ", Escape(report.to), "</title>\n<style>\n",
      "body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b;max-width:90rem}\n",
      "table{border-collapse:collapse;margin:1rem 0;font-variant-numeric:tabular-nums}",
      "th,td{border:1px solid #ccc;padding:.3rem .6rem}td.n{text-align:right}",
      "td.la{white-space:nowrap}th{background:#f0f0f0}\n",
      ".charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:1rem}",
      ".chart{border:1px solid #ddd;padding:.5rem 1rem}.chart h3{margin:.3rem 0}\n",
      ".note{color:#555}\n</style></head><body>\n",
      "<h1>Police referrals to children's social care</h1>\n<p>", Escape(report.from), " to ",
      Escape(report.to),
      ". Referrals routed in the period, each counted once, as first made.</p>\n");
  auto none = [&](bool empty, absl::string_view text) {
    if (empty) absl::StrAppend(&out, "<p class=\"note\">", text, "</p>\n");
  };

  // One chart per LA: its shares on the measures the 2023 inspection asked about.
  std::map<std::string, ConsistencyRow> by_la;
  for (const ConsistencyRow& r : report.consistency) {
    if (r.la == kAll) continue;
    ConsistencyRow& la = by_la[r.la];
    la.la = r.la;
    Accumulate(la, r);
  }
  absl::StrAppend(&out, "<h2>Per local authority</h2>\n<p class=\"note\">Bars in red are below "
                        "70%. Siblings identified can exceed 100% when a child listed lives "
                        "elsewhere.</p>\n<div class=\"charts\">\n");
  constexpr int kBarX = 215;
  constexpr int kBarWidth = 170;
  for (const auto& [code, r] : by_la) {
    const TimelinessRow* edt = nullptr;
    const TimelinessRow* front = nullptr;
    for (const TimelinessRow& t : report.timeliness) {
      if (t.la != code) continue;
      if (t.queue_kind == "edt") edt = &t;
      if (t.queue_kind == "frontdoor") front = &t;
    }
    const auto shares = Shares(r, edt, front);
    const int height = 22 * static_cast<int>(shares.size()) + 8;
    absl::StrAppend(&out, "<div class=\"chart\"><h3>", Escape(LaName(report, code)), "</h3><p>",
                    Count(r.referrals), " referrals</p>\n<svg width=\"440\" height=\"", height,
                    "\" role=\"img\" aria-label=\"shares for ", Escape(code), "\">\n");
    int y = 4;
    for (const auto& [name, share] : shares) {
      const double width = share ? std::min(1.0, *share) * kBarWidth : 0;
      absl::StrAppend(&out, "<text x=\"0\" y=\"", y + 14, "\" font-size=\"12\">", Escape(name),
                      "</text><rect x=\"", kBarX, "\" y=\"", y + 2, "\" width=\"", kBarWidth,
                      "\" height=\"14\" fill=\"#eee\"/><rect x=\"", kBarX, "\" y=\"", y + 2,
                      "\" width=\"", absl::StrFormat("%.1f", width), "\" height=\"14\" fill=\"",
                      share && *share < 0.7 ? "#c0392b" : "#1d70b8",
                      "\"/><text x=\"436\" y=\"", y + 14,
                      "\" font-size=\"12\" text-anchor=\"end\">",
                      share ? absl::StrFormat("%.0f%%", *share * 100) : "n/a", "</text>\n");
      y += 22;
    }
    absl::StrAppend(&out, "</svg></div>\n");
  }
  absl::StrAppend(&out, "</div>\n");

  // The tables, as in the Markdown.
  absl::StrAppend(&out, "<h2>Consistency</h2>\n<table><tr><th>LA</th><th>Source system</th>",
                  "<th>Referrals</th><th>Out of hours</th><th>Immediate</th><th>Mean completeness</th>",
                  "<th>Children</th><th>Spoken to</th><th>Views recorded</th>",
                  "<th>Siblings identified</th><th>No police action</th></tr>\n");
  for (const ConsistencyRow& r : report.consistency) {
    absl::StrAppend(&out, "<tr><td class=la>",
                    r.la == kAll ? "<b>All</b>" : Escape(LaName(report, r.la)), "</td><td>",
                    Escape(r.source_system), "</td><td class=n>", Count(r.referrals),
                    "</td><td class=n>", Percent(r.out_of_hours, r.referrals), "</td><td class=n>",
                    Count(r.immediate), "</td><td class=n>", MeanCompleteness(r),
                    "</td><td class=n>", Count(r.children), "</td><td class=n>",
                    Percent(r.spoken_to, r.children), "</td><td class=n>",
                    Percent(r.views_recorded, r.children), "</td><td class=n>",
                    Percent(r.household_children, r.resident_children), "</td><td class=n>",
                    Percent(r.no_police_action, r.referrals), "</td></tr>\n");
  }
  absl::StrAppend(&out, "</table>\n");
  absl::StrAppend(&out, "<h2>Time to acknowledge</h2>\n<p class=\"note\">Shares are of the copies "
                        "acknowledged; those not yet acknowledged are counted apart.</p>\n",
                  "<table><tr><th>LA</th><th>Queue</th><th>Acknowledged</th>",
                  "<th>Within 1 hour</th><th>Within 1 working day</th><th>Median</th>",
                  "<th>Not yet acknowledged</th></tr>\n");
  for (const TimelinessRow& t : report.timeliness) {
    absl::StrAppend(&out, "<tr><td class=la>", Escape(LaName(report, t.la)), "</td><td>",
                    Escape(t.queue_kind), "</td><td class=n>", Count(t.acknowledged),
                    "</td><td class=n>", Percent(t.within_one_hour, t.acknowledged),
                    "</td><td class=n>", Percent(t.within_one_working_day, t.acknowledged),
                    "</td><td>", t.acknowledged > 0 ? Duration(t.median_seconds) : "n/a",
                    "</td><td class=n>", Count(t.unacknowledged), "</td></tr>\n");
  }
  absl::StrAppend(&out, "</table>\n");
  none(report.timeliness.empty(), "None in the period.");
  absl::StrAppend(&out, "<h2>Decisions</h2>\n<table><tr><th>LA</th><th>Queue</th>",
                  "<th>Outcome</th><th>Decisions</th></tr>\n");
  for (const auto& [labels, count] : report.decisions) {
    absl::StrAppend(&out, "<tr><td class=la>", Escape(LaName(report, labels[0])), "</td><td>",
                    Escape(labels[1]), "</td><td>", Escape(labels[2]), "</td><td class=n>",
                    Count(count), "</td></tr>\n");
  }
  absl::StrAppend(&out, "</table>\n");
  none(report.decisions.empty(), "None in the period.");
  absl::StrAppend(&out, "<h2>Still unacknowledged (now)</h2>\n<table><tr><th>LA</th>",
                  "<th>Queue</th><th>Urgency</th><th>Referrals</th><th>Oldest</th>",
                  "<th>Past due</th></tr>\n");
  for (const QueueGauge& g : report.unacknowledged) {
    absl::StrAppend(&out, "<tr><td class=la>", Escape(LaName(report, g.la)), "</td><td>",
                    Escape(g.queue), "</td><td>", Escape(g.urgency), "</td><td class=n>",
                    g.unacknowledged, "</td><td class=n>",
                    absl::StrFormat("%.1f h", g.oldest_seconds / 3600), "</td><td class=n>",
                    g.overdue, "</td></tr>\n");
  }
  absl::StrAppend(&out, "</table>\n");
  none(report.unacknowledged.empty(), "None.");
  absl::StrAppend(&out, "<h2>Quality issues</h2>\n<table><tr><th>LA</th>",
                  "<th>Source system</th><th>Issue</th><th>Referrals</th><th>Share</th></tr>\n");
  bool issues = false;
  for (const ConsistencyRow& r : report.consistency) {
    for (const auto& [issue, count] : r.issues) {
      issues = true;
      absl::StrAppend(&out, "<tr><td class=la>",
                      r.la == kAll ? "<b>All</b>" : Escape(LaName(report, r.la)), "</td><td>",
                      Escape(r.source_system), "</td><td>", Escape(issue), "</td><td class=n>",
                      Count(count), "</td><td class=n>", Percent(count, r.referrals),
                      "</td></tr>\n");
    }
  }
  absl::StrAppend(&out, "</table>\n");
  none(!issues, "None in the period.");
  absl::StrAppend(&out, "<h2>Records that did not become referrals</h2>\n<table>",
                  "<tr><th>Dead-letter reason</th><th>Records</th></tr>\n");
  for (const auto& [reason, count] : report.dead_letters) {
    absl::StrAppend(&out, "<tr><td>", Escape(reason), "</td><td class=n>", Count(count),
                    "</td></tr>\n");
  }
  absl::StrAppend(&out, "</table>\n");
  none(report.dead_letters.empty(), "None in the period.");
  absl::StrAppend(&out, "<table><tr><th>Source system</th><th>Referral revisions standardised</th>",
                  "</tr>\n");
  for (const auto& [source, count] : report.standardised) {
    absl::StrAppend(&out, "<tr><td>", Escape(source), "</td><td class=n>", Count(count),
                    "</td></tr>\n");
  }
  absl::StrAppend(&out, "</table>\n");
  none(report.standardised.empty(), "None in the period.");
  absl::StrAppend(&out, "</body></html>\n");
  return out;
}

}  // namespace referral::monitor
