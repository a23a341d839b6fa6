// Golden tests: every tests/data/incidents/NN-name.incident.json standardises to exactly
// NN-name.referrals.json, is skipped for the reason in NN-name.skipped.txt, or is rejected with
// the errors in NN-name.errors.txt. The golden files show reviewers the standard format.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/common/config/config_file.h"
#include "services/standardiser/core/standardise.h"
#include "tests/testing/test_setup.h"

namespace referral {
namespace {

namespace fs = std::filesystem;

const fs::path kDataDir = fs::path(REFERRAL_SOURCE_DIR) / "tests/data/incidents";

std::vector<std::string> IncidentNames() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kDataDir)) {
    const std::string file = entry.path().filename().string();
    if (absl::EndsWith(file, ".incident.json")) {
      names.push_back(std::string(absl::StripSuffix(file, ".incident.json")));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string Read(const fs::path& path) {
  auto text = ReadFile(path);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

// What the CLI prints for an outcome's errors: one "path: message" per line.
std::string ErrorLines(const StandardiseOutcome& outcome) {
  std::string lines;
  for (const FieldError& e : outcome.errors) lines += e.ToString() + "\n";
  return lines;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, MatchesExpectedOutput) {
  const std::string name = GetParam();
  const StandardiserSetup& setup = testing::DefaultStandardiserSetup();
  const Standardiser standardiser(*setup.directory, setup.time_zone);

  v1::IncidentEvent event;
  const absl::Status decoded = Decode(Read(kDataDir / (name + ".incident.json")), Encoding::kJson, event);
  const fs::path errors = kDataDir / (name + ".errors.txt");
  if (!decoded.ok()) {
    ASSERT_TRUE(fs::exists(errors)) << name << " does not parse: " << decoded;
    EXPECT_EQ(std::string(decoded.message()) + "\n", Read(errors));
    return;
  }
  const StandardiseOutcome outcome = standardiser.Standardise(event);

  if (fs::exists(errors)) {
    ASSERT_EQ(outcome.kind, StandardiseOutcome::Kind::kRejected) << name;
    EXPECT_EQ(ErrorLines(outcome), Read(errors));
    return;
  }
  const fs::path skipped = kDataDir / (name + ".skipped.txt");
  if (fs::exists(skipped)) {
    ASSERT_EQ(outcome.kind, StandardiseOutcome::Kind::kSkipped) << name;
    EXPECT_EQ(std::string(SkipReasonName(outcome.skip_reason)) + "\n", Read(skipped));
    return;
  }
  ASSERT_EQ(outcome.kind, StandardiseOutcome::Kind::kReferrals) << name << ": " << ErrorLines(outcome);
  const nlohmann::json expected = nlohmann::json::parse(Read(kDataDir / (name + ".referrals.json")));
  ASSERT_EQ(outcome.referrals.size(), expected.size()) << name;
  for (size_t i = 0; i < expected.size(); ++i) {
    v1::Referral want;
    ASSERT_TRUE(Decode(expected[i].dump(), Encoding::kJson, want).ok());
    std::string diff;
    google::protobuf::util::MessageDifferencer differencer;
    differencer.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differencer.Compare(want, outcome.referrals[i]))
        << name << " referral " << i << " differs from the golden file:\n" << diff;
  }
}

INSTANTIATE_TEST_SUITE_P(Incidents, GoldenTest, ::testing::ValuesIn(IncidentNames()),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// The golden set is the coverage promise of the issue: every incident type and quality issue.
TEST(GoldenCoverageTest, CoversEveryIncidentTypeAndQualityIssue) {
  std::set<std::string> types;
  std::set<std::string> issues;
  for (const std::string& name : IncidentNames()) {
    const nlohmann::json incident =
        nlohmann::json::parse(Read(kDataDir / (name + ".incident.json")), nullptr, false);
    if (incident.is_object() && incident.contains("incidentType")) {
      types.insert(incident["incidentType"].get<std::string>());
    }
    const fs::path referrals = kDataDir / (name + ".referrals.json");
    if (!fs::exists(referrals)) continue;
    for (const auto& referral : nlohmann::json::parse(Read(referrals))) {
      for (const auto& issue : referral["quality"].value("issues", nlohmann::json::array())) {
        issues.insert(issue.get<std::string>());
      }
    }
  }
  for (int t = v1::IncidentType_MIN + 1; t <= v1::IncidentType_MAX; ++t) {
    EXPECT_TRUE(types.contains(v1::IncidentType_Name(t))) << v1::IncidentType_Name(t);
  }
  for (int q = v1::QualityIssue_MIN + 1; q <= v1::QualityIssue_MAX; ++q) {
    EXPECT_TRUE(issues.contains(v1::QualityIssue_Name(q))) << v1::QualityIssue_Name(q);
  }
}

}  // namespace
}  // namespace referral
