// explain() on a built snapshot with client views: zone, source prefix (the
// longest), relay group, client view, mapping step and the exact RRset the
// query path gives, for clients in a view, in none and mapped by fallback;
// NXDOMAIN, REFUSED and SERVFAIL stories; bad arguments.
#include "src/explain.hpp"

#include <gtest/gtest.h>

#include "dns/amtrelay_text.hpp"

namespace driad::app {
namespace {

constexpr std::uint32_t kStatic = 0;
constexpr std::uint32_t kEast = 1;
constexpr std::uint32_t kWest = 2;
constexpr std::uint32_t kPending = 3;

zones::Prefix prefix(const char* text) {
  return *zones::parse_prefix(text);
}

zones::GroupAnswerSpec group(const char* name, std::vector<const char*> relays) {
  zones::GroupAnswerSpec out;
  out.name = name;
  out.ttl = 60;
  for (const char* relay : relays) out.relays.push_back(*dns::amtrelay_from_text(relay));
  return out;
}

class ExplainTest : public ::testing::Test {
 protected:
  // Zone 100.in-addr.arpa.; 100.1/16 and its 100.1.2/24 are east's and the
  // static group's, 100.2/16 west's, 100.3/16 a group not known yet. Clients in
  // 10/8 are in east's view, in 11/8 in west's.
  void build(bool east_up) {
    spec_ = {};
    zones::ZoneSpec zone;
    zone.origin = {3,   '1', '0', '0', 7,   'i', 'n', '-', 'a',
                   'd', 'd', 'r', 4,   'a', 'r', 'p', 'a', 0};
    zone.prefix = prefix("100.0.0.0/8");
    zone.soa.mname = {2, 'n', 's', 0};
    zone.soa.rname = {1, 'h', 0};
    spec_.zones.push_back(zone);
    spec_.groups = {group("static", {"10 0 1 203.0.113.15"}),
                    group("amt-us-east", {"10 0 1 192.0.2.1", "20 0 1 192.0.2.11"}),
                    group("amt-us-west", {"10 0 1 203.0.113.1"}), group("pending", {})};
    spec_.groups[kPending].unavailable = true;
    spec_.sources = {{prefix("100.1.0.0/16"), kEast},
                     {prefix("100.1.2.0/24"), kStatic},
                     {prefix("100.2.0.0/16"), kWest},
                     {prefix("100.3.0.0/16"), kPending}};
    coverage_.zones = {{"amt-us-east", {prefix("10.0.0.0/8")}, std::nullopt},
                       {"amt-us-west", {prefix("11.0.0.0/8")}, std::nullopt}};
    const std::vector<health::Cachegroup> cachegroups = {
        {"amt-us-east", std::nullopt, std::nullopt, {"amt-us-west"}, false},
        {"amt-us-west", std::nullopt, std::nullopt, {}, false}};
    views_ =
        add_client_views(spec_, {{false, false}, {true, east_up}, {true, true}, {false, false}},
                         &coverage_, cachegroups);
    auto built = zones::Snapshot::build(spec_);
    ASSERT_TRUE(built) << built.error();
    snapshot_ = *built;
  }

  tl::expected<admin::Explanation, std::string> run(std::string_view source,
                                                    std::string_view client = "") {
    return explain({snapshot_.get(), &spec_, &views_, nullptr}, source, client);
  }

  zones::SnapshotSpec spec_;
  config::CoverageZones coverage_;
  ClientViews views_;
  std::shared_ptr<const zones::Snapshot> snapshot_;
};

TEST_F(ExplainTest, OwnViewAndNoView) {
  build(true);
  auto own = run("100.1.9.9", "10.1.2.3");
  ASSERT_TRUE(own) << own.error();
  EXPECT_EQ(own->qname, "9.9.1.100.in-addr.arpa.");
  EXPECT_EQ(own->zone, "100.in-addr.arpa.");
  EXPECT_EQ(own->source_prefix, "100.1.0.0/16");
  EXPECT_EQ(own->source_group, "amt-us-east");
  EXPECT_EQ(own->client_view, "amt-us-east");
  EXPECT_EQ(own->mapping, "own");
  EXPECT_EQ(own->answer_group, "amt-us-east");
  EXPECT_EQ(own->rcode, "NOERROR");
  EXPECT_EQ(own->kind, "relay_set");
  EXPECT_EQ(own->rrset,
            (std::vector<std::string>{"9.9.1.100.in-addr.arpa. 60 IN AMTRELAY 10 0 1 192.0.2.1",
                                      "9.9.1.100.in-addr.arpa. 60 IN AMTRELAY 20 0 1 192.0.2.11"}));
  EXPECT_EQ(own->decision, "static");  // no live groups given

  // A client in west's view asking for an east source gets west's answer.
  auto other = run("100.1.9.9", "11.0.0.1");
  ASSERT_TRUE(other) << other.error();
  EXPECT_EQ(other->client_view, "amt-us-west");
  EXPECT_EQ(other->answer_group, "amt-us-west");
  EXPECT_EQ(
      other->rrset,
      (std::vector<std::string>{"9.9.1.100.in-addr.arpa. 60 IN AMTRELAY 10 0 1 203.0.113.1"}));
  EXPECT_NE(other->summary.find("client 11.0.0.1 (client view amt-us-west) is sent to amt-us-west"),
            std::string::npos)
      << other->summary;

  auto nowhere = run("100.1.9.9");
  ASSERT_TRUE(nowhere) << nowhere.error();
  EXPECT_EQ(nowhere->client, "");
  EXPECT_EQ(nowhere->client_view, "");
  EXPECT_EQ(nowhere->answer_group, "amt-us-east");
}

TEST_F(ExplainTest, LongestPrefixAndStaticGroups) {
  build(true);
  auto inner = run("100.1.2.3", "11.0.0.1");
  ASSERT_TRUE(inner) << inner.error();
  EXPECT_EQ(inner->source_prefix, "100.1.2.0/24");
  EXPECT_EQ(inner->source_group, "static");
  EXPECT_EQ(inner->answer_group, "static");  // static groups answer every client alike
  EXPECT_EQ(inner->rrset.size(), 1U);
}

TEST_F(ExplainTest, FallbackWhenTheOwnGroupIsDown) {
  build(false);
  auto fallback = run("100.1.9.9", "10.9.9.9");
  ASSERT_TRUE(fallback) << fallback.error();
  EXPECT_EQ(fallback->client_view, "amt-us-east");
  EXPECT_EQ(fallback->mapping, "fallback");
  EXPECT_EQ(fallback->answer_group, "amt-us-west");
  EXPECT_EQ(fallback->rrset.size(), 1U);
}

TEST_F(ExplainTest, NegativeAnswersSayWhy) {
  build(true);
  auto servfail = run("100.3.0.1");
  ASSERT_TRUE(servfail) << servfail.error();
  EXPECT_EQ(servfail->rcode, "SERVFAIL");
  EXPECT_EQ(servfail->decision, "pending");
  EXPECT_TRUE(servfail->rrset.empty());
  EXPECT_NE(servfail->summary.find("is not known yet"), std::string::npos) << servfail->summary;

  auto nxdomain = run("100.9.0.1");
  ASSERT_TRUE(nxdomain) << nxdomain.error();
  EXPECT_EQ(nxdomain->rcode, "NXDOMAIN");
  EXPECT_EQ(nxdomain->zone, "100.in-addr.arpa.");
  EXPECT_EQ(nxdomain->source_prefix, "");
  EXPECT_NE(nxdomain->summary.find("under no source prefix"), std::string::npos);

  auto refused = run("192.0.2.1");
  ASSERT_TRUE(refused) << refused.error();
  EXPECT_EQ(refused->rcode, "REFUSED");
  EXPECT_EQ(refused->zone, "");
  EXPECT_NE(refused->summary.find("no zone"), std::string::npos);

  auto v6 = run("2001:db8::1", "::1");
  ASSERT_TRUE(v6) << v6.error();
  EXPECT_EQ(v6->rcode, "REFUSED");
  EXPECT_EQ(v6->client, "::1");
}

TEST_F(ExplainTest, BadArgumentsAreErrors) {
  build(true);
  EXPECT_EQ(run("nope").error(), "source: 'nope' is not an IP address");
  EXPECT_EQ(run("100.1.1.1", "10.0.0.0/8").error(), "client: '10.0.0.0/8' is not an IP address");
  EXPECT_FALSE(explain({}, "100.1.1.1", ""));  // no snapshot yet
}

}  // namespace
}  // namespace driad::app
