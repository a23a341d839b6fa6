// `referralctl report`: the monitor's figures for a period, from the committed topics, as a
// table for people (Markdown, CSV or HTML).
#ifndef REFERRAL_SERVICES_REFERRALCTL_REPORT_COMMAND_H_
#define REFERRAL_SERVICES_REFERRALCTL_REPORT_COMMAND_H_

#include <ostream>
#include <string>

namespace referral::ctl {

struct ReportOptions {
  std::string bootstrap;
  std::string kafka_config;  // Kafka client settings file (client_settings.h)
  std::string config = "deploy/config/monitor.yaml";  // the monitor's
  std::string from;  // YYYY-MM-DD, first day (local time of the directory)
  std::string to;    // YYYY-MM-DD, last day, included
  std::string format = "md";  // md, csv or html
  std::string output;         // a file; stdout when empty
  double timeout = 120;       // seconds to read the topics
};

// Reads the monitor's input topics from their beginning to their end, counts the referrals routed
// in the period as the monitor does, and writes the report. Returns 0; 2 with a
// message naming the option for a usage error; 1 naming the file or topic when the config, the
// cluster or the output fails.
int Report(const ReportOptions& options, std::ostream& out, std::ostream& err);

}  // namespace referral::ctl

#endif  // REFERRAL_SERVICES_REFERRALCTL_REPORT_COMMAND_H_
