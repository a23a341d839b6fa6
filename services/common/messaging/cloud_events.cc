#include "services/common/messaging/cloud_events.h"

namespace referral {

std::vector<Header> CloudEventHeaders(Encoding encoding, absl::string_view id,
                                      absl::string_view source, absl::string_view type,
                                      absl::Time time) {
  return {
      {std::string(kContentTypeHeader), std::string(ContentTypeOf(encoding))},
      {"ce_specversion", "1.0"},
      {"ce_id", std::string(id)},
      {"ce_source", std::string(source)},
      {"ce_type", std::string(type)},
      {"ce_time", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone())},
  };
}

}  // namespace referral
