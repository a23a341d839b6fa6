#include "services/monitor/core/monitor.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "referral/v1/feed.pb.h"
#include "services/common/core/time_util.h"
#include "services/common/core/topics.h"

namespace referral::monitor {
namespace {

constexpr absl::string_view kUnresolved = "unresolved";
constexpr absl::string_view kOther = "other";

bool IsLabelName(absl::string_view value, size_t max) {
  if (value.empty() || value.size() > max) return false;
  return std::all_of(value.begin(), value.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_' || c == '-';
  });
}

// An enum value's name without its prefix, lower case ("QUALITY_ISSUE_LA_UNRESOLVED" with prefix
// "QUALITY_ISSUE_" → "la_unresolved").
std::string EnumLabel(const std::string& name, absl::string_view prefix) {
  absl::string_view rest = name;
  absl::ConsumePrefix(&rest, prefix);
  return absl::AsciiStrToLower(rest);
}

absl::Time TimeOf(const google::protobuf::Timestamp& t) { return ToAbslTime(t); }

}  // namespace

absl::StatusOr<Labelling> Labelling::Make(const config::v1::Directory& directory,
                                          const config::v1::Topics& topics,
                                          const std::vector<std::string>& source_systems) {
  Labelling labelling;
  for (size_t i = 0; i < source_systems.size(); ++i) {
    if (!IsLabelName(source_systems[i], 32) || source_systems[i] == kOther) {
      return absl::InvalidArgumentError(
          absl::StrCat("source_systems[", i, "]: \"", source_systems[i],
                       "\" is not a source system name ([a-z0-9_-]{1,32}, not \"other\")"));
    }
    if (!labelling.source_systems_.insert(source_systems[i]).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("source_systems[", i, "]: \"", source_systems[i], "\" listed twice"));
    }
  }
  for (const config::v1::LocalAuthority& la : directory.local_authorities()) {
    labelling.las_.insert(la.gss_code());
    labelling.queues_[FrontDoorTopic(topics, la.gss_code())] = {
        absl::StrCat("frontdoor/", la.gss_code()), "frontdoor", {la.gss_code()}};
    if (!la.edt_id().empty()) {
      QueueLabel& edt = labelling.queues_[EdtTopic(topics, la.edt_id())];
      edt.name = absl::StrCat("edt/", la.edt_id());
      edt.kind = "edt";
      edt.las.push_back(la.gss_code());
    }
  }
  labelling.queues_[topics.triage()] = {"triage", "triage", {std::string(kUnresolved)}};
  return labelling;
}

std::string Labelling::La(absl::string_view la_code) const {
  return las_.contains(la_code) ? std::string(la_code) : std::string(kUnresolved);
}

std::string Labelling::SourceSystem(absl::string_view source_system) const {
  return source_systems_.contains(source_system) ? std::string(source_system)
                                                 : std::string(kOther);
}

std::optional<QueueLabel> Labelling::QueueOfTopic(absl::string_view topic) const {
  const auto it = queues_.find(topic);
  if (it == queues_.end()) return std::nullopt;
  return it->second;
}

std::string Labelling::LaOfQueue(absl::string_view queue) const {
  if (absl::ConsumePrefix(&queue, "frontdoor/")) return La(queue);
  return std::string(kUnresolved);
}

std::vector<std::string> Labelling::RoutedTopics() const {
  std::vector<std::string> topics;
  for (const auto& [topic, queue] : queues_) topics.push_back(topic);
  std::sort(topics.begin(), topics.end());
  return topics;
}

std::vector<std::string> Labelling::LabelValues(absl::string_view label) const {
  std::vector<std::string> values;
  if (label == "la") {
    values.assign(las_.begin(), las_.end());
    values.emplace_back(kUnresolved);
  } else if (label == "source_system") {
    values.assign(source_systems_.begin(), source_systems_.end());
    values.emplace_back(kOther);
  } else if (label == "window") {
    values = {"in_hours", "out_of_hours"};
  } else if (label == "urgency") {
    values = {"immediate", "standard"};
  } else if (label == "queue_kind") {
    values = {"edt", "frontdoor", "triage"};
  } else if (label == "issue") {
    for (int i = v1::QualityIssue_MIN + 1; i <= v1::QualityIssue_MAX; ++i) {
      if (v1::QualityIssue_IsValid(i)) values.push_back(IssueLabel(static_cast<v1::QualityIssue>(i)));
    }
  } else if (label == "outcome") {
    for (int i = v1::DecisionOutcome_MIN + 1; i <= v1::DecisionOutcome_MAX; ++i) {
      if (v1::DecisionOutcome_IsValid(i)) {
        values.push_back(OutcomeLabel(static_cast<v1::DecisionOutcome>(i)));
      }
    }
  } else if (label == "reason") {
    values = {"invalid", "too_large", "undecodable", "unroutable"};
  }
  std::sort(values.begin(), values.end());
  return values;
}

std::string WindowLabel(v1::RoutingDecision::Window window) {
  switch (window) {
    case v1::RoutingDecision::IN_HOURS:
      return "in_hours";
    case v1::RoutingDecision::OUT_OF_HOURS:
      return "out_of_hours";
    default:
      return "unspecified";
  }
}

std::string UrgencyLabel(v1::Referral::Urgency urgency) {
  switch (urgency) {
    case v1::Referral::IMMEDIATE:
      return "immediate";
    case v1::Referral::STANDARD:
      return "standard";
    default:
      return "unspecified";
  }
}

std::string IssueLabel(v1::QualityIssue issue) {
  if (!v1::QualityIssue_IsValid(issue)) return std::string(kOther);
  return EnumLabel(v1::QualityIssue_Name(issue), "QUALITY_ISSUE_");
}

std::string OutcomeLabel(v1::DecisionOutcome outcome) {
  if (!v1::DecisionOutcome_IsValid(outcome)) return std::string(kOther);
  return EnumLabel(v1::DecisionOutcome_Name(outcome), "DECISION_OUTCOME_");
}

std::string ReasonLabel(absl::string_view reason) {
  static constexpr absl::string_view kReasons[] = {
      "invalid",    "undecodable", "unroutable", "unencodable", "too_large", "produce_failed",
      "unsupported_content_type"};
  for (absl::string_view known : kReasons) {
    if (reason == known) return std::string(known);
  }
  return std::string(kOther);
}

std::string FieldLabel(absl::string_view field_path) {
  std::string label;
  bool in_index = false;
  for (char c : field_path) {
    if (c == '[') {
      if (in_index) return std::string(kOther);
      in_index = true;
    } else if (c == ']') {
      if (!in_index) return std::string(kOther);
      in_index = false;
    } else if (in_index) {
      if (!absl::ascii_isdigit(c)) return std::string(kOther);
    } else if (absl::ascii_isalnum(c) || c == '_' || c == '.') {
      label.push_back(c);
    } else {
      return std::string(kOther);
    }
  }
  if (in_index || label.empty() || label.size() > 64) return std::string(kOther);
  return label;
}

Monitor::Monitor(const Labelling& labelling, absl::Duration window, Period period)
    : labelling_(&labelling), window_(window), period_(period) {}

void Monitor::Standardised(const v1::Referral& referral, absl::Time at, Mode mode) {
  Seen& seen = standardised_seen_[referral.referral_id()];
  if (std::find(seen.revisions.begin(), seen.revisions.end(), referral.revision()) !=
      seen.revisions.end()) {
    return;  // the same revision again (an intake resubmission): counted once
  }
  if (seen.revisions.empty()) seen.at = at;
  seen.revisions.push_back(referral.revision());
  if (mode != Mode::kCount || !period_.Contains(at)) return;
  tallies_.Add(Metric::kStandardised,
               {labelling_->SourceSystem(referral.incident().source_system())});
}

void Monitor::Routed(absl::string_view topic, int32_t partition, int64_t offset,
                     const v1::Referral& copy, Mode mode) {
  int64_t& next = routed_next_[PartitionKey{std::string(topic), partition}];
  next = std::max(next, offset + 1);
  const std::optional<QueueLabel> queue = labelling_->QueueOfTopic(topic);
  if (!queue) return;

  const absl::Time routed_at = TimeOf(copy.routing().decided_at());
  Copy entry{.la = labelling_->La(copy.la_code()),
             .window = WindowLabel(copy.routing().window()),
             .queue_kind = queue->kind,
             .urgency = UrgencyLabel(copy.urgency()),
             .routed_at = routed_at,
             .due_by = copy.routing().has_decision_due_by()
                           ? TimeOf(copy.routing().decision_due_by())
                           : absl::InfiniteFuture(),
             .in_period = period_.Contains(routed_at)};
  const bool counting = mode == Mode::kCount && entry.in_period;

  // The referral: once per id, at the first revision seen; later revisions as updates; the same
  // revision again (another copy, a resubmission) not at all.
  Seen& seen = routed_seen_[copy.referral_id()];
  const bool new_revision = std::find(seen.revisions.begin(), seen.revisions.end(),
                                      copy.revision()) == seen.revisions.end();
  if (new_revision) {
    const bool first = seen.revisions.empty();
    if (first) seen.at = routed_at;
    seen.revisions.push_back(copy.revision());
    if (counting) CountReferral(copy, entry, first);
  }

  // The copy: waits for its acknowledgement, unless that came first.
  CopyKey key{queue->name, copy.referral_id(), copy.revision()};
  if (copies_.contains(key)) return;  // the same copy again: its first routing stands
  if (const auto pending = pending_acks_.find(key); pending != pending_acks_.end()) {
    entry.acknowledged = true;
    if (counting) CountAcknowledgement(entry, pending->second.acknowledged_at);
    pending_acks_.erase(pending);
  }
  copies_.emplace(std::move(key), std::move(entry));
}

void Monitor::CountReferral(const v1::Referral& copy, const Copy& entry, bool first_revision) {
  const std::string source = labelling_->SourceSystem(copy.incident().source_system());
  const LabelValues labels = {entry.la, entry.window, source};
  if (!first_revision) {
    tallies_.Add(Metric::kReferralUpdates, labels);
    return;
  }
  tallies_.Add(Metric::kReferrals, {entry.la, entry.window, source, entry.urgency});
  tallies_.Observe(Metric::kCompleteness, labels, copy.quality().completeness());
  // Each issue once per referral, however often the standardiser listed it.
  std::vector<int> issues(copy.quality().issues().begin(), copy.quality().issues().end());
  std::sort(issues.begin(), issues.end());
  issues.erase(std::unique(issues.begin(), issues.end()), issues.end());
  for (int issue : issues) {
    tallies_.Add(Metric::kQualityIssues, {entry.la, entry.window, source,
                                          IssueLabel(static_cast<v1::QualityIssue>(issue))});
  }
  int spoken_to = 0;
  int views = 0;
  for (const v1::Person& child : copy.children()) {
    if (child.voice().spoken_to()) ++spoken_to;
    if (!child.voice().views().empty()) ++views;
  }
  tallies_.Add(Metric::kChildren, labels, copy.children_size());
  tallies_.Add(Metric::kChildrenSpokenTo, labels, spoken_to);
  tallies_.Add(Metric::kChildrenViewsRecorded, labels, views);
  // Siblings identified compares the children listed with those the household has, so both
  // count only where the household's children are recorded: a referral without the count would
  // add its children to one side only.
  if (copy.household().has_resident_children_count()) {
    tallies_.Add(Metric::kResidentChildren, labels, copy.household().resident_children_count());
    tallies_.Add(Metric::kHouseholdChildrenListed, labels, copy.children_size());
  }
  if (copy.police_actions_size() == 0) tallies_.Add(Metric::kNoPoliceAction, labels);
  for (const v1::UnrecognisedValue& value : copy.unrecognised_values()) {
    tallies_.Add(Metric::kUnrecognisedValues, {entry.la, source, FieldLabel(value.field_path())});
  }
  if (copy.has_reported_at() && copy.routing().has_decided_at()) {
    const absl::Duration latency = entry.routed_at - TimeOf(copy.reported_at());
    tallies_.Observe(Metric::kIncidentToReferral, labels,
                     std::max(0.0, absl::ToDoubleSeconds(latency)));
  }
}

void Monitor::CountAcknowledgement(const Copy& copy, absl::Time acknowledged_at) {
  const LabelValues labels = {copy.la, copy.window, copy.queue_kind, copy.urgency};
  tallies_.Observe(Metric::kAcknowledgement, labels,
                   std::max(0.0, absl::ToDoubleSeconds(acknowledged_at - copy.routed_at)));
  if (acknowledged_at <= copy.due_by) tallies_.Add(Metric::kAcknowledgedWithinOneWorkingDay, labels);
}

void Monitor::Feedback(const v1::FeedbackEvent& event, Mode mode) {
  if (event.has_decision()) {
    const v1::Decision& decision = event.decision();
    const auto copy = copies_.find(CopyKey{decision.queue(), decision.referral_id(), decision.revision()});
    if (copy != copies_.end() && !copy->second.in_period) return;
    if (mode != Mode::kCount) return;
    if (copy == copies_.end() && !period_.Contains(TimeOf(decision.decided_at()))) return;
    const std::string kind = copy != copies_.end() ? copy->second.queue_kind
                             : absl::StartsWith(decision.queue(), "edt/") ? "edt"
                             : absl::StartsWith(decision.queue(), "frontdoor/") ? "frontdoor"
                                                                               : "triage";
    const std::string la =
        copy != copies_.end() ? copy->second.la : labelling_->LaOfQueue(decision.queue());
    tallies_.Add(Metric::kDecisions, {la, kind, OutcomeLabel(decision.outcome())});
    return;
  }
  if (!event.has_acknowledgement()) return;
  const v1::Acknowledgement& ack = event.acknowledgement();
  CopyKey key{ack.queue(), ack.referral_id(), ack.revision()};
  const absl::Time acknowledged_at = TimeOf(ack.acknowledged_at());
  if (const auto copy = copies_.find(key); copy != copies_.end()) {
    if (copy->second.acknowledged) return;  // acknowledgements are idempotent: the first counts
    copy->second.acknowledged = true;
    if (mode == Mode::kCount && copy->second.in_period) {
      CountAcknowledgement(copy->second, acknowledged_at);
    }
    return;
  }
  // Not remembered: either its copy is still to come on its routed topic (the monitor reads the
  // topics at their own pace), or it was routed before the window.
  const auto next = routed_next_.find(PartitionKey{ack.position().topic(), ack.position().partition()});
  const bool copy_passed = next != routed_next_.end() && ack.position().offset() < next->second;
  if (!copy_passed && labelling_->QueueOfTopic(ack.position().topic())) {
    pending_acks_.try_emplace(std::move(key), PendingAck{acknowledged_at, acknowledged_at});
    return;
  }
  if (mode == Mode::kCount && period_.Contains(acknowledged_at)) {
    const std::optional<QueueLabel> queue = labelling_->QueueOfTopic(ack.position().topic());
    tallies_.Add(Metric::kUnmatchedAcknowledgements, {queue ? queue->kind : std::string(kOther)});
  }
}

void Monitor::DeadLettered(absl::string_view reason, absl::Time at, Mode mode) {
  if (mode != Mode::kCount || !period_.Contains(at)) return;
  tallies_.Add(Metric::kDeadLetters, {ReasonLabel(reason)});
}

void Monitor::Undecodable(absl::string_view topic, Mode mode) {
  if (mode != Mode::kCount) return;
  tallies_.Add(Metric::kUndecodableRecords, {std::string(topic)});
}

void Monitor::Expire(absl::Time now) {
  const absl::Time horizon = now - window_;
  absl::erase_if(copies_, [&](const auto& entry) { return entry.second.routed_at < horizon; });
  absl::erase_if(routed_seen_, [&](const auto& entry) { return entry.second.at < horizon; });
  absl::erase_if(standardised_seen_, [&](const auto& entry) { return entry.second.at < horizon; });
  absl::erase_if(pending_acks_, [&](const auto& entry) { return entry.second.received < horizon; });
}

std::vector<QueueGauge> Monitor::Gauges(absl::Time now) const {
  using Key = std::tuple<std::string, std::string, std::string>;  // la, queue, urgency
  std::map<Key, QueueGauge> gauges;
  for (const std::string& topic : labelling_->RoutedTopics()) {
    const QueueLabel queue = *labelling_->QueueOfTopic(topic);
    for (const std::string& la : queue.las) {
      for (const char* urgency : {"immediate", "standard"}) {
        gauges[{la, queue.name, urgency}] = {la, queue.name, queue.kind, urgency};
      }
    }
  }
  for (const auto& [key, copy] : copies_) {
    if (copy.acknowledged || !copy.in_period) continue;
    QueueGauge& gauge = gauges[{copy.la, key.queue, copy.urgency}];
    gauge.la = copy.la;
    gauge.queue = key.queue;
    gauge.queue_kind = copy.queue_kind;
    gauge.urgency = copy.urgency;
    ++gauge.unacknowledged;
    gauge.oldest_seconds =
        std::max(gauge.oldest_seconds, std::max(0.0, absl::ToDoubleSeconds(now - copy.routed_at)));
    if (now > copy.due_by) ++gauge.overdue;
  }
  std::vector<QueueGauge> out;
  out.reserve(gauges.size());
  for (auto& [key, gauge] : gauges) out.push_back(std::move(gauge));
  return out;
}

}  // namespace referral::monitor
