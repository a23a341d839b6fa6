#include "services/referralctl/probe_command.h"

#include <civetweb.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace referral::ctl {
namespace {

struct Target {
  std::string host;
  int port = 80;
  std::string path;
};

bool ParseUrl(absl::string_view url, Target& target) {
  if (!absl::ConsumePrefix(&url, "http://")) return false;
  const size_t slash = url.find('/');
  absl::string_view authority = url.substr(0, slash);
  target.path = slash == absl::string_view::npos ? "/" : std::string(url.substr(slash));
  const size_t colon = authority.rfind(':');
  if (colon != absl::string_view::npos) {
    if (!absl::SimpleAtoi(authority.substr(colon + 1), &target.port) || target.port <= 0 ||
        target.port > 65535) {
      return false;
    }
    authority = authority.substr(0, colon);
  }
  target.host = std::string(authority);
  return !target.host.empty();
}

}  // namespace

int Probe(const ProbeOptions& options, std::ostream& out, std::ostream& err) {
  if (options.urls.empty()) {
    err << "probe: give one or more URLs\n";
    return 2;
  }
  std::vector<Target> targets;
  for (const std::string& url : options.urls) {
    Target target;
    if (!ParseUrl(url, target)) {
      err << "probe: \"" << url << "\" is not http://host[:port]/path\n";
      return 2;
    }
    targets.push_back(std::move(target));
  }
  mg_init_library(0);
  int failed = 0;
  for (size_t i = 0; i < targets.size(); ++i) {
    const Target& t = targets[i];
    char error[256] = "";
    mg_connection* connection = mg_connect_client(t.host.c_str(), t.port, 0, error, sizeof(error));
    std::string why;
    if (connection == nullptr) {
      why = error;
    } else {
      mg_printf(connection, "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", t.path.c_str(), t.host.c_str());
      if (mg_get_response(connection, error, sizeof(error),
                          static_cast<int>(options.timeout * 1000)) < 0) {
        why = absl::StrCat("no answer: ", error);
      } else if (const mg_response_info* info = mg_get_response_info(connection);
                 info == nullptr || info->status_code != 200) {
        why = absl::StrCat("status ", info == nullptr ? 0 : info->status_code);
      }
      mg_close_connection(connection);
    }
    if (why.empty()) {
      out << "ok " << options.urls[i] << "\n";
    } else {
      out << "failed " << options.urls[i] << ": " << why << "\n";
      ++failed;
    }
  }
  mg_exit_library();
  return failed == 0 ? 0 : 1;
}

}  // namespace referral::ctl
