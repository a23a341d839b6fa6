#include "services/common/kafka/dead_letter.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace referral {

OutRecord MakeDeadLetter(const InRecord& in, absl::string_view topic, absl::string_view service,
                         absl::string_view reason, absl::string_view errors) {
  OutRecord out;
  out.topic = std::string(topic);
  out.key = std::string(in.key);
  out.value = std::string(in.value);
  out.headers = in.headers;
  out.headers.push_back({std::string(kDlqReason), std::string(reason)});
  out.headers.push_back({std::string(kDlqErrors), std::string(errors)});
  out.headers.push_back({std::string(kDlqService), std::string(service)});
  out.headers.push_back({std::string(kDlqSourceTopic), std::string(in.topic)});
  out.headers.push_back({std::string(kDlqSourcePartition), absl::StrCat(in.partition)});
  out.headers.push_back({std::string(kDlqSourceOffset), absl::StrCat(in.offset)});
  return out;
}

}  // namespace referral
