#include "services/common/core/grants.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/core/queue.h"

namespace referral {

bool ClientGrant::MaySubmitFor(const std::string& force_code) const {
  return force_codes.contains(absl::AsciiStrToUpper(force_code));
}

absl::StatusOr<Grants> Grants::FromConfig(const config::v1::Grants& config,
                                          const config::v1::Directory* directory) {
  FieldErrors errors;
  Grants grants;
  std::set<std::string> names;
  for (int i = 0; i < config.grants_size(); ++i) {
    const config::v1::Grant& grant = config.grants(i);
    const std::string path = absl::StrCat("grants[", i, "]");
    ClientGrant client{.name = grant.name()};
    if (grant.name().empty()) {
      errors.push_back({path + ".name", "required"});
    } else if (grant.name().size() > 64 ||
               !std::all_of(grant.name().begin(), grant.name().end(), [](char c) {
                 return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
               })) {
      // Names are joined with '.' into consumer-group ids and audit keys: none may hold one.
      errors.push_back({path + ".name", "1 to 64 letters, digits, '-' or '_'"});
    } else if (!names.insert(grant.name()).second) {
      errors.push_back({path + ".name", absl::StrCat("\"", grant.name(), "\" named twice")});
    }
    if (grant.identities().empty()) errors.push_back({path + ".identities", "at least one"});
    for (int j = 0; j < grant.identities_size(); ++j) {
      const std::string& identity = grant.identities(j);
      const std::string where = absl::StrCat(path, ".identities[", j, "]");
      if (identity.empty()) {
        errors.push_back({where, "empty"});
      } else if (!grants.by_identity_.emplace(identity, grants.grants_.size()).second) {
        errors.push_back({where, absl::StrCat("\"", identity, "\" is in two grants")});
      }
    }
    for (int j = 0; j < grant.queues_size(); ++j) {
      const std::string where = absl::StrCat(path, ".queues[", j, "]");
      absl::StatusOr<Queue> queue = ParseQueue(grant.queues(j));
      if (!queue.ok()) {
        errors.push_back({where, std::string(queue.status().message())});
      } else if (directory != nullptr && !DirectoryHasQueue(*directory, *queue)) {
        errors.push_back({where, absl::StrCat("no queue \"", queue->Name(),
                                              "\" in the directory")});
      } else {
        client.queues.insert(queue->Name());
      }
    }
    for (int j = 0; j < grant.force_codes_size(); ++j) {
      if (grant.force_codes(j).empty()) {
        errors.push_back({absl::StrCat(path, ".force_codes[", j, "]"), "empty"});
      }
      client.force_codes.insert(absl::AsciiStrToUpper(grant.force_codes(j)));
    }
    grants.grants_.push_back(std::move(client));
  }
  if (!errors.empty()) return FieldErrorsToStatus(errors);
  return grants;
}

std::optional<ClientGrant> Grants::Find(const std::vector<std::string>& identities) const {
  std::optional<size_t> found;
  for (const std::string& identity : identities) {
    auto it = by_identity_.find(identity);
    if (it == by_identity_.end()) continue;
    if (found && *found != it->second) return std::nullopt;
    found = it->second;
  }
  if (!found) return std::nullopt;
  return grants_[*found];
}

}  // namespace referral
