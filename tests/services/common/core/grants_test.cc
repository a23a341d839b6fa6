// Grants: which certificate identities are which client system, and what each may read or
// submit; queues and their names.
#include "services/common/core/grants.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/common/core/queue.h"
#include "services/common/core/topics.h"

namespace referral {
namespace {

using ::testing::HasSubstr;

config::v1::Directory Avon() {
  config::v1::Directory directory;
  auto* bristol = directory.add_local_authorities();
  bristol->set_gss_code("E06000023");
  bristol->set_edt_id("avon");
  auto* somerset = directory.add_local_authorities();
  somerset->set_gss_code("E06000066");
  somerset->set_edt_id("somerset");
  return directory;
}

config::v1::Grant MakeGrant(const std::string& name, std::vector<std::string> identities,
                            std::vector<std::string> queues,
                            std::vector<std::string> forces = {}) {
  config::v1::Grant grant;
  grant.set_name(name);
  for (const auto& i : identities) grant.add_identities(i);
  for (const auto& q : queues) grant.add_queues(q);
  for (const auto& f : forces) grant.add_force_codes(f);
  return grant;
}

TEST(GrantsTest, FindsTheGrantOfAnyOfTheCertificatesIdentities) {
  config::v1::Grants config;
  *config.add_grants() = MakeGrant("bristol-lcs", {"bristol-lcs", "CN=lcs,O=Bristol"},
                                   {"frontdoor/E06000023"});
  *config.add_grants() = MakeGrant("avon-edt", {"avon-edt"}, {"edt/avon"});
  const config::v1::Directory directory = Avon();
  absl::StatusOr<Grants> grants = Grants::FromConfig(config, &directory);
  ASSERT_TRUE(grants.ok()) << grants.status();
  std::optional<ClientGrant> found = grants->Find({"CN=lcs,O=Bristol", "lcs"});
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->name, "bristol-lcs");
  EXPECT_TRUE(found->MayRead("frontdoor/E06000023"));
  EXPECT_FALSE(found->MayRead("edt/avon"));
  EXPECT_FALSE(grants->Find({"somerset-edt"}).has_value());
  EXPECT_FALSE(grants->Find({}).has_value());
  // Identities naming two grants match neither.
  EXPECT_FALSE(grants->Find({"bristol-lcs", "avon-edt"}).has_value());
}

TEST(GrantsTest, ForceCodesMatchInAnyCase) {
  config::v1::Grants config;
  *config.add_grants() = MakeGrant("storm", {"storm"}, {}, {"asp"});
  absl::StatusOr<Grants> grants = Grants::FromConfig(config, nullptr);
  ASSERT_TRUE(grants.ok());
  std::optional<ClientGrant> found = grants->Find({"storm"});
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(found->MaySubmitFor("ASP"));
  EXPECT_TRUE(found->MaySubmitFor("asp"));
  EXPECT_FALSE(found->MaySubmitFor("GLO"));
}

TEST(GrantsTest, RefusesEveryBadFieldNamingIt) {
  config::v1::Grants config;
  *config.add_grants() = MakeGrant("", {}, {"frontdoor/E06000099", "inbox/x"});
  *config.add_grants() = MakeGrant("a", {"x"}, {});
  *config.add_grants() = MakeGrant("a", {"x", ""}, {}, {""});
  const config::v1::Directory directory = Avon();
  absl::StatusOr<Grants> grants = Grants::FromConfig(config, &directory);
  ASSERT_EQ(grants.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(grants.status().message());
  EXPECT_THAT(message, HasSubstr("grants[0].name: required"));
  EXPECT_THAT(message, HasSubstr("grants[0].identities: at least one"));
  EXPECT_THAT(message, HasSubstr("grants[0].queues[0]: no queue \"frontdoor/E06000099\""));
  EXPECT_THAT(message, HasSubstr("grants[0].queues[1]"));
  EXPECT_THAT(message, HasSubstr("grants[2].name: \"a\" named twice"));
  EXPECT_THAT(message, HasSubstr("grants[2].identities[0]: \"x\" is in two grants"));
  EXPECT_THAT(message, HasSubstr("grants[2].identities[1]: empty"));
  EXPECT_THAT(message, HasSubstr("grants[2].force_codes[0]: empty"));
}

TEST(GrantsTest, NamesAreLettersDigitsDashesAndUnderscores) {
  // Names become part of consumer-group ids joined by '.': "a" + "b.c" must never meet "a.b" + "c".
  const std::vector<std::string> bad_names = {"a.b", "a b", "a/b", std::string(65, 'a')};
  for (const std::string& bad : bad_names) {
    config::v1::Grants config;
    *config.add_grants() = MakeGrant(bad, {"x"}, {});
    EXPECT_EQ(Grants::FromConfig(config, nullptr).status().code(),
              absl::StatusCode::kInvalidArgument) << bad;
  }
  config::v1::Grants config;
  *config.add_grants() = MakeGrant("Bristol_lcs-2", {"x"}, {});
  *config.add_grants() = MakeGrant(std::string(64, 'a'), {"y"}, {});
  EXPECT_TRUE(Grants::FromConfig(config, nullptr).ok());
}

TEST(QueueTest, ParsesBothKindsAndRefusesOthers) {
  absl::StatusOr<Queue> front_door = ParseQueue("frontdoor/E06000023");
  ASSERT_TRUE(front_door.ok());
  EXPECT_EQ(front_door->kind, Queue::Kind::kFrontDoor);
  EXPECT_EQ(front_door->id, "E06000023");
  EXPECT_EQ(front_door->Name(), "frontdoor/E06000023");
  absl::StatusOr<Queue> edt = ParseQueue("edt/avon");
  ASSERT_TRUE(edt.ok());
  EXPECT_EQ(edt->kind, Queue::Kind::kEdt);
  EXPECT_TRUE(ParseQueue("edt/" + std::string(64, 'a')).ok());
  for (const std::string& bad : std::vector<std::string>{"", "frontdoor/", "edt/", "triage", "FRONTDOOR/E06000023",
                                "frontdoor/E06000023/x", "edt/av on", "edt/a.b",
                                "edt/" + std::string(65, 'a')}) {
    EXPECT_EQ(ParseQueue(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(QueueTest, DirectoryHasItsLasFrontDoorsAndEdtsOnly) {
  const config::v1::Directory directory = Avon();
  EXPECT_TRUE(DirectoryHasQueue(directory, *ParseQueue("frontdoor/E06000023")));
  EXPECT_TRUE(DirectoryHasQueue(directory, *ParseQueue("edt/somerset")));
  EXPECT_FALSE(DirectoryHasQueue(directory, *ParseQueue("frontdoor/E06000099")));
  EXPECT_FALSE(DirectoryHasQueue(directory, *ParseQueue("edt/E06000023")));
  EXPECT_FALSE(DirectoryHasQueue(directory, *ParseQueue("frontdoor/avon")));
}

TEST(QueueTest, DirectoryQueuesAreEachFrontDoorThenEachEdtOnce) {
  config::v1::Directory directory = Avon();  // Bristol (EDT avon), Somerset (EDT somerset)
  auto* bath = directory.add_local_authorities();  // shares Avon's EDT
  bath->set_gss_code("E06000022");
  bath->set_edt_id("avon");
  directory.add_local_authorities()->set_gss_code("E09000001");  // no EDT
  std::vector<std::string> names;
  for (const Queue& queue : DirectoryQueues(directory)) {
    EXPECT_TRUE(DirectoryHasQueue(directory, queue)) << queue.Name();
    names.push_back(queue.Name());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"frontdoor/E06000023", "frontdoor/E06000066",
                                             "frontdoor/E06000022", "frontdoor/E09000001",
                                             "edt/avon", "edt/somerset"}));
}

TEST(QueueTest, TopicOfEachKind) {
  const config::v1::Topics topics = WithDefaults({});
  EXPECT_EQ(QueueTopic(topics, *ParseQueue("frontdoor/E06000023")),
            "referrals.frontdoor.E06000023.v1");
  EXPECT_EQ(QueueTopic(topics, *ParseQueue("edt/avon")), "referrals.edt.avon.v1");
}

}  // namespace
}  // namespace referral
