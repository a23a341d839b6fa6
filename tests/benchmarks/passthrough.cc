// The benchmark baseline: a service that consumes records and produces the same bytes (key,
// value, headers) to another topic, through the same KafkaTransactionalLoop and settings as the
// real services. The pipeline's cost over this is the cost of standardising and routing.
#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "services/common/app/log.h"
#include "services/common/app/service_runner.h"
#include "services/common/kafka/dead_letter.h"

namespace {

class PassthroughProcessor final : public referral::RecordProcessor {
 public:
  explicit PassthroughProcessor(std::string output) : output_(std::move(output)) {}
  void Process(const referral::InRecord& in, std::vector<referral::OutRecord>& out) override {
    out.push_back({output_, std::string(in.key), std::string(in.value), in.headers});
  }
  referral::OutRecord DeadLetter(const referral::InRecord& in, absl::string_view reason,
                                 absl::string_view detail) override {
    return referral::MakeDeadLetter(in, output_ + ".dlq", "passthrough", reason, detail);
  }

 private:
  std::string output_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"passthrough: consume -> produce the same bytes, in transactions (benchmark baseline)"};
  referral::ServiceRun run;
  std::string input;
  std::string output;
  std::string group;
  uint32_t commit_interval_ms = 100;
  app.add_option("--input", input, "input topic")->required();
  app.add_option("--output", output, "output topic")->required();
  app.add_option("--group", group, "consumer group")->required();
  app.add_option("--instance", run.instance, "instance name");
  app.add_option("--http-listen", run.http_listen, "address:port")->capture_default_str();
  app.add_option("--commit-interval-ms", commit_interval_ms, "commit interval");
  CLI11_PARSE(app, argc, argv);

  referral::log::Init("passthrough");
  run.service = "passthrough";
  run.config_path = "passthrough";
  run.default_http_listen = "127.0.0.1:0";
  run.kafka.set_group_id(group);
  run.kafka.set_commit_interval_ms(commit_interval_ms);
  run.input_topics = {input};
  run.output_topics = {output, output + ".dlq"};
  PassthroughProcessor processor(output);
  referral::ServiceMetrics metrics(std::make_shared<prometheus::Registry>(), "passthrough",
                                   REFERRAL_VERSION);
  return referral::RunService(run, processor, metrics);
}
