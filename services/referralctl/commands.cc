#include "services/referralctl/commands.h"

#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "referral/v1/incident.pb.h"
#include "services/common/config/config_file.h"
#include "services/common/config/setup.h"
#include "services/router/config.h"
#include "services/standardiser/config.h"
#include "services/common/core/codec.h"
#include "services/common/core/time_util.h"
#include "services/referralctl/input.h"
#include "services/router/core/route.h"
#include "services/standardiser/core/standardise.h"

namespace referral::ctl {
namespace {

using v1::IncidentEvent;
using v1::Referral;
using v1::RoutingDecision;

std::string Prefix(const std::string& where) { return where.empty() ? "" : where + ": "; }

// Prints `message` as one line of JSON; when it has no JSON form, says why on `err` instead and
// returns false (never half a document).
bool PrintJson(const google::protobuf::Message& message, std::ostream& out, std::ostream& err) {
  absl::StatusOr<std::string> json = ToJson(message);
  if (!json.ok()) {
    err << json.status().message() << "\n";
    return false;
  }
  out << *json << "\n";
  return true;
}

absl::StatusOr<absl::Time> ParseMoment(const std::optional<std::string>& at) {
  if (!at) return absl::Now();
  const std::optional<absl::Time> t = ParseRfc3339(*at);
  if (!t) {
    return absl::InvalidArgumentError(
        absl::StrCat("--at: want RFC 3339 like 2026-11-27T18:30:00Z, got \"", *at, "\""));
  }
  if (!InAcceptedRange(*t)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--at: ", *at, " is outside the times the gateway accepts (",
                     kAcceptedTimesText, ")"));
  }
  return *t;
}

// Standardises every incident of `input`, calling `on_referrals` for each that makes referrals.
// Reports skips and errors on `err`. Returns the exit status.
template <typename OnReferrals>
int ForEachStandardised(const std::string& input, const StandardiserSetup& setup,
                        std::ostream& err, OnReferrals on_referrals) {
  absl::StatusOr<std::string> text = ReadInput(input);
  if (!text.ok()) {
    err << text.status().message() << "\n";
    return kExitFailure;
  }
  const Standardiser standardiser(*setup.directory, setup.time_zone,
                                  StandardiserOptionsFrom(setup.config));
  int status = kExitOk;
  for (const InputEvent& item : ParseIncidents(*text)) {
    if (!item.event.ok()) {
      err << Prefix(item.where) << item.event.status().message() << "\n";
      status = kExitBadInput;
      continue;
    }
    StandardiseOutcome outcome = standardiser.Standardise(*item.event, item.unknown_names);
    for (const v1::UnrecognisedValue& value : outcome.unrecognised) {
      err << Prefix(item.where) << "warning: " << value.field_path() << ": unrecognised value \""
          << value.value() << "\" (kept and flagged on the referral)\n";
    }
    switch (outcome.kind) {
      case StandardiseOutcome::Kind::kRejected:
        for (const FieldError& e : outcome.errors) err << Prefix(item.where) << e.ToString() << "\n";
        status = kExitBadInput;
        break;
      case StandardiseOutcome::Kind::kSkipped:
        err << Prefix(item.where) << "skipped: " << SkipReasonName(outcome.skip_reason) << "\n";
        break;
      case StandardiseOutcome::Kind::kReferrals:
        if (int s = on_referrals(outcome.referrals); s != kExitOk) return s;
        break;
    }
  }
  return status;
}

std::string Issues(const Referral& referral) {
  std::vector<std::string> names;
  for (int issue : referral.quality().issues()) {
    names.push_back(std::string(absl::StripPrefix(
        v1::QualityIssue_Name(static_cast<v1::QualityIssue>(issue)), "QUALITY_ISSUE_")));
  }
  return names.empty() ? "none" : absl::StrJoin(names, ", ");
}

std::string HoursText(const std::optional<std::pair<int, int>>& hours) {
  const auto hhmm = [](int minutes) {
    return absl::StrFormat("%02d:%02d", minutes / 60, minutes % 60);
  };
  return absl::StrCat(hhmm(hours->first), "-", hhmm(hours->second));
}

}  // namespace

std::filesystem::path DefaultConfig(const std::string& name) {
  const std::filesystem::path relative = std::filesystem::path("deploy/config") / (name + ".yaml");
  if (std::filesystem::exists(relative)) return relative;
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const std::filesystem::path beside = exe.parent_path().parent_path().parent_path() / relative;
    if (std::filesystem::exists(beside)) return beside;
  }
  return relative;
}

int Standardise(const StandardiseOptions& options, std::ostream& out, std::ostream& err) {
  absl::StatusOr<StandardiserSetup> setup = LoadStandardiserSetup(options.config);
  if (!setup.ok()) {
    err << setup.status().message() << "\n";
    return kExitFailure;
  }
  return ForEachStandardised(options.input, *setup, err, [&](const ReferralList& referrals) {
    for (const Referral& referral : referrals) {
      if (!PrintJson(referral, out, err)) return kExitFailure;
    }
    return kExitOk;
  });
}

int Route(const RouteOptions& options, std::ostream& out, std::ostream& err) {
  absl::StatusOr<RouterSetup> setup = LoadRouterSetup(options.config);
  if (!setup.ok()) {
    err << setup.status().message() << "\n";
    return kExitFailure;
  }
  absl::StatusOr<absl::Time> now = ParseMoment(options.at);
  if (!now.ok()) {
    err << now.status().message() << "\n";
    return kExitBadInput;
  }
  const Router router(*setup->directory, *setup->holidays, setup->topics, setup->time_zone);

  if (options.la) {
    absl::StatusOr<RoutingDecision> decision = router.Decide(
        *options.la, options.immediate ? Referral::IMMEDIATE : Referral::STANDARD, *now);
    if (!decision.ok()) {
      err << decision.status().message() << "\n";
      return kExitFailure;
    }
    return PrintJson(*decision, out, err) ? kExitOk : kExitFailure;
  }

  absl::StatusOr<StandardiserSetup> standardiser = LoadStandardiserSetup(options.standardiser_config);
  if (!standardiser.ok()) {
    err << standardiser.status().message() << "\n";
    return kExitFailure;
  }
  return ForEachStandardised(
      *options.input, *standardiser, err, [&](const ReferralList& referrals) {
        for (const Referral& referral : referrals) {
          absl::StatusOr<std::vector<Delivery>> deliveries = router.Route(referral, *now);
          if (!deliveries.ok()) {
            err << deliveries.status().message() << "\n";
            return kExitFailure;
          }
          for (const Delivery& delivery : *deliveries) {
            if (!options.summary) {
              if (!PrintJson(delivery.referral, out, err)) return kExitFailure;
              continue;
            }
            const RoutingDecision& routing = delivery.referral.routing();
            out << absl::StrCat(
                       "referral ", delivery.referral.referral_id().substr(0, 8), " la=",
                       delivery.referral.la_code().empty() ? "-" : delivery.referral.la_code(),
                       " -> ", delivery.topic, " ",
                       RoutingDecision::Window_Name(routing.window()),
                       routing.handover() ? " handover" : "", " ",
                       Referral::Urgency_Name(delivery.referral.urgency()), " due ",
                       FormatRfc3339Utc(ToAbslTime(routing.decision_due_by())), " completeness ",
                       absl::StrFormat("%.2f", delivery.referral.quality().completeness()),
                       " issues: ", Issues(delivery.referral))
                << "\n";
          }
        }
        return kExitOk;
      });
}

int Calendar(const CalendarOptions& options, std::ostream& out, std::ostream& err) {
  absl::StatusOr<RouterSetup> setup = LoadRouterSetup(options.config);
  if (!setup.ok()) {
    err << setup.status().message() << "\n";
    return kExitFailure;
  }
  const config::v1::LocalAuthority* la = setup->directory->Find(options.la);
  if (la == nullptr) {
    err << "--la: " << options.la << " is not in the directory (it would route to "
        << setup->topics.triage() << ")\n";
    return kExitBadInput;
  }
  absl::CivilDay from = absl::ToCivilDay(absl::Now(), setup->time_zone);
  if (options.from) {
    const auto parsed = ParseDate(*options.from);
    if (!parsed) {
      err << "--from: want YYYY-MM-DD, got \"" << *options.from << "\"\n";
      return kExitBadInput;
    }
    from = *parsed;
  }
  const Router router(*setup->directory, *setup->holidays, setup->topics, setup->time_zone);
  const OfficeHours& hours = *router.HoursFor(la->gss_code());
  out << la->name() << " (" << la->gss_code() << "), EDT " << la->edt_id() << ", "
      << setup->time_zone.name() << ", calendar " << setup->holidays->version() << "\n";
  for (absl::CivilDay day = from; day < from + options.days; ++day) {
    const DaySchedule schedule = hours.ScheduleFor(day);
    // The UTC offset name at local noon tells GMT from BST.
    const std::string zone =
        setup->time_zone.At(setup->time_zone.At(absl::CivilSecond(day) + 12 * 3600).pre).zone_abbr;
    std::string line = absl::StrCat(absl::FormatCivilTime(day), " ",
                                    absl::FormatTime("%a", absl::FromCivil(day, absl::UTCTimeZone()),
                                                     absl::UTCTimeZone()),
                                    " ", zone, " ");
    if (schedule.hours) {
      absl::StrAppend(&line, "open ", HoursText(schedule.hours),
                      schedule.special ? " (special hours)" : "");
    } else if (schedule.reason == RoutingDecision::WINDOW_REASON_BANK_HOLIDAY) {
      absl::StrAppend(&line, "closed (bank holiday: ", schedule.title, ")");
    } else if (schedule.reason == RoutingDecision::WINDOW_REASON_LA_CLOSURE) {
      absl::StrAppend(&line, "closed (LA closure)");
    } else {
      absl::StrAppend(&line, "closed");
    }
    out << line << "\n";
  }
  return kExitOk;
}

}  // namespace referral::ctl
