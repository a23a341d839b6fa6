// The fast JSON reader and writer (json_codec.h) against the reference, protobuf's own converter
// with the strict reading (codec.h, internal::*Reference): on every sample, on 5,000 simulated
// incidents and the referrals made of them, and on each form a value may take, the fast path
// either declines or gives what the reference gives; Decode and ToJson give the reference's
// result either way.
#include "services/common/core/json_codec.h"

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "referral/v1/incident.pb.h"
#include "referral/v1/referral.pb.h"
#include "services/common/config/setup.h"
#include "services/common/core/codec.h"
#include "services/referralctl/simulate.h"
#include "services/router/config.h"
#include "services/router/core/route.h"
#include "services/standardiser/config.h"
#include "services/standardiser/core/standardise.h"

namespace referral {
namespace {

using google::protobuf::Message;
using google::protobuf::util::MessageDifferencer;

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// What the two decoders make of `json`: Decode (fast path first) and the reference alone must
// agree on the status, its message, the message and the unknown enum names. Returns whether the
// fast path took it.
template <typename M>
bool DecodesAsTheReference(const std::string& json) {
  M fast;
  std::vector<UnknownEnumName> fast_names;
  const absl::Status fast_status = Decode(json, Encoding::kJson, fast, &fast_names);
  M reference;
  std::vector<UnknownEnumName> reference_names;
  const absl::Status reference_status =
      internal::DecodeJsonReference(json, reference, &reference_names);
  EXPECT_EQ(fast_status, reference_status) << json;
  if (fast_status.ok()) {
    EXPECT_TRUE(MessageDifferencer::Equals(fast, reference))
        << json << "\nfast: " << fast.ShortDebugString()
        << "\nreference: " << reference.ShortDebugString();
  }
  EXPECT_EQ(fast_names.size(), reference_names.size()) << json;
  M taken;
  return json::FastParse(json, taken);
}

// FastPrint's JSON, read back by protobuf's own parser, is the message; ToJson gives the
// reference's JSON wherever FastPrint declines. Returns whether the fast writer took it.
bool PrintsAsTheReference(const Message& message) {
  std::string fast;
  const bool took = json::FastPrint(message, fast);
  if (took) {
    std::unique_ptr<Message> back(message.New());
    const auto status = google::protobuf::util::JsonStringToMessage(fast, back.get());
    EXPECT_TRUE(status.ok()) << status << "\n" << fast;
    EXPECT_TRUE(MessageDifferencer::Equals(message, *back))
        << fast << "\nwant: " << message.ShortDebugString()
        << "\ngot:  " << back->ShortDebugString();
  } else {
    const absl::StatusOr<std::string> json = ToJson(message);
    const absl::StatusOr<std::string> reference = internal::ToJsonReference(message);
    EXPECT_EQ(json.status(), reference.status());
    if (json.ok() && reference.ok()) {
      EXPECT_EQ(*json, *reference);
    }
  }
  return took;
}

TEST(JsonCodecTest, EverySampleIncidentAndReferralDecodesAndPrintsAsTheReference) {
  const std::filesystem::path samples = std::string(REFERRAL_SOURCE_DIR) + "/tests/data/incidents";
  int incidents = 0, referrals = 0, fast = 0;
  for (const auto& entry : std::filesystem::directory_iterator(samples)) {
    const std::string name = entry.path().filename().string();
    if (absl::EndsWith(name, ".incident.json")) {
      const std::string json = ReadText(entry.path());
      fast += DecodesAsTheReference<v1::IncidentEvent>(json);
      v1::IncidentEvent event;
      if (Decode(json, Encoding::kJson, event).ok()) PrintsAsTheReference(event);
      ++incidents;
    } else if (absl::EndsWith(name, ".referrals.json")) {
      // A JSON list of the referrals, pretty-printed: each as its own document.
      for (const nlohmann::json& element : nlohmann::json::parse(ReadText(entry.path()))) {
        const std::string line = element.dump(2);
        fast += DecodesAsTheReference<v1::Referral>(line);
        v1::Referral referral;
        ASSERT_TRUE(Decode(line, Encoding::kJson, referral).ok()) << name;
        EXPECT_TRUE(PrintsAsTheReference(referral)) << name;
        ++referrals;
      }
    }
  }
  EXPECT_GE(incidents, 17);
  EXPECT_GE(referrals, 12);
  // The valid samples use only the forms the fast path reads (15-invalid-json does not parse).
  EXPECT_GE(fast, incidents + referrals - 4);
}

TEST(JsonCodecTest, FiveThousandSimulatedIncidentsAndTheirReferralsRoundTripAsTheReference) {
  auto standardiser_setup =
      LoadStandardiserSetup(std::string(REFERRAL_SOURCE_DIR) + "/deploy/config/standardiser.yaml");
  auto router_setup =
      LoadRouterSetup(std::string(REFERRAL_SOURCE_DIR) + "/deploy/config/router.yaml");
  ASSERT_TRUE(standardiser_setup.ok() && router_setup.ok());
  const Standardiser standardiser(*standardiser_setup->directory, standardiser_setup->time_zone);
  const Router router(*router_setup->directory, *router_setup->holidays, router_setup->topics,
                      router_setup->time_zone);
  const absl::Time now = absl::FromUnixSeconds(1795816800);  // Friday 27 November 2026, 19:20
  ctl::IncidentSimulator simulator(7, {"BS1", "BS5", "BA2", "BS20", "BS16", "TA1", "XX9"}, now);
  int incidents = 0, referrals = 0, fast_decoded = 0, fast_printed = 0;
  for (int i = 0; i < 5000; ++i) {
    ctl::SimulatedIncident incident = simulator.Next();
    if (incident.malformed) {
      DecodesAsTheReference<v1::IncidentEvent>(incident.raw);
      continue;
    }
    const absl::StatusOr<std::string> json = internal::ToJsonReference(incident.event);
    ASSERT_TRUE(json.ok());
    fast_decoded += DecodesAsTheReference<v1::IncidentEvent>(*json);
    fast_printed += PrintsAsTheReference(incident.event);
    ++incidents;
    for (v1::Referral& referral : standardiser.Standardise(incident.event).referrals) {
      auto routed = router.Route(std::move(referral), now);
      if (!routed.ok()) continue;
      for (const Delivery& delivery : *routed) {
        const absl::StatusOr<std::string> referral_json = internal::ToJsonReference(delivery.referral);
        ASSERT_TRUE(referral_json.ok());
        fast_decoded += DecodesAsTheReference<v1::Referral>(*referral_json);
        fast_printed += PrintsAsTheReference(delivery.referral);
        ++referrals;
      }
    }
    if (HasFailure()) return;
  }
  EXPECT_GT(incidents, 4700);
  EXPECT_GT(referrals, 2500);
  // Everything the simulator makes is in the forms the fast paths take.
  EXPECT_EQ(fast_decoded, incidents + referrals);
  EXPECT_EQ(fast_printed, incidents + referrals);
}

// Each form a value may take: the fast path takes the canonical ones, leaves the others to the
// reference, and Decode's answer is the reference's in every case.
TEST(JsonCodecTest, EachFormOfAValueIsTakenOrLeftAndAnsweredAsTheReference) {
  struct Case {
    const char* json;
    bool fast;  // whether the fast path takes it
  };
  const Case cases[] = {
      // uint64 revision: a string of digits (canonical), a number; a signed, spaced, exponent,
      // leading-zero or too-long string is left to the reference.
      {R"({"revision": "3"})", true},
      {R"({"revision": 3})", true},
      {R"({"revision": "18446744073709551615"})", false},  // 20 digits: the reference decides
      {R"({"revision": 18446744073709551615})", true},
      {R"({"revision": 18446744073709551616})", false},
      {R"({"revision": "-1"})", false},
      {R"({"revision": -1})", false},
      {R"({"revision": " 3"})", false},
      {R"({"revision": "3e0"})", false},
      {R"({"revision": "03"})", false},
      {R"({"revision": 3.0})", false},
      {R"({"revision": 3.5})", false},
      {R"({"revision": true})", false},
      // Names: JSON name and proto name both; a key twice (even in its two names) is left.
      {R"({"incident_id": "i1"})", true},
      {R"({"incidentId": "i1", "incidentId": "i2"})", false},
      {R"({"incidentId": "i1", "incident_id": "i2"})", false},
      {R"({"IncidentId": "i1"})", false},
      // Unknown fields and enum names: the reference's lenient reading keeps what it knows.
      {R"({"incidentId": "i1", "futureField": {"a": [1, 2]}})", false},
      {R"({"incidentType": "INCIDENT_TYPE_DOMESTIC_ABUSE"})", true},
      {R"({"incidentType": "INCIDENT_TYPE_FROM_THE_FUTURE"})", false},
      {R"({"incidentType": 2})", false},
      {R"({"incidentType": "incident_type_domestic_abuse"})", false},
      // null: unset, as the reference has it; null in a list is the reference's to refuse.
      {R"({"incidentId": null, "location": null, "reportedAt": null})", true},
      {R"({"persons": null})", false},
      {R"({"persons": [null]})", false},
      // Timestamps: Z, an offset, 3, 6 or 9 fraction digits; others left; impossible dates.
      {R"({"reportedAt": "2026-11-28T02:00:00Z"})", true},
      {R"({"reportedAt": "2026-06-28T02:00:00+01:00"})", true},
      {R"({"reportedAt": "2026-06-28T02:00:00-05:30"})", true},
      {R"({"reportedAt": "2026-11-28T02:00:00.123Z"})", true},
      {R"({"reportedAt": "2026-11-28T02:00:00.123456Z"})", true},
      {R"({"reportedAt": "2026-11-28T02:00:00.123456789Z"})", true},
      {R"({"reportedAt": "2026-11-28T02:00:00.1Z"})", false},
      {R"({"reportedAt": "2026-11-28T02:00:00.1234567890Z"})", false},
      {R"({"reportedAt": "2026-11-28T02:00:00z"})", false},
      {R"({"reportedAt": "2026-11-28t02:00:00Z"})", false},
      {R"({"reportedAt": "2026-11-28 02:00:00Z"})", false},
      {R"({"reportedAt": "2026-11-28T02:00:00"})", false},
      {R"({"reportedAt": "2026-02-29T02:00:00Z"})", false},
      {R"({"reportedAt": "2028-02-29T02:00:00Z"})", true},
      {R"({"reportedAt": "2026-13-01T02:00:00Z"})", false},
      {R"({"reportedAt": "2026-11-28T24:00:00Z"})", false},
      {R"({"reportedAt": "2026-11-28T23:59:60Z"})", false},
      {R"({"reportedAt": "0001-01-01T00:00:00Z"})", true},
      {R"({"reportedAt": "0000-12-31T23:59:59Z"})", false},
      {R"({"reportedAt": "9999-12-31T23:59:59.999999999Z"})", true},
      {R"({"reportedAt": "0001-01-01T00:30:00+01:00"})", false},  // before year 1 in UTC
      {R"({"reportedAt": 1795816800})", false},
      // Strings: escapes, non-ASCII; half a surrogate pair, raw control characters, bad UTF-8.
      {R"({"narrative": "line\nbreak \"quoted\" \u00e9 \ud83d\ude00 caf\u00e9"})", true},
      {"{\"narrative\": \"caf\xc3\xa9 \xf0\x9f\x98\x80\"}", true},
      {R"({"narrative": "\ud800"})", false},
      {R"({"narrative": "\udc00"})", false},
      {"{\"narrative\": \"tab\there\"}", false},
      {"{\"narrative\": \"nul\x01here\"}", false},
      {"{\"narrative\": \"\xc3\x28\"}", false},
      {"{\"narrative\": \"\xed\xa0\x80\"}", false},
      {R"({"narrative": 5})", false},
      // Booleans and uint32, double.
      {R"({"household": {"residentChildrenCount": 0}})", true},
      {R"({"household": {"residentChildrenCount": 4294967295}})", true},
      {R"({"household": {"residentChildrenCount": 4294967296}})", false},
      {R"({"household": {"residentChildrenCount": "4"}})", false},
      {R"({"persons": [{"voice": {"seen": true, "spokenTo": false}}]})", true},
      {R"({"persons": [{"voice": {"seen": "true"}}]})", false},
      {R"({"persons": [{"voice": {"seen": 1}}]})", false},
      // Shapes: a list where one value goes, an object where a list goes, a list in a list,
      // not an object at the top, deep nesting, syntax the strict reading refuses.
      {R"({"incidentId": ["i1"]})", false},
      {R"({"persons": {"personRef": "p1"}})", false},
      {R"({"persons": [[{"personRef": "p1"}]]})", false},
      {R"([{"incidentId": "i1"}])", false},
      {R"("i1")", false},
      {R"({"location": {"lines": ["a", "b"], "postcode": "BS1 1AA"}})", true},
      {R"({"incidentId": "i1",})", false},
      {R"({"incidentId": "i1"} x)", false},
      {R"({"incidentId": 'i1'})", false},
      {R"({"incidentId": "i1" /* c */})", false},
      {R"({"riskScore": NaN})", false},
      {"", false},
      {"{}", true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DecodesAsTheReference<v1::IncidentEvent>(c.json), c.fast) << c.json;
  }
  // Nesting past the fast path's depth, and past the strict reading's 64.
  std::string deep = R"({"a": )";
  for (int i = 0; i < 70; ++i) deep += "[";
  for (int i = 0; i < 70; ++i) deep += "]";
  deep += "}";
  EXPECT_FALSE(DecodesAsTheReference<v1::IncidentEvent>(deep));
}

// The fast path checks the UTF-8 of each string it stores, not the whole document's: a byte
// outside ASCII at any place of strings of each length, and among the structure, still has its
// UTF-8 checked.
TEST(JsonCodecTest, AByteOutsideAsciiAnywhereHasItsUtf8Checked) {
  for (int length = 1; length <= 24; ++length) {
    for (int at = 0; at < length; ++at) {
      std::string text(static_cast<size_t>(length), 'a');
      text[static_cast<size_t>(at)] = '\xff';  // never valid in UTF-8
      const std::string bad = absl::StrCat(R"({"narrative": ")", text, R"("})");
      EXPECT_FALSE(DecodesAsTheReference<v1::IncidentEvent>(bad)) << length << " " << at;
      text.replace(static_cast<size_t>(at), 1, "\xc3\xa9");  // é: valid, and not ASCII
      const std::string good = absl::StrCat(R"({"narrative": ")", text, R"("})");
      EXPECT_TRUE(DecodesAsTheReference<v1::IncidentEvent>(good)) << length << " " << at;
    }
  }
  // Outside a string too: a stray byte among the structure, first and last.
  EXPECT_FALSE(DecodesAsTheReference<v1::IncidentEvent>("\xff{}"));
  EXPECT_FALSE(DecodesAsTheReference<v1::IncidentEvent>("{}\xff"));
}

TEST(JsonCodecTest, DoublesEveryFormRoundTrip) {
  const double values[] = {0.1, 1.0, -1.0, 0.5, 1.0 / 3, 1e300, -1e-300, 5e-324, 123456789.125,
                           std::numeric_limits<double>::max(), -0.0, 0.9999999999999999};
  for (double value : values) {
    v1::Referral referral;
    referral.mutable_quality()->set_completeness(value);
    EXPECT_TRUE(PrintsAsTheReference(referral)) << value;
    std::string json;
    ASSERT_TRUE(json::FastPrint(referral, json));
    EXPECT_TRUE(DecodesAsTheReference<v1::Referral>(json)) << json;
  }
  for (double value : {std::nan(""), std::numeric_limits<double>::infinity()}) {
    v1::Referral referral;
    referral.mutable_quality()->set_completeness(value);
    EXPECT_FALSE(PrintsAsTheReference(referral)) << value;  // "NaN", "Infinity": the reference's
  }
  // Numbers in every JSON form for a double, read as the reference reads them.
  for (const char* number : {"1", "-0", "0.0", "1e2", "1E-2", "2.5e+3", "1.7976931348623157e308",
                             "4.9e-324", "0.30000000000000004", "123456789012345678901234567890"}) {
    EXPECT_TRUE(DecodesAsTheReference<v1::Referral>(
        absl::StrCat(R"({"quality": {"completeness": )", number, "}}")))
        << number;
  }
  EXPECT_FALSE(DecodesAsTheReference<v1::Referral>(R"({"quality": {"completeness": "0.5"}})"));
  EXPECT_FALSE(DecodesAsTheReference<v1::Referral>(R"({"quality": {"completeness": 1e400}})"));
}

TEST(JsonCodecTest, PrintsEveryFormAsTheReferenceReadsIt) {
  v1::Referral referral;
  referral.set_referral_id("r\"1\\\n\x01 caf\xc3\xa9");
  referral.set_revision(std::numeric_limits<uint64_t>::max());
  // Timestamps with no fraction, and 3, 6 and 9 digits of it; the first and last instants.
  referral.mutable_routing()->mutable_decided_at()->set_seconds(1795816800);
  referral.mutable_routing()->mutable_decision_due_by()->set_seconds(1795816800);
  referral.mutable_routing()->mutable_decision_due_by()->set_nanos(120000000);
  EXPECT_TRUE(PrintsAsTheReference(referral));
  for (int nanos : {1, 1000, 999999999, 120000}) {
    referral.mutable_routing()->mutable_decided_at()->set_nanos(nanos);
    EXPECT_TRUE(PrintsAsTheReference(referral)) << nanos;
  }
  for (int64_t seconds : {-62135596800LL, 253402300799LL}) {
    referral.mutable_routing()->mutable_decided_at()->set_seconds(seconds);
    EXPECT_TRUE(PrintsAsTheReference(referral)) << seconds;
  }
  // Outside 0001..9999 or a negative nanos: no JSON form; ToJson says so, as the reference does.
  for (int64_t seconds : {-62135596801LL, 253402300800LL}) {
    referral.mutable_routing()->mutable_decided_at()->set_seconds(seconds);
    EXPECT_FALSE(PrintsAsTheReference(referral)) << seconds;
    EXPECT_FALSE(ToJson(referral).ok());
  }
  referral.mutable_routing()->mutable_decided_at()->set_seconds(0);
  referral.mutable_routing()->mutable_decided_at()->set_nanos(-1);
  EXPECT_FALSE(PrintsAsTheReference(referral));
  // An enum number with no name is printed as the number.
  v1::IncidentEvent event;
  event.set_incident_type(static_cast<v1::IncidentType>(977));
  EXPECT_TRUE(PrintsAsTheReference(event));
  std::string json;
  ASSERT_TRUE(json::FastPrint(event, json));
  EXPECT_EQ(json, R"({"incidentType":977})");
  // proto3 optional: present at zero is printed, absent is not.
  event.Clear();
  event.mutable_household()->set_resident_children_count(0);
  ASSERT_TRUE(json::FastPrint(event, json));
  EXPECT_EQ(json, R"({"household":{"residentChildrenCount":0}})");
  EXPECT_TRUE(PrintsAsTheReference(event));
  event.mutable_household()->clear_resident_children_count();
  ASSERT_TRUE(json::FastPrint(event, json));
  EXPECT_EQ(json, R"({"household":{}})");
  EXPECT_EQ(ToJson(event).value(), internal::ToJsonReference(event).value());
}

}  // namespace
}  // namespace referral
