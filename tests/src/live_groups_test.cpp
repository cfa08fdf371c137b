// LiveGroups: observations and a fake clock in, decisions and snapshot relays
// out, for a live group from a config (the wiring around policy::decide()).
#include "src/live_groups.hpp"

#include <gtest/gtest.h>

#include "config/config.hpp"
#include "policy/relay_text.hpp"
#include "src/feeds.hpp"
#include "src/snapshot_spec.hpp"

namespace driad::app {
namespace {

using namespace std::chrono_literals;

constexpr const char* kConfig = R"({
  "listen": ["127.0.0.1:5353"],
  "zones": [{ "origin": "100.51.198.in-addr.arpa.",
              "soa": { "mname": "ns1.example.", "rname": "h.example." }, "ns": ["ns1.example."] }],
  "sources": [{ "prefix": "198.51.100.0/24", "relay_group": "east" },
              { "prefix": "198.51.100.128/25", "relay_group": "west" }],
  "relay_groups": [
    { "name": "west", "relays": ["10 0 1 203.0.113.15"] },
    { "name": "east",
      "mx": { "relay": "192.0.2.1", "gnmi_target": "127.0.0.1:32767", "max_tunnels": 100 },
      "gateways": [ { "relay": "192.0.2.11", "probe": true, "probe_port": 2268 },
                    { "relay": "192.0.2.12" } ] }
  ],
  "policy": { "ttl": 60, "degraded_ttl": 5, "hold_up_s": 10, "stale_after_ms": 3000 }
})";

config::Config load(const std::string& text = kConfig) {
  auto config = config::parse_config(text, "test.json");
  EXPECT_TRUE(config) << (config ? "" : config.error().front());
  return *config;
}

health::MxObservation mx(policy::MxState state, policy::Time at, std::uint64_t tunnels = 0) {
  health::MxObservation observation;
  observation.reported = state;
  observation.received = at;
  observation.tunnels = tunnels;
  observation.tunnels_known = true;
  return observation;
}

health::GatewayObservation gateway(policy::GatewayState state) {
  health::GatewayObservation observation;
  observation.state = state;
  return observation;
}

std::string relays(const LiveGroups& live) {
  return policy::to_text(live.decision("east")->relays);
}

const policy::Time kStart = policy::Time{} + 1000s;

TEST(LiveGroups, OnlyLiveGroupsAreTracked) {
  const LiveGroups live(load());
  ASSERT_EQ(live.size(), 1U);
  EXPECT_EQ(live.config(0).name, "east");
  EXPECT_EQ(live.decision("west"), nullptr);
}

TEST(LiveGroups, UnknownMxAndUnprobedGatewayGiveGatewayOnly) {
  LiveGroups live(load());
  const auto changes = live.evaluate(kStart);
  ASSERT_EQ(changes.size(), 1U);
  EXPECT_TRUE(changes[0].answer_changed);
  // The probed gateway has not answered yet; the unprobed one counts as up.
  EXPECT_EQ(relays(live), "[20 0 1 192.0.2.12]");
  EXPECT_EQ(live.decision("east")->kind, policy::DecisionKind::gateway_only);
}

TEST(LiveGroups, MxFirstOnlyAfterHoldUp) {
  LiveGroups live(load());
  live.observe_gateway(0, 0, gateway(policy::GatewayState::healthy));
  live.observe_mx(0, mx(policy::MxState::healthy, kStart));
  live.evaluate(kStart);
  EXPECT_EQ(live.decision("east")->kind, policy::DecisionKind::gateway_only);
  live.observe_mx(0, mx(policy::MxState::healthy, kStart + 9s));
  live.evaluate(kStart + 9s);
  EXPECT_EQ(live.decision("east")->kind, policy::DecisionKind::gateway_only);
  live.observe_mx(0, mx(policy::MxState::healthy, kStart + 10s));
  live.evaluate(kStart + 10s);
  EXPECT_EQ(live.decision("east")->kind, policy::DecisionKind::mx_first);
  EXPECT_EQ(relays(live), "[10 0 1 192.0.2.1, 20 0 1 192.0.2.11, 20 0 1 192.0.2.12]");
}

TEST(LiveGroups, QuietMxGoesStaleAfterStaleAfter) {
  LiveGroups live(load());
  live.observe_mx(0, mx(policy::MxState::healthy, kStart));
  live.evaluate(kStart);
  live.evaluate(kStart + 10s);  // hold-up done, but nothing heard for 10 s
  EXPECT_EQ(live.mx_state(0), policy::MxState::stale);
  EXPECT_EQ(live.decision("east")->kind, policy::DecisionKind::gateway_only);
}

TEST(LiveGroups, TunnelCountBecomesLoadAndSpills) {
  LiveGroups live(load());
  live.observe_mx(0, mx(policy::MxState::healthy, kStart, 10));
  live.evaluate(kStart);
  live.observe_mx(0, mx(policy::MxState::healthy, kStart + 11s, 90));  // 90 of 100: over 0.85
  live.evaluate(kStart + 11s);
  EXPECT_EQ(live.decision("east")->kind, policy::DecisionKind::spill);
  EXPECT_EQ(relays(live), "[10 0 1 192.0.2.1, 10 0 1 192.0.2.12]");
}

TEST(LiveGroups, FaultActsAtOnceAndIsReportedAsAChange) {
  LiveGroups live(load());
  live.observe_mx(0, mx(policy::MxState::healthy, kStart));
  live.evaluate(kStart);
  live.observe_mx(0, mx(policy::MxState::healthy, kStart + 10s));
  live.evaluate(kStart + 10s);
  ASSERT_EQ(live.decision("east")->kind, policy::DecisionKind::mx_first);
  live.observe_mx(0, mx(policy::MxState::unhealthy, kStart + 11s));
  const auto changes = live.evaluate(kStart + 11s);
  ASSERT_EQ(changes.size(), 1U);
  EXPECT_EQ(changes[0].group, "east");
  EXPECT_TRUE(changes[0].answer_changed);
  EXPECT_NE(changes[0].description.find("gateway_only"), std::string::npos)
      << changes[0].description;
  EXPECT_TRUE(live.evaluate(kStart + 11s).empty());  // nothing new: no change reported
}

TEST(LiveGroups, SnapshotSpecServesTheDecision) {
  const config::Config config = load();
  LiveGroups live(config);
  live.evaluate(kStart);
  const zones::SnapshotSpec spec = snapshot_spec(config, 1, &live);
  ASSERT_EQ(spec.groups.size(), 2U);
  EXPECT_EQ(spec.groups[1].name, "east");
  EXPECT_EQ(policy::to_text(spec.groups[1].relays), "[20 0 1 192.0.2.12]");
  EXPECT_EQ(spec.groups[1].ttl, 5U);  // degraded while the first decision settles
  EXPECT_EQ(policy::to_text(spec.groups[0].relays), "[10 0 1 203.0.113.15]");
}

TEST(LiveGroups, SameTopologyIgnoresStaticChangesButNotLiveOnes) {
  const config::Config config = load();
  const LiveGroups live(config);
  std::string text = kConfig;
  EXPECT_TRUE(
      live.same_topology(load(text.replace(text.find("203.0.113.15"), 12, "203.0.113.16"))));
  text = kConfig;
  EXPECT_FALSE(live.same_topology(load(text.replace(text.find("192.0.2.12"), 10, "192.0.2.13"))));
  text = kConfig;
  EXPECT_FALSE(live.same_topology(
      load(text.replace(text.find("\"hold_up_s\": 10"), 15, "\"hold_up_s\": 11"))));
}

TEST(LiveGroups, AnUnchangedGroupKeepsItsHealthAcrossARebuild) {
  LiveGroups live(load());
  live.observe_gateway(0, 0, gateway(policy::GatewayState::healthy));
  live.observe_mx(0, mx(policy::MxState::healthy, kStart));
  live.evaluate(kStart);
  live.observe_mx(0, mx(policy::MxState::healthy, kStart + 10s));
  live.evaluate(kStart + 10s);
  ASSERT_EQ(relays(live), "[10 0 1 192.0.2.1, 20 0 1 192.0.2.11, 20 0 1 192.0.2.12]");
  EXPECT_TRUE(live.available(0));

  // A topology change elsewhere (a new live group): east stays MX first, no
  // second hold-up; the new group starts from nothing.
  std::string text = kConfig;
  text.replace(text.find(R"({ "name": "west", "relays": ["10 0 1 203.0.113.15"] })"),
               std::string(R"({ "name": "west", "relays": ["10 0 1 203.0.113.15"] })").size(),
               R"({ "name": "west", "gateways": [ { "relay": "203.0.113.11", "probe": true } ] })");
  LiveGroups next(load(text), &live);
  ASSERT_EQ(next.size(), 2U);
  ASSERT_TRUE(next.index_of("east"));
  EXPECT_EQ(next.index_of("west"), std::optional<std::size_t>(0));
  EXPECT_EQ(policy::to_text(next.decision("east")->relays),
            "[10 0 1 192.0.2.1, 20 0 1 192.0.2.11, 20 0 1 192.0.2.12]");
  next.evaluate(kStart + 11s);
  EXPECT_EQ(policy::to_text(next.decision("east")->relays),
            "[10 0 1 192.0.2.1, 20 0 1 192.0.2.11, 20 0 1 192.0.2.12]");
  EXPECT_FALSE(next.available(*next.index_of("west")));  // never probed: not healthy

  // A changed group (another gateway) starts afresh: MX unknown again.
  text = kConfig;
  text.replace(text.find("192.0.2.12"), 10, "192.0.2.13");
  LiveGroups changed(load(text), &live);
  changed.evaluate(kStart + 11s);
  EXPECT_EQ(policy::to_text(changed.decision("east")->relays), "[20 0 1 192.0.2.13]");
}

TEST(LiveGroups, CapacityBpsMakesTheByteRateTheLoad) {
  std::string text = kConfig;
  text.replace(text.find("\"max_tunnels\": 100"), 18,
               "\"max_tunnels\": 100, \"capacity_bps\": 1000000");
  LiveGroups live(load(text));
  health::MxObservation seen = mx(policy::MxState::healthy, kStart, 1);  // 1 tunnel: 1% by count
  seen.out_octets_rate_bps = 900000;                                     // 90% by bytes
  live.observe_mx(0, seen);
  live.evaluate(kStart);
  seen.received = kStart + 11s;
  live.observe_mx(0, seen);
  live.evaluate(kStart + 11s);
  EXPECT_EQ(live.decision("east")->kind, policy::DecisionKind::spill);
}

TEST(FeedPaths, ConfiguredPathsReplaceTheDerivedOnes) {
  std::string text = kConfig;
  text.replace(
      text.find("\"max_tunnels\": 100"), 18,
      R"("max_tunnels": 100, "paths": { "relay_status": "/interfaces/interface[name=lo1]/state/oper-status" })");
  const config::Config config = load(text);
  const health::MxFeedConfig feed = mx_feed_config(config.relay_groups[1], config.policy, {});
  EXPECT_EQ(feed.paths.relay_status, "/interfaces/interface[name=lo1]/state/oper-status");
  EXPECT_EQ(feed.paths.ud_status, "/interfaces/interface[name=ud-0/0/0]/state/oper-status");
  EXPECT_EQ(feed.paths.anycast,
            "/interfaces/interface[name=lo0]/subinterfaces/subinterface[index=0]/ipv4/addresses/"
            "address[ip=192.0.2.1]/state/ip");
  EXPECT_EQ(feed.target, "127.0.0.1:32767");
  EXPECT_TRUE(check_feeds(config).empty());
}

TEST(FeedPaths, ABadPathIsAConfigErrorWithItsPointer) {
  std::string text = kConfig;
  text.replace(
      text.find("\"max_tunnels\": 100"), 18,
      R"("max_tunnels": 100, "paths": { "out_octets": "/interfaces/interface[name=ud-0" })");
  const auto errors = check_feeds(load(text));
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].rfind("test.json: /relay_groups/1/mx/paths: ", 0), 0U) << errors[0];
}

TEST(FeedChecks, TlsFilesThatCannotBeReadAreErrorsWithTheirPointers) {
  std::string text = kConfig;
  const std::string readable = DRIAD_FIXTURES_DIR "/trafficops/czf.json";
  text.replace(text.find("\"max_tunnels\": 100"), 18,
               R"("max_tunnels": 100, "tls": { "ca": ")" + readable +
                   R"(", "cert": "/nonexistent/gw.pem", "key": "/" })");
  const auto errors = check_feeds(load(text));
  ASSERT_EQ(errors.size(), 2U) << errors[0];
  EXPECT_EQ(errors[0],
            "test.json: /relay_groups/1/mx/tls/cert: cannot read /nonexistent/gw.pem: No such file "
            "or directory");
  EXPECT_EQ(errors[1], "test.json: /relay_groups/1/mx/tls/key: cannot read /: Is a directory");
}

}  // namespace
}  // namespace driad::app
