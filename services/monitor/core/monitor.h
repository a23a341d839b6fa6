// The monitor's core: what each committed record adds to the counts (Tallies), and what the
// monitor remembers for a window to count each referral once, match acknowledgements to the
// copies they acknowledge and show what is still unacknowledged. Pure: records in, numbers out;
// the caller passes the time.
//
// Each record is applied in one of two modes. kCount counts it. kReplay only remembers it: on
// start the monitor replays the window before its committed offsets, whose counts are already in
// its committed state, so that what it remembers is what it would have remembered had it never
// stopped.
#ifndef REFERRAL_SERVICES_MONITOR_CORE_MONITOR_H_
#define REFERRAL_SERVICES_MONITOR_CORE_MONITOR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "referral/config/v1/config.pb.h"
#include "referral/v1/feedback.pb.h"
#include "referral/v1/referral.pb.h"
#include "services/monitor/core/tallies.h"

namespace referral::monitor {

enum class Mode { kCount, kReplay };

// A routed topic's queue, as the feed and the metrics name it.
struct QueueLabel {
  std::string name;  // "frontdoor/E06000023", "edt/avon", "triage"
  std::string kind;  // "frontdoor", "edt", "triage"
  std::vector<std::string> las;  // the `la` labels its referrals carry: those it covers
};

// The closed sets labels come from: the directory's LAs and queues, the configured source
// systems. Everything else is "unresolved" (an LA), "other" (a source system, a reason, a field).
class Labelling {
 public:
  // `topics` with WithDefaults() applied. kInvalidArgument names a bad source system
  // ("source_systems[1]: ...").
  static absl::StatusOr<Labelling> Make(const config::v1::Directory& directory,
                                        const config::v1::Topics& topics,
                                        const std::vector<std::string>& source_systems);

  std::string La(absl::string_view la_code) const;
  std::string SourceSystem(absl::string_view source_system) const;
  // The queue of a routed topic, or nullopt for a topic that is not one.
  std::optional<QueueLabel> QueueOfTopic(absl::string_view topic) const;
  // The LA a queue name belongs to: the GSS code of "frontdoor/<GSS>", else "unresolved".
  std::string LaOfQueue(absl::string_view queue) const;
  // Every routed topic, sorted.
  std::vector<std::string> RoutedTopics() const;
  // The values a label takes, when it is a closed set ("la": the directory's and "unresolved";
  // "source_system": the configured and "other"; windows, urgencies, issues, queue kinds,
  // outcomes, reasons), sorted; empty for an open one ("field", "topic").
  std::vector<std::string> LabelValues(absl::string_view label) const;

 private:
  absl::flat_hash_set<std::string> las_;
  absl::flat_hash_set<std::string> source_systems_;
  absl::flat_hash_map<std::string, QueueLabel> queues_;  // by topic
};

// Label values of closed enums and codes.
std::string WindowLabel(v1::RoutingDecision::Window window);
std::string UrgencyLabel(v1::Referral::Urgency urgency);
std::string IssueLabel(v1::QualityIssue issue);
std::string OutcomeLabel(v1::DecisionOutcome outcome);
// A dead-letter reason as the services write it ("invalid"), or "other".
std::string ReasonLabel(absl::string_view reason);
// A field path without its indexes ("persons[2].role" → "persons.role"), or "other" when it is
// not a plain path.
std::string FieldLabel(absl::string_view field_path);

// Unacknowledged routed copies of one (la, queue, urgency).
struct QueueGauge {
  std::string la;
  std::string queue;
  std::string queue_kind;
  std::string urgency;
  int64_t unacknowledged = 0;
  double oldest_seconds = 0;
  int64_t overdue = 0;  // past decision_due_by
};

// A period the report counts: referrals routed in [from, to); dead letters and standardised
// revisions whose record time is in it.
struct Period {
  absl::Time from = absl::InfinitePast();
  absl::Time to = absl::InfiniteFuture();
  bool Contains(absl::Time t) const { return t >= from && t < to; }
};

class Monitor {
 public:
  Monitor(const Labelling& labelling, absl::Duration window, Period period = {});

  // A referral on the standardised topic (`at`: its record time).
  void Standardised(const v1::Referral& referral, absl::Time at, Mode mode);
  // A copy of a referral on a routed topic, at `offset` of `partition`.
  void Routed(absl::string_view topic, int32_t partition, int64_t offset,
              const v1::Referral& copy, Mode mode);
  // An acknowledgement or decision on the feedback topic.
  void Feedback(const v1::FeedbackEvent& event, Mode mode);
  // A record on a dead-letter topic with its `dlq_reason` header.
  void DeadLettered(absl::string_view reason, absl::Time at, Mode mode);
  // A record the monitor could not read.
  void Undecodable(absl::string_view topic, Mode mode);

  // Forgets what was routed (and acknowledgements waiting for their copy) before `now - window`.
  void Expire(absl::Time now);

  // The unacknowledged copies remembered (routed in the period), by (la, queue, urgency), at
  // `now`. Every queue of the directory appears, with zeros when it has nothing outstanding.
  std::vector<QueueGauge> Gauges(absl::Time now) const;

  const Tallies& tallies() const { return tallies_; }
  Tallies& mutable_tallies() { return tallies_; }
  absl::Duration window() const { return window_; }

  // How much is remembered (for logs and tests).
  size_t remembered_copies() const { return copies_.size(); }

 private:
  struct CopyKey {
    std::string queue;
    std::string referral_id;
    uint64_t revision = 0;
    bool operator==(const CopyKey&) const = default;
    template <typename H>
    friend H AbslHashValue(H h, const CopyKey& k) {
      return H::combine(std::move(h), k.queue, k.referral_id, k.revision);
    }
  };
  struct Copy {
    std::string la;
    std::string window;
    std::string queue_kind;
    std::string urgency;
    absl::Time routed_at;
    absl::Time due_by;
    bool acknowledged = false;
    bool in_period = true;
  };
  struct Seen {
    std::vector<uint64_t> revisions;
    absl::Time at;
  };
  struct PendingAck {
    absl::Time acknowledged_at;
    absl::Time received;  // for expiry
  };
  struct PartitionKey {
    std::string topic;
    int32_t partition = 0;
    bool operator==(const PartitionKey&) const = default;
    template <typename H>
    friend H AbslHashValue(H h, const PartitionKey& k) {
      return H::combine(std::move(h), k.topic, k.partition);
    }
  };

  void CountReferral(const v1::Referral& copy, const Copy& labels, bool first_revision);
  void CountAcknowledgement(const Copy& copy, absl::Time acknowledged_at);

  const Labelling* labelling_;
  absl::Duration window_;
  Period period_;
  Tallies tallies_;
  absl::flat_hash_map<CopyKey, Copy> copies_;
  absl::flat_hash_map<std::string, Seen> routed_seen_;        // by referral id
  absl::flat_hash_map<std::string, Seen> standardised_seen_;  // by referral id
  absl::flat_hash_map<CopyKey, PendingAck> pending_acks_;
  absl::flat_hash_map<PartitionKey, int64_t> routed_next_;    // next offset per routed partition
};

}  // namespace referral::monitor

#endif  // REFERRAL_SERVICES_MONITOR_CORE_MONITOR_H_
