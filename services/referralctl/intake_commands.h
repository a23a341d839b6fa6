// referralctl submit: a control room's view of the gRPC intake. Each incident of a file is
// submitted over mTLS and the answer printed: the referrals it makes, where each goes and by
// when, and the quality issues; or every violation with its field path.
#ifndef REFERRAL_SERVICES_REFERRALCTL_INTAKE_COMMANDS_H_
#define REFERRAL_SERVICES_REFERRALCTL_INTAKE_COMMANDS_H_

#include <ostream>
#include <string>

#include "services/referralctl/feed_commands.h"

namespace referral::ctl {

struct SubmitOptions {
  GrpcTarget grpc{.target = "localhost:50052"};
  std::string input;  // incident JSON file (a document or JSON lines), or - for stdin
  bool json = false;  // print each answer as JSON
};
// Exit status 0 when every incident was accepted, 2 when some were invalid (each violation on
// stderr as "<where>: <field>: <description>"), 1 when the intake could not answer.
int Submit(const SubmitOptions& options, std::ostream& out, std::ostream& err);

}  // namespace referral::ctl

#endif  // REFERRAL_SERVICES_REFERRALCTL_INTAKE_COMMANDS_H_
