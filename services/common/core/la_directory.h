// The local authorities the gateway knows and how an address resolves to one of them. Built once
// from a validated `referral.config.v1.Directory`; lookups are allocation-free on the hot path.
#ifndef REFERRAL_SERVICES_COMMON_CORE_LA_DIRECTORY_H_
#define REFERRAL_SERVICES_COMMON_CORE_LA_DIRECTORY_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "referral/config/v1/config.pb.h"
#include "referral/v1/incident.pb.h"
#include "services/common/core/field_error.h"

namespace referral {

// Checks what the proto cannot: GSS code and EDT id formats, unique LAs, valid hours and dates,
// postcode keys. Returns every problem with its field path (`local_authorities[2].gss_code: ...`).
FieldErrors ValidateDirectory(const config::v1::Directory& directory);

// Normalises a UK postcode to upper case with one space before the inward code ("bs14dj" →
// "BS1 4DJ"). A bare outward code ("bs16") comes back as "BS16". Returns "" for text that is not
// shaped like a postcode or an outward code.
std::string NormalisePostcode(absl::string_view postcode);

class LaDirectory {
 public:
  // Returns kInvalidArgument listing every ValidateDirectory() problem.
  static absl::StatusOr<LaDirectory> Create(config::v1::Directory directory);

  // The LA with this GSS code, or nullptr when the directory does not hold it.
  const config::v1::LocalAuthority* Find(absl::string_view gss_code) const;

  // The GSS code responsible for `address`: its explicit `la_code` (even one not in the
  // directory, so that the router can send it to triage), else the postcode sector, else the
  // postcode district mapping. Returns "" when nothing resolves.
  std::string Resolve(const v1::Address& address) const;

  const config::v1::Directory& config() const { return config_; }

 private:
  explicit LaDirectory(config::v1::Directory directory);

  config::v1::Directory config_;
  absl::flat_hash_map<std::string, int> by_gss_;  // index into config_.local_authorities()
  absl::flat_hash_map<std::string, std::string> by_postcode_prefix_;  // normalised key → GSS
};

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_CORE_LA_DIRECTORY_H_
