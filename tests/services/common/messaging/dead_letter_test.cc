// Dead letters: what each form keeps, and one counter per reason.
#include "services/common/messaging/dead_letter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "tests/testing/service_doubles.h"

namespace referral {
namespace {


InRecord Rejected() {
  InRecord in;
  in.topic = "incidents.v1";
  in.partition = 4;
  in.offset = 1234;
  in.key = "ASP-1";
  in.value = "{not json";
  in.headers = {{"content-type", "application/json"},
                {"trace", std::string(5000, 't')},
                {"ce_id", "ASP-1.r3"},
                {"ce_type", "uk.police.incident"}};
  return in;
}

TEST(DeadLetterMetricsTest, EveryReasonIsThereAtZeroBeforeTheFirstDeadLetter) {
  prometheus::Registry registry;
  DeadLetterMetrics metrics(registry);
  std::vector<std::string> reasons;
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    for (const prometheus::ClientMetric& metric : family.metric) {
      EXPECT_EQ(metric.counter.value, 0);
      reasons.push_back(metric.label.at(0).value);
    }
  }
  EXPECT_THAT(reasons, ::testing::UnorderedElementsAre("invalid", "undecodable",
                                                       "unsupported_content_type", "unroutable",
                                                       "too_large", "produce_failed",
                                                       "unencodable"));
}

TEST(DeadLetterTest, WholeKeepsKeyValueAndHeadersThenAddsWhyAndWhere) {
  const OutRecord letter = MakeDeadLetter(Rejected(), "incidents.dlq.v1", "standardiser",
                                          "undecodable", "value: invalid JSON");
  EXPECT_EQ(letter.topic, "incidents.dlq.v1");
  EXPECT_EQ(letter.key, "ASP-1");
  EXPECT_EQ(letter.value, "{not json");
  EXPECT_EQ(testing::HeaderValue(letter, "content-type"), "application/json");
  EXPECT_EQ(testing::HeaderValue(letter, kDlqReason), "undecodable");
  EXPECT_EQ(testing::HeaderValue(letter, kDlqErrors), "value: invalid JSON");
  EXPECT_EQ(testing::HeaderValue(letter, kDlqService), "standardiser");
  EXPECT_EQ(testing::HeaderValue(letter, kDlqSourceTopic), "incidents.v1");
  EXPECT_EQ(testing::HeaderValue(letter, kDlqSourcePartition), "4");
  EXPECT_EQ(testing::HeaderValue(letter, kDlqSourceOffset), "1234");
  EXPECT_EQ(CutDeadLetter(letter, DeadLetterForm::kWhole).headers.size(), letter.headers.size());
}

// Issue 9: a dead letter kept the record's ce_id, so a consumer de-duplicating on it dropped the
// dead letter as a copy of the record.
TEST(DeadLetterTest, IsACloudEventOfItsOwnKeepingTheRecordsUnderAnotherName) {
  const OutRecord letter = MakeDeadLetter(Rejected(), "incidents.dlq.v1", "standardiser",
                                          "undecodable", "value: invalid JSON");
  EXPECT_EQ(testing::HeaderValue(letter, "ce_id"), "incidents.v1/4/1234/dead_letter");
  EXPECT_EQ(testing::HeaderValue(letter, "ce_type"), "uk.gov.referral.v1.dead_letter");
  EXPECT_EQ(testing::HeaderValue(letter, "ce_source"), "/referral-gateway/standardiser");
  EXPECT_EQ(testing::HeaderValue(letter, "ce_specversion"), "1.0");
  EXPECT_EQ(testing::HeaderValue(letter, "dlq_original_ce_id"), "ASP-1.r3");
  EXPECT_EQ(testing::HeaderValue(letter, "dlq_original_ce_type"), "uk.police.incident");
  int ce_ids = 0;
  for (const Header& h : letter.headers) ce_ids += h.name == "ce_id";
  EXPECT_EQ(ce_ids, 1);
}

TEST(DeadLetterTest, WithoutValueKeepsKeyAndHeadersAndSaysSo) {
  const OutRecord letter = CutDeadLetter(
      MakeDeadLetter(Rejected(), "dlq", "standardiser", "produce_failed", "too large"),
      DeadLetterForm::kWithoutValue);
  EXPECT_EQ(letter.value, "");
  EXPECT_EQ(letter.key, "ASP-1");
  EXPECT_EQ(testing::HeaderValue(letter, "trace"), std::string(5000, 't'));
  EXPECT_EQ(testing::HeaderValue(letter, kDlqOmitted), "value");
  EXPECT_EQ(testing::HeaderValue(letter, kDlqValueDropped), "true");
}

TEST(DeadLetterTest, CoordinatesOnlyKeepsTheDlqHeadersCutToOneKibibyte) {
  const OutRecord letter = CutDeadLetter(
      MakeDeadLetter(Rejected(), "dlq", "standardiser", "produce_failed", std::string(3000, 'e')),
      DeadLetterForm::kCoordinatesOnly);
  EXPECT_EQ(letter.topic, "dlq");
  EXPECT_EQ(letter.key, "");
  EXPECT_EQ(letter.value, "");
  EXPECT_EQ(testing::HeaderValue(letter, "content-type"), "<absent>");
  EXPECT_EQ(testing::HeaderValue(letter, "trace"), "<absent>");
  EXPECT_EQ(testing::HeaderValue(letter, kDlqErrors), std::string(1024, 'e'));
  EXPECT_EQ(testing::HeaderValue(letter, kDlqSourceOffset), "1234");
  EXPECT_EQ(testing::HeaderValue(letter, kDlqReason), "produce_failed");
  EXPECT_EQ(testing::HeaderValue(letter, kDlqOmitted), "key,value,headers");
  EXPECT_EQ(testing::HeaderValue(letter, "ce_id"), "incidents.v1/4/1234/dead_letter");
  EXPECT_EQ(testing::HeaderValue(letter, "dlq_original_ce_id"), "ASP-1.r3");
  // Six dlq_* headers, dlq_omitted, four ce_* of its own and two of the record's.
  EXPECT_EQ(letter.headers.size(), 13u);
}

TEST(DeadLetterTest, TheDeadLettererCountsByReason) {
  prometheus::Registry registry;
  DeadLetterMetrics metrics(registry);
  DeadLetterer dead_letter("dlq", "router", metrics);
  dead_letter(Rejected(), "invalid", "referral_id: required");
  dead_letter(Rejected(), "invalid", "referral_id: required");
  const OutRecord letter = dead_letter(Rejected(), "unroutable", "no LA");
  EXPECT_EQ(metrics.For("invalid").Value(), 2);
  EXPECT_EQ(metrics.For("unroutable").Value(), 1);
  EXPECT_EQ(testing::HeaderValue(letter, kDlqService), "router");
  EXPECT_EQ(letter.topic, "dlq");
}

}  // namespace
}  // namespace referral
