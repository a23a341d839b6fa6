// Who may call the gRPC services, and for what (config `Grants`): client identities from TLS
// certificates mapped to named client systems, with the queues each may read (feed) and the
// forces each may submit for (intake).
#ifndef REFERRAL_SERVICES_COMMON_CORE_GRANTS_H_
#define REFERRAL_SERVICES_COMMON_CORE_GRANTS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "referral/config/v1/config.pb.h"
#include "services/common/core/field_error.h"

namespace referral {

// One client system's grant, validated.
struct ClientGrant {
  std::string name;
  std::set<std::string> queues;       // queue names, as ParseQueue() accepts them
  std::set<std::string> force_codes;  // upper case
  bool MayRead(const std::string& queue) const { return queues.contains(queue); }
  bool MaySubmitFor(const std::string& force_code) const;
};

class Grants {
 public:
  // Validates `config`: names present and unique, identities present and each in one grant,
  // queues well formed and (when `directory` is given) in the directory. Returns every problem
  // as a FieldError ("grants[1].queues[0]: ...").
  static absl::StatusOr<Grants> FromConfig(const config::v1::Grants& config,
                                           const config::v1::Directory* directory);

  // The grant of a client presenting these certificate identities (subject, common name, SANs);
  // std::nullopt when none is granted. Identities matching two grants match none (FromConfig
  // refuses that, so this only guards).
  std::optional<ClientGrant> Find(const std::vector<std::string>& identities) const;

  size_t size() const { return grants_.size(); }

 private:
  std::vector<ClientGrant> grants_;
  std::map<std::string, size_t> by_identity_;
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_CORE_GRANTS_H_
