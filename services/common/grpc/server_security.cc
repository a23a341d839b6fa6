#include "services/common/grpc/server_security.h"

#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/config/config_file.h"
#include "services/common/config/setup.h"
#include "services/common/observe/log.h"

namespace referral {
namespace {

constexpr uint32_t kDefaultReloadIntervalS = 10;

absl::StatusOr<std::string> RequiredFile(const std::string& configured,
                                         const std::filesystem::path& config_path,
                                         const std::string& field) {
  if (configured.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  const std::filesystem::path path = Beside(config_path, configured);
  if (absl::StatusOr<std::string> text = ReadFile(path); !text.ok()) {
    return absl::NotFoundError(absl::StrCat(field, ": cannot read ", path.string()));
  }
  return path.string();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MutualTlsCredentials(
    const config::v1::Tls& tls, const std::filesystem::path& config_path,
    const std::string& field) {
  absl::StatusOr<std::string> cert =
      RequiredFile(tls.cert_file(), config_path, field + ".cert_file");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = RequiredFile(tls.key_file(), config_path, field + ".key_file");
  if (!key.ok()) return key.status();
  absl::StatusOr<std::string> ca =
      RequiredFile(tls.client_ca_file(), config_path, field + ".client_ca_file");
  if (!ca.ok()) return ca.status();
  const uint32_t interval =
      tls.reload_interval_s() > 0 ? tls.reload_interval_s() : kDefaultReloadIntervalS;
  auto provider =
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(*key, *cert, *ca,
                                                                           interval);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  // A certificate that is offered must verify (else the handshake fails); a call without one is
  // answered UNAUTHENTICATED by Authenticate(), which says why, rather than a bare handshake error.
  options.set_cert_request_type(GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  std::shared_ptr<grpc::ServerCredentials> credentials =
      grpc::experimental::TlsServerCredentials(options);
  if (credentials == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": gRPC refused the TLS settings"));
  }
  return credentials;
}

std::vector<std::string> PeerIdentities(const grpc::ServerContext& context) {
  std::vector<std::string> identities;
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) return identities;
  for (const char* property :
       {GRPC_X509_SUBJECT_PROPERTY_NAME, GRPC_X509_CN_PROPERTY_NAME, GRPC_X509_SAN_PROPERTY_NAME}) {
    for (const grpc::string_ref& value : auth->FindPropertyValues(property)) {
      identities.emplace_back(value.data(), value.size());
    }
  }
  return identities;
}

GrantsFile::GrantsFile(std::filesystem::path path, config::v1::Directory directory)
    : path_(std::move(path)), directory_(std::move(directory)) {}

absl::StatusOr<std::unique_ptr<GrantsFile>> GrantsFile::Open(std::filesystem::path path,
                                                             config::v1::Directory directory) {
  std::unique_ptr<GrantsFile> file(new GrantsFile(std::move(path), std::move(directory)));
  absl::StatusOr<std::shared_ptr<const Grants>> grants = file->Load();
  if (!grants.ok()) return grants.status();
  file->grants_ = *std::move(grants);
  file->checked_at_ = absl::Now();
  return file;
}

absl::StatusOr<std::shared_ptr<const Grants>> GrantsFile::Load() {
  std::error_code error;
  const auto mtime = std::filesystem::last_write_time(path_, error);
  const auto size = std::filesystem::file_size(path_, error);
  config::v1::Grants config;
  if (absl::Status loaded = LoadConfigFile(path_, config); !loaded.ok()) return loaded;
  absl::StatusOr<Grants> grants = Grants::FromConfig(config, &directory_);
  if (!grants.ok()) {
    return absl::Status(grants.status().code(),
                        absl::StrCat(path_.string(), ": ", grants.status().message()));
  }
  loaded_mtime_ = mtime;
  loaded_size_ = size;
  return std::make_shared<const Grants>(*std::move(grants));
}

std::shared_ptr<const Grants> GrantsFile::Current() {
  std::lock_guard lock(mutex_);
  const absl::Time now = absl::Now();
  if (now - checked_at_ < absl::Seconds(1)) return grants_;
  checked_at_ = now;
  std::error_code error;
  const auto mtime = std::filesystem::last_write_time(path_, error);
  const auto size = std::filesystem::file_size(path_, error);
  if (error) {
    // Gone (being replaced, or removed): the grants in force stay; said once, not every second.
    if (!missing_reported_) {
      log::Error("grants_reload_refused",
                 {{"file", path_.string()}, {"reason", "cannot read the file"}});
      missing_reported_ = true;
    }
    return grants_;
  }
  missing_reported_ = false;
  if (mtime == loaded_mtime_ && size == loaded_size_) return grants_;
  absl::StatusOr<std::shared_ptr<const Grants>> reloaded = Load();
  if (!reloaded.ok()) {
    log::Error("grants_reload_refused", {{"file", path_.string()},
                                         {"reason", std::string(reloaded.status().message())}});
    // Not again until the file changes once more.
    loaded_mtime_ = mtime;
    loaded_size_ = size;
    return grants_;
  }
  grants_ = *std::move(reloaded);
  log::Info("grants_reloaded", {{"file", path_.string()}, {"grants", grants_->size()}});
  return grants_;
}

absl::StatusOr<ClientGrant> Authenticate(const grpc::ServerContext& context, GrantsFile& grants) {
  const std::vector<std::string> identities = PeerIdentities(context);
  if (identities.empty()) {
    return absl::UnauthenticatedError("a verified client certificate is required");
  }
  std::optional<ClientGrant> grant = grants.Current()->Find(identities);
  if (!grant) {
    return absl::UnauthenticatedError(
        absl::StrCat("no grant for the client certificate \"", identities.front(), "\""));
  }
  return *std::move(grant);
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace referral
