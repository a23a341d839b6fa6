// The monitor's shell parts: which topic a record came from decides what it tells the core
// (ApplyRecord); MonitorProcessor runs the core in the transactional Kafka loop, committing the
// counts with the offsets they count; MonitorExporter renders the committed counts and the
// unacknowledged gauges at each scrape.
#ifndef REFERRAL_SERVICES_MONITOR_APP_H_
#define REFERRAL_SERVICES_MONITOR_APP_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "referral/config/v1/config.pb.h"
#include "referral/v1/monitor_state.pb.h"
#include "services/common/messaging/record.h"
#include "services/common/observe/clock.h"
#include "services/monitor/core/monitor.h"

namespace referral {

// The topics the monitor reads, by what they carry.
struct MonitorInputs {
  std::string standardised;
  std::string feedback;
  std::vector<std::string> routed;
  std::vector<std::string> dead_letters;

  // `topics` with WithDefaults() applied.
  static MonitorInputs Of(const config::v1::Topics& topics, const monitor::Labelling& labelling);
  // Every topic, routed ones first and feedback last (the order a replay reads them in).
  std::vector<std::string> All() const;
};

// Tells `monitor` what `in` says, by its topic. A record it cannot read counts as undecodable.
void ApplyRecord(monitor::Monitor& monitor, const MonitorInputs& inputs, const InRecord& in,
                 monitor::Mode mode);

class MonitorProcessor final : public RecordProcessor {
 public:
  // IMPORTANT: keeps references to `labelling` and `clock`.
  MonitorProcessor(const monitor::Labelling& labelling, MonitorInputs inputs,
                   absl::Duration window, std::string state_topic, std::string state_key,
                   const Clock& clock);

  // Start-up, before the loop runs: the committed state (Restore), then the replay of the window
  // before its positions (Replay for each record), then FinishReplay.
  absl::Status Restore(const v1::MonitorState& state);
  void Replay(const InRecord& in);
  void FinishReplay();
  // Where the committed counts stand: the next offset of each input partition.
  const absl::flat_hash_map<PartitionId, int64_t>& positions() const;

  void Process(const InRecord& in, std::vector<OutRecord>& out) override;
  // Never needed: the monitor produces no record per input. A dead letter would land on the
  // state topic under its own key, so it is made there, where it cannot be mistaken for state.
  OutRecord DeadLetter(const InRecord& in, absl::string_view reason,
                       absl::string_view detail) override;
  // The state record: every count so far and the positions it covers.
  void BeforeCommit(std::vector<OutRecord>& out) override;
  void Committed() override;
  void Aborted() override;

  // The committed counts and the gauges at `now`, as metric families.
  std::vector<prometheus::MetricFamily> Collect(absl::Time now) const;
  // Copies remembered (committed).
  size_t remembered_copies() const;

 private:
  void Apply(const InRecord& in, monitor::Mode mode);

  const monitor::Labelling& labelling_;
  const MonitorInputs inputs_;
  const std::string state_topic_;
  const std::string state_key_;
  const Clock& clock_;
  // What the open transaction has counted.
  monitor::Monitor working_;
  absl::flat_hash_map<PartitionId, int64_t> working_positions_;
  // What committed: the working state goes back to it when a transaction aborts.
  mutable std::mutex mu_;
  monitor::Monitor committed_;
  absl::flat_hash_map<PartitionId, int64_t> committed_positions_;
};

// Serves MonitorProcessor::Collect at each scrape. `owner` (what holds the processor and the
// clock) lives as long as the exporter, however long the HTTP server keeps it.
class MonitorExporter final : public prometheus::Collectable {
 public:
  MonitorExporter(const MonitorProcessor& processor, const Clock& clock,
                  std::shared_ptr<const void> owner)
      : processor_(processor), clock_(clock), owner_(std::move(owner)) {}
  std::vector<prometheus::MetricFamily> Collect() const override {
    return processor_.Collect(clock_.Now());
  }

 private:
  const MonitorProcessor& processor_;
  const Clock& clock_;
  const std::shared_ptr<const void> owner_;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_MONITOR_APP_H_
