// The benchmark baseline: a service that consumes records and produces the same bytes (key,
// value, headers) to another topic, through the same service shell, KafkaTransactionalLoop and
// settings as the real services. The pipeline's cost over this is the cost of standardising and
// routing.
#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "services/common/messaging/dead_letter.h"
#include "services/common/service/kafka_loop_service.h"
#include "services/common/service/service_main.h"

namespace {

struct Flags {
  std::string input;
  std::string output;
  std::string group;
  uint32_t commit_interval_ms = 100;
};

class PassthroughProcessor final : public referral::RecordProcessor {
 public:
  PassthroughProcessor(std::string output, referral::DeadLetterMetrics& metrics)
      : output_(output), dead_letter_(output + ".dlq", "passthrough", metrics) {}
  void Process(const referral::InRecord& in, std::vector<referral::OutRecord>& out) override {
    out.push_back({output_, std::string(in.key), std::string(in.value), in.headers});
  }
  referral::OutRecord DeadLetter(const referral::InRecord& in, absl::string_view reason,
                                 absl::string_view detail) override {
    return dead_letter_(in, reason, detail);
  }

 private:
  const std::string output_;
  referral::DeadLetterer dead_letter_;
};

struct Parts {
  Parts(const Flags& flags, prometheus::Registry& registry)
      : dead_letters(registry), processor(flags.output, dead_letters) {}
  referral::DeadLetterMetrics dead_letters;
  PassthroughProcessor processor;
};

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  return referral::ServiceMain(
      argc, argv,
      {.name = "passthrough",
       .summary = "passthrough: consume -> produce the same bytes, in transactions (benchmark "
                  "baseline)",
       .default_config = "",
       .default_http_listen = "127.0.0.1:0",
       .make = [&flags](const referral::ServiceContext& context)
           -> absl::StatusOr<referral::LoadedService> {
         auto parts = std::make_shared<Parts>(flags, *context.registry);
         referral::config::v1::Kafka kafka;
         kafka.set_group_id(flags.group);
         kafka.set_commit_interval_ms(flags.commit_interval_ms);
         referral::LoadedService loaded;
         loaded.service = std::make_unique<referral::KafkaLoopService>(
             context, kafka,
             referral::KafkaLoopTopics{.inputs = {flags.input},
                                       .outputs = {flags.output},
                                       .dead_letters = {flags.output + ".dlq"}},
             parts->processor, parts);
         return loaded;
       },
       .add_flags = [&flags](CLI::App& app) {
         app.add_option("--input", flags.input, "input topic")->required();
         app.add_option("--output", flags.output, "output topic")->required();
         app.add_option("--group", flags.group, "consumer group")->required();
         app.add_option("--commit-interval-ms", flags.commit_interval_ms, "commit interval");
       }});
}
