#include "services/common/core/la_directory.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/core/time_util.h"

namespace referral {
namespace {

using config::v1::Directory;
using config::v1::LocalAuthority;
using config::v1::OpeningHours;
using config::v1::WeeklyHours;

bool IsGssCode(absl::string_view code) {
  if (code.size() != 9 || absl::string_view("EWSN").find(code[0]) == absl::string_view::npos) {
    return false;
  }
  for (char c : code.substr(1)) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsTopicToken(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

// A UK outward code: 1–2 letters, a digit, then an optional digit or letter.
bool IsOutwardCode(absl::string_view outward) {
  if (outward.size() < 2 || outward.size() > 4) return false;
  size_t i = 0;
  while (i < outward.size() && absl::ascii_isalpha(static_cast<unsigned char>(outward[i]))) ++i;
  if (i < 1 || i > 2 || i == outward.size()) return false;
  if (!absl::ascii_isdigit(static_cast<unsigned char>(outward[i]))) return false;
  ++i;
  if (i == outward.size()) return true;
  return i + 1 == outward.size() && absl::ascii_isalnum(static_cast<unsigned char>(outward[i]));
}

bool IsInwardCode(absl::string_view inward) {
  return inward.size() == 3 && absl::ascii_isdigit(static_cast<unsigned char>(inward[0])) &&
         absl::ascii_isalpha(static_cast<unsigned char>(inward[1])) &&
         absl::ascii_isalpha(static_cast<unsigned char>(inward[2]));
}

void ValidateHours(const OpeningHours& hours, const std::string& path, FieldErrors& errors) {
  const auto open = ParseTimeOfDay(hours.open());
  const auto close = ParseTimeOfDay(hours.close());
  if (!open) errors.push_back({path + ".open", "want HH:MM, got \"" + hours.open() + "\""});
  if (!close) errors.push_back({path + ".close", "want HH:MM, got \"" + hours.close() + "\""});
  if (open && close && *close <= *open) errors.push_back({path + ".close", "not after open"});
}

// Validates each present day; returns how many days are open.
int ValidateWeek(const WeeklyHours& week, const std::string& path, FieldErrors& errors) {
  const auto* descriptor = week.GetDescriptor();
  const auto* reflection = week.GetReflection();
  int open_days = 0;
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const auto* field = descriptor->field(i);
    if (!reflection->HasField(week, field)) continue;
    ++open_days;
    ValidateHours(static_cast<const OpeningHours&>(reflection->GetMessage(week, field)),
                  absl::StrCat(path, ".", field->name()), errors);
  }
  return open_days;
}

}  // namespace

std::string NormalisePostcode(absl::string_view postcode) {
  std::string compact;
  compact.reserve(postcode.size());
  for (char c : postcode) {
    if (c == ' ' || c == '\t') continue;
    compact.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
  }
  if (IsOutwardCode(compact)) return compact;
  if (compact.size() < 5 || compact.size() > 7) return "";
  const absl::string_view outward = absl::string_view(compact).substr(0, compact.size() - 3);
  const absl::string_view inward = absl::string_view(compact).substr(compact.size() - 3);
  if (!IsOutwardCode(outward) || !IsInwardCode(inward)) return "";
  return absl::StrCat(outward, " ", inward);
}

FieldErrors ValidateDirectory(const Directory& directory) {
  FieldErrors errors;
  if (directory.local_authorities().empty()) {
    errors.push_back({"local_authorities", "at least one local authority is required"});
  }
  const int default_open_days =
      ValidateWeek(directory.default_office_hours(), "default_office_hours", errors);
  if (default_open_days == 0) {
    errors.push_back({"default_office_hours", "no open day (also the hours of force triage)"});
  }
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < directory.local_authorities_size(); ++i) {
    const LocalAuthority& la = directory.local_authorities(i);
    const std::string path = absl::StrCat("local_authorities[", i, "]");
    if (!IsGssCode(la.gss_code())) {
      errors.push_back({path + ".gss_code", "want a GSS code like E06000023, got \"" +
                                                la.gss_code() + "\""});
    } else if (!seen.insert(la.gss_code()).second) {
      errors.push_back({path + ".gss_code", "duplicate " + la.gss_code()});
    }
    if (la.name().empty()) errors.push_back({path + ".name", "required"});
    if (!IsTopicToken(la.edt_id())) {
      errors.push_back({path + ".edt_id", "required: letters, digits, '-' or '_'"});
    }
    if (la.has_office_hours() &&
        ValidateWeek(la.office_hours(), path + ".office_hours", errors) == 0) {
      errors.push_back({path + ".office_hours", "no open day (omit it to use default_office_hours)"});
    }
    for (int d = 0; d < la.closure_dates_size(); ++d) {
      if (!ParseDate(la.closure_dates(d))) {
        errors.push_back({absl::StrCat(path, ".closure_dates[", d, "]"),
                          "want YYYY-MM-DD, got \"" + la.closure_dates(d) + "\""});
      }
    }
    for (int s = 0; s < la.special_hours_size(); ++s) {
      const std::string special = absl::StrCat(path, ".special_hours[", s, "]");
      if (!ParseDate(la.special_hours(s).date())) {
        errors.push_back({special + ".date",
                          "want YYYY-MM-DD, got \"" + la.special_hours(s).date() + "\""});
      }
      ValidateHours(la.special_hours(s).hours(), special + ".hours", errors);
    }
  }
  // Map order is unspecified: sort so that errors come out the same every time.
  std::vector<std::pair<std::string, std::string>> districts(
      directory.postcode_districts().begin(), directory.postcode_districts().end());
  std::sort(districts.begin(), districts.end());
  for (const auto& [key, gss] : districts) {
    const std::string path = absl::StrCat("postcode_districts[\"", key, "\"]");
    // Keys are matched as written (upper-cased): a district ("BS16") or a sector, that is a
    // district, one space and the inward code's digit ("BS16 7").
    const std::string upper = absl::AsciiStrToUpper(key);
    const size_t space = upper.find(' ');
    const bool district = IsOutwardCode(upper);
    const bool sector = space != std::string::npos && IsOutwardCode(upper.substr(0, space)) &&
                        upper.size() == space + 2 &&
                        absl::ascii_isdigit(static_cast<unsigned char>(upper.back()));
    if (!district && !sector) {
      errors.push_back({path, "key is not a postcode district (\"BS1\") or sector (\"BS16 7\")"});
    }
    if (!IsGssCode(gss)) errors.push_back({path, "value is not a GSS code: \"" + gss + "\""});
  }
  return errors;
}

absl::StatusOr<LaDirectory> LaDirectory::Create(Directory directory) {
  if (auto status = FieldErrorsToStatus(ValidateDirectory(directory)); !status.ok()) {
    return status;
  }
  return LaDirectory(std::move(directory));
}

LaDirectory::LaDirectory(Directory directory) : config_(std::move(directory)) {
  for (int i = 0; i < config_.local_authorities_size(); ++i) {
    by_gss_.emplace(config_.local_authorities(i).gss_code(), i);
  }
  for (const auto& [key, gss] : config_.postcode_districts()) {
    by_postcode_prefix_.emplace(absl::AsciiStrToUpper(key), gss);
  }
}

const LocalAuthority* LaDirectory::Find(absl::string_view gss_code) const {
  const auto it = by_gss_.find(gss_code);
  return it == by_gss_.end() ? nullptr : &config_.local_authorities(it->second);
}

std::string LaDirectory::Resolve(const v1::Address& address) const {
  if (!address.la_code().empty()) {
    return absl::AsciiStrToUpper(absl::StripAsciiWhitespace(address.la_code()));
  }
  const std::string postcode = NormalisePostcode(address.postcode());
  if (postcode.empty()) return "";
  const size_t space = postcode.find(' ');
  if (space != std::string::npos) {
    const auto sector = by_postcode_prefix_.find(absl::string_view(postcode).substr(0, space + 2));
    if (sector != by_postcode_prefix_.end()) return sector->second;
  }
  const auto district = by_postcode_prefix_.find(absl::string_view(postcode).substr(0, space));
  return district == by_postcode_prefix_.end() ? "" : district->second;
}

}  // namespace referral
