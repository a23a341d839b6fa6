#include "services/standardiser/core/referral_id.h"

#include <openssl/evp.h>

#include <array>
#include <cstdint>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace referral {
namespace {

// The namespace UUID as its 16 bytes.
const std::string& NamespaceBytes() {
  static const std::string* bytes =
      new std::string(absl::HexStringToBytes(absl::StrReplaceAll(kReferralIdNamespace, {{"-", ""}})));
  return *bytes;
}

// SHA-1, fetched once: OpenSSL 3 would otherwise look the algorithm up on every call.
const EVP_MD* Sha1() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  return md;
}

}  // namespace

std::string ReferralId(absl::string_view force_code, absl::string_view incident_id,
                       absl::string_view la_code) {
  const std::string input =
      absl::StrCat(NamespaceBytes(), force_code, "/", incident_id, "/", la_code);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_size = 0;
  EVP_Digest(input.data(), input.size(), digest.data(), &digest_size, Sha1(), nullptr);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x50);  // version 5
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);  // RFC 4122 variant
  const std::string hex = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), 16));
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20, 12));
}

}  // namespace referral
