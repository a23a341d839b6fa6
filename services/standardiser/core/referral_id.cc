#include "services/standardiser/core/referral_id.h"

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <memory>

#include "absl/strings/escaping.h"
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
  // One context per thread, reset for each id: EVP_Digest would allocate and free one per call.
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(
      EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  const std::string& name_space = NamespaceBytes();
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_size = 0;
  EVP_DigestInit_ex2(context.get(), Sha1(), nullptr);
  EVP_DigestUpdate(context.get(), name_space.data(), name_space.size());
  EVP_DigestUpdate(context.get(), force_code.data(), force_code.size());
  EVP_DigestUpdate(context.get(), "/", 1);
  EVP_DigestUpdate(context.get(), incident_id.data(), incident_id.size());
  EVP_DigestUpdate(context.get(), "/", 1);
  EVP_DigestUpdate(context.get(), la_code.data(), la_code.size());
  EVP_DigestFinal_ex(context.get(), digest.data(), &digest_size);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x50);  // version 5
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);  // RFC 4122 variant
  // 8-4-4-4-12 lower-case hex digits.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id.push_back('-');
    id.push_back(kHex[digest[i] >> 4]);
    id.push_back(kHex[digest[i] & 0x0f]);
  }
  return id;
}

}  // namespace referral
