#include "services/common/config/config_file.h"

#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "services/common/core/time_util.h"

namespace referral {
namespace {

bool LooksLikeJsonNumber(const std::string& text) {
  if (text.empty()) return false;
  try {
    const nlohmann::json value = nlohmann::json::parse(text);
    return value.is_number();
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

nlohmann::json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& entry : node) object[entry.first.as<std::string>()] = ToJson(entry.second);
      return object;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json array = nlohmann::json::array();
      for (const auto& item : node) array.push_back(ToJson(item));
      return array;
    }
    case YAML::NodeType::Scalar: {
      const std::string& text = node.Scalar();
      if (node.Tag() != "?") return text;  // quoted: always a string
      if (text == "true") return true;
      if (text == "false") return false;
      if (text == "null" || text == "~") return nullptr;
      if (LooksLikeJsonNumber(text)) return nlohmann::json::parse(text);
      return text;
    }
    default:
      return nullptr;
  }
}

std::string Sha256Hex(absl::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest.data()), size));
}

}  // namespace

absl::StatusOr<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path.string(), ": cannot open"));
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

absl::StatusOr<std::string> YamlToJson(absl::string_view yaml) {
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    return ToJson(root).dump();
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("line ", e.mark.line + 1, ", column ",
                                                   e.mark.column + 1, ": ", e.msg));
  }
}

absl::Status ParseConfigText(absl::string_view text, absl::string_view origin,
                             google::protobuf::Message& message) {
  absl::StatusOr<std::string> json = YamlToJson(text);
  if (!json.ok()) return absl::InvalidArgumentError(absl::StrCat(origin, ": ", json.status().message()));
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(*json, &message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(origin, ": ", std::string(status.message())));
  }
  return absl::OkStatus();
}

absl::Status LoadConfigFile(const std::filesystem::path& path, google::protobuf::Message& message) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseConfigText(*text, path.string(), message);
}

absl::StatusOr<BankHolidays> ParseBankHolidays(absl::string_view text, absl::string_view division) {
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("bank holidays: not JSON: ", e.what()));
  }
  const std::string key(division);
  if (!root.is_object() || !root.contains(key) || !root[key].is_object() ||
      !root[key].contains("events") || !root[key]["events"].is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat("bank holidays: no division \"", division, "\" with an events array"));
  }
  std::vector<std::pair<absl::CivilDay, std::string>> days;
  const nlohmann::json& events = root[key]["events"];
  for (size_t i = 0; i < events.size(); ++i) {
    const nlohmann::json& event = events[i];
    const std::string path = absl::StrCat(division, ".events[", i, "]");
    if (!event.is_object() || !event.contains("date") || !event["date"].is_string()) {
      return absl::InvalidArgumentError(absl::StrCat("bank holidays: ", path, ".date: required"));
    }
    const auto day = ParseDate(event["date"].get<std::string>());
    if (!day) {
      return absl::InvalidArgumentError(
          absl::StrCat("bank holidays: ", path, ".date: want YYYY-MM-DD"));
    }
    std::string title = event.contains("title") && event["title"].is_string()
                            ? event["title"].get<std::string>()
                            : "Bank holiday";
    // GOV.UK marks substitute days in `notes`; keep that visible ("Boxing Day (Substitute day)").
    const auto notes = event.find("notes");
    if (notes != event.end() && notes->is_string() && !notes->get<std::string>().empty()) {
      title = absl::StrCat(title, " (", notes->get<std::string>(), ")");
    }
    days.emplace_back(*day, std::move(title));
  }
  return BankHolidays(absl::StrCat(division, "@", Sha256Hex(text).substr(0, 12)), days);
}

}  // namespace referral
