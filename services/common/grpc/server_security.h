// Transport security and caller identity for the gRPC services: TLS server credentials that
// require and verify a client certificate (mTLS) and re-read their files while serving, the
// caller's certificate identities, and the grants file, reloaded when it changes.
#ifndef REFERRAL_SERVICES_COMMON_GRPC_SERVER_SECURITY_H_
#define REFERRAL_SERVICES_COMMON_GRPC_SERVER_SECURITY_H_

#include <grpcpp/grpcpp.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "referral/config/v1/config.pb.h"
#include "services/common/core/grants.h"

namespace referral {

// mTLS server credentials from `tls` (paths relative to the config file `config_path`): the
// server's certificate and key, and the CAs client certificates must chain to (an expired or
// foreign certificate fails the handshake; a call with none reaches Authenticate(), which refuses
// it). gRPC re-reads the files every `reload_interval_s`. Returns kInvalidArgument naming the field of a missing setting
// and kNotFound naming an unreadable file. gRPC refuses TLS below 1.2.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MutualTlsCredentials(
    const config::v1::Tls& tls, const std::filesystem::path& config_path,
    const std::string& field = "grpc.tls");

// The identities of the caller's verified client certificate: its subject ("CN=x,O=y"), common
// name and subject alternative names. Empty when the call has no verified certificate.
std::vector<std::string> PeerIdentities(const grpc::ServerContext& context);

// The grants file, loaded at construction and re-read (at most once a second, when its
// modification time or size changed) on Current(). A changed file that fails to load is logged
// ("grants_reload_refused", with the reason) and the previous grants stay in force.
class GrantsFile {
 public:
  // Returns the error naming the file and field when it does not load.
  static absl::StatusOr<std::unique_ptr<GrantsFile>> Open(std::filesystem::path path,
                                                          config::v1::Directory directory);

  std::shared_ptr<const Grants> Current();

 private:
  GrantsFile(std::filesystem::path path, config::v1::Directory directory);
  absl::StatusOr<std::shared_ptr<const Grants>> Load();

  const std::filesystem::path path_;
  const config::v1::Directory directory_;
  std::mutex mutex_;
  std::shared_ptr<const Grants> grants_;
  std::filesystem::file_time_type loaded_mtime_;
  std::uintmax_t loaded_size_ = 0;
  absl::Time checked_at_ = absl::InfinitePast();
  bool missing_reported_ = false;
};

// The caller's grant, or UNAUTHENTICATED (no verified certificate, or one no grant names).
absl::StatusOr<ClientGrant> Authenticate(const grpc::ServerContext& context, GrantsFile& grants);

// absl::Status → grpc::Status with the same code and message.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace referral

#endif  // REFERRAL_SERVICES_COMMON_GRPC_SERVER_SECURITY_H_
