// app::snapshot_spec (Config -> SnapshotSpec), advertised_relays, and the
// SerialKeeper's rules: start at the configured serial (or now), +1 when the
// answers change, unchanged otherwise, and a raised configured serial wins.
#include "src/snapshot_spec.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "zones/snapshot.hpp"

namespace driad::app {
namespace {

using nlohmann::json;

constexpr std::uint64_t kNow = 1700000000;

json base_json() {
  return json::parse(R"({
    "listen": ["127.0.0.1:5353"],
    "edns_udp_size": 1400,
    "zones": [
      { "origin": "100.51.198.in-addr.arpa.",
        "soa": { "mname": "ns1.driad.example.", "rname": "hostmaster.driad.example.", "serial": 7 },
        "ns": ["ns1.driad.example."] },
      { "origin": "8.b.d.0.1.0.0.2.ip6.arpa.",
        "soa": { "mname": "ns1.driad.example.", "rname": "hostmaster.driad.example." },
        "ns": ["ns1.driad.example."] }
    ],
    "sources": [
      { "prefix": "198.51.100.0/24", "relay_group": "live" },
      { "prefix": "198.51.100.128/25", "relay_group": "static" },
      { "prefix": "2001:db8:ff00::/40", "relay_group": "static" }
    ],
    "relay_groups": [
      { "name": "static", "relays": ["10 0 1 203.0.113.15", "30 0 3 amtrelays.example.com."] },
      { "name": "live",
        "mx": { "relay": "192.0.2.1", "gnmi_target": "198.51.100.10:32767" },
        "gateways": [ { "relay": "192.0.2.11" }, { "relay": "2001:db8::11" } ] }
    ],
    "policy": { "ttl": 60, "mx_precedence": 10, "gateway_precedence": 20 }
  })");
}

config::Config load(const json& text) {
  auto config = config::parse_config(text.dump(), "test.json");
  EXPECT_TRUE(config) << (config ? "" : config.error().front());
  return config ? std::move(*config) : config::Config{};
}

// The serials SerialKeeper assigns to the two zones for `text`.
std::pair<std::uint32_t, std::uint32_t> serials(SerialKeeper& keeper, const json& text,
                                                std::uint64_t now = kNow) {
  const config::Config config = load(text);
  zones::SnapshotSpec spec = snapshot_spec(config, 1);
  keeper.assign(spec, config, now);
  EXPECT_EQ(spec.zones.size(), 2U);
  if (spec.zones.size() != 2) return {0, 0};
  return {spec.zones[0].soa.serial, spec.zones[1].soa.serial};
}

using Serials = std::pair<std::uint32_t, std::uint32_t>;

TEST(SerialKeeper, StartsAtTheConfiguredSerialOrNow) {
  SerialKeeper keeper;
  EXPECT_EQ(serials(keeper, base_json()), (Serials{7, kNow}));
}

TEST(SerialKeeper, UnchangedAnswersKeepTheSerial) {
  SerialKeeper keeper;
  serials(keeper, base_json());
  EXPECT_EQ(serials(keeper, base_json(), kNow + 100), (Serials{7, kNow}));
  EXPECT_EQ(serials(keeper, base_json(), kNow + 200), (Serials{7, kNow}));
}

TEST(SerialKeeper, ChangedAnswersAddOne) {
  SerialKeeper keeper;
  serials(keeper, base_json());
  json ttl = base_json();
  ttl["policy"]["ttl"] = 30;
  EXPECT_EQ(serials(keeper, ttl), (Serials{8, kNow + 1}));
  json relay = ttl;
  relay["relay_groups"][0]["relays"][0] = "10 0 1 203.0.113.16";
  EXPECT_EQ(serials(keeper, relay), (Serials{9, kNow + 2}));
  EXPECT_EQ(serials(keeper, relay), (Serials{9, kNow + 2})) << "no change, no bump";
  json soa = relay;
  soa["zones"][1]["soa"]["minimum"] = 60;
  EXPECT_EQ(serials(keeper, soa), (Serials{10, kNow + 3}));
  json source = soa;
  source["sources"][1]["relay_group"] = "live";
  EXPECT_EQ(serials(keeper, source), (Serials{11, kNow + 4}));
}

TEST(SerialKeeper, GroupNameAloneIsNotAChangeOfAnswers) {
  SerialKeeper keeper;
  serials(keeper, base_json());
  json renamed = base_json();
  renamed["relay_groups"][0]["name"] = "static-renamed";
  for (auto& source : renamed["sources"]) {
    if (source["relay_group"] == "static") source["relay_group"] = "static-renamed";
  }
  EXPECT_EQ(serials(keeper, renamed), (Serials{7, kNow}));
}

TEST(SerialKeeper, RaisedConfiguredSerialWins) {
  SerialKeeper keeper;
  serials(keeper, base_json());
  json raised = base_json();
  raised["zones"][0]["soa"]["serial"] = 500;
  EXPECT_EQ(serials(keeper, raised), (Serials{500, kNow}));
  EXPECT_EQ(serials(keeper, raised), (Serials{500, kNow}));
  // Raised together with a change of answers: the configured value still wins.
  json both = raised;
  both["zones"][0]["soa"]["serial"] = 900;
  both["policy"]["ttl"] = 30;
  EXPECT_EQ(serials(keeper, both), (Serials{900, kNow + 1}));
}

TEST(SerialKeeper, LoweredConfiguredSerialDoesNotGoBack) {
  SerialKeeper keeper;
  json high = base_json();
  high["zones"][0]["soa"]["serial"] = 500;
  serials(keeper, high);
  EXPECT_EQ(serials(keeper, base_json()), (Serials{500, kNow}));
  json changed = base_json();
  changed["policy"]["ttl"] = 30;
  EXPECT_EQ(serials(keeper, changed), (Serials{501, kNow + 1}));
}

TEST(SerialKeeper, ConfiguredSerialRaisedPastWrapUsesSerialArithmetic) {
  // RFC 1982: 5 is "after" 4294967290.
  SerialKeeper keeper;
  json near_top = base_json();
  near_top["zones"][0]["soa"]["serial"] = 4294967290U;
  EXPECT_EQ(serials(keeper, near_top).first, 4294967290U);
  json wrapped = base_json();
  wrapped["zones"][0]["soa"]["serial"] = 5;
  EXPECT_EQ(serials(keeper, wrapped).first, 5U);
}

TEST(SerialKeeper, ZoneAddedLaterStartsAtItsOwnValue) {
  SerialKeeper keeper;
  const config::Config one_zone = [] {
    json text = base_json();
    text["zones"].erase(1);
    text["sources"].erase(2);
    return load(text);
  }();
  zones::SnapshotSpec first = snapshot_spec(one_zone, 1);
  keeper.assign(first, one_zone, kNow);
  ASSERT_EQ(first.zones.size(), 1U);
  EXPECT_EQ(first.zones[0].soa.serial, 7U);
  // The new zone starts at now; the old one's answers changed (a new zone), so +1.
  EXPECT_EQ(serials(keeper, base_json(), kNow + 50), (Serials{8, kNow + 50}));
}

TEST(SnapshotSpec, CarriesZonesGroupsAndSources) {
  const config::Config config = load(base_json());
  const zones::SnapshotSpec spec = snapshot_spec(config, 42);
  EXPECT_EQ(spec.generation, 42U);
  EXPECT_EQ(spec.edns_udp_size, 1400);
  ASSERT_EQ(spec.zones.size(), 2U);
  EXPECT_EQ(spec.zones[0].origin, config.zones[0].origin);
  EXPECT_EQ(spec.zones[1].prefix, *zones::parse_prefix("2001:db8::/32"));
  ASSERT_EQ(spec.groups.size(), 2U);
  EXPECT_EQ(spec.groups[0].name, "static");
  EXPECT_EQ(spec.groups[0].ttl, 60U);
  ASSERT_EQ(spec.sources.size(), 3U);
  EXPECT_EQ(spec.sources[0].group, 1U);  // "live"
  EXPECT_EQ(spec.sources[1].group, 0U);  // "static"
  EXPECT_TRUE(zones::Snapshot::build(spec));
}

TEST(SnapshotSpec, SourcesOfUnknownGroupsAreUnavailable) {
  json text = base_json();
  text["traffic_ops"] = {{"url", "https://to.example.net"}, {"cdn", "mcast"}};
  text["sources"][0]["relay_group"] = "cachegroup-not-yet-known";
  text["sources"][1]["relay_group"] = "cachegroup-not-yet-known";
  const zones::SnapshotSpec spec = snapshot_spec(load(text), 1);
  ASSERT_EQ(spec.sources.size(), 3U);
  // One placeholder group for the name, shared by both sources: SERVFAIL.
  ASSERT_EQ(spec.groups.size(), 3U);
  EXPECT_EQ(spec.groups[2].name, "cachegroup-not-yet-known");
  EXPECT_TRUE(spec.groups[2].unavailable);
  EXPECT_TRUE(spec.groups[2].relays.empty());
  EXPECT_FALSE(spec.groups[0].unavailable);
  EXPECT_EQ(spec.sources[0].group, 2U);
  EXPECT_EQ(spec.sources[1].group, 2U);
  EXPECT_TRUE(zones::Snapshot::build(spec));
}

// Issue 5: the spec holds the config's source list itself, so that every
// snapshot built from one config (a health change, a new TTL) shares one table.
TEST(SnapshotSpec, SharesTheConfigsSourcesAndTheirTable) {
  const config::Config config = load(base_json());
  const zones::SnapshotSpec spec = snapshot_spec(config, 1);
  EXPECT_TRUE(spec.sources.shares(config.sources));
  const auto first = zones::Snapshot::build(spec);
  ASSERT_TRUE(first) << first.error();

  config::Config effective = config;  // what the daemon rebuilds from
  effective.policy.ttl = 30;
  effective.relay_groups[0].relays.pop_back();
  const zones::SnapshotSpec next = snapshot_spec(effective, 2);
  const auto second = zones::Snapshot::build(next);
  ASSERT_TRUE(second) << second.error();
  EXPECT_EQ(&(*second)->sources(), &(*first)->sources());
  EXPECT_EQ(next.groups[0].ttl, 30U);
  EXPECT_EQ((*second)->answer(0).count, 1);
}

// Groups Traffic Ops adds to the effective config: a cachegroup the sources
// name takes the row the config numbered it with (so the list is shared as
// it is); one no source names comes after every named one.
TEST(SnapshotSpec, TrafficOpsGroupsKeepTheSourceNumbering) {
  json text = base_json();
  text["traffic_ops"] = {{"url", "https://to.example.net"}, {"cdn", "mcast"}};
  text["sources"][0]["relay_group"] = "cg-east";
  const config::Config config = load(text);
  ASSERT_EQ(config.source_groups, (std::vector<std::string>{"static", "live", "cg-east"}));
  config::Config effective = config;
  config::RelayGroupConfig unnamed;
  unnamed.name = "cg-unnamed";
  unnamed.relays = config.relay_groups[0].relays;
  config::RelayGroupConfig east;
  east.name = "cg-east";
  east.relays = {config.relay_groups[0].relays[1]};
  effective.relay_groups.push_back(unnamed);
  effective.relay_groups.push_back(east);

  const zones::SnapshotSpec pending = snapshot_spec(config, 1);
  ASSERT_EQ(pending.groups.size(), 3U);
  EXPECT_TRUE(pending.groups[2].unavailable);
  const zones::SnapshotSpec known = snapshot_spec(effective, 2);
  ASSERT_EQ(known.groups.size(), 4U);
  EXPECT_EQ(known.groups[2].name, "cg-east");
  EXPECT_FALSE(known.groups[2].unavailable);
  EXPECT_EQ(known.groups[2].relays, east.relays);
  EXPECT_EQ(known.groups[3].name, "cg-unnamed");
  EXPECT_TRUE(known.sources.shares(config.sources));
  EXPECT_EQ(known.sources[0].group, 2U);
  const auto first = zones::Snapshot::build(pending);
  const auto second = zones::Snapshot::build(known);
  ASSERT_TRUE(first) << first.error();
  ASSERT_TRUE(second) << second.error();
  EXPECT_EQ(&(*second)->sources(), &(*first)->sources());
  EXPECT_TRUE((*first)->unavailable(2));
  EXPECT_FALSE((*second)->unavailable(2));
}

TEST(SnapshotSpec, EcsFollowsTheConfig) {
  json text = base_json();
  EXPECT_FALSE(snapshot_spec(load(text), 1).ecs);
  text["ecs"] = true;
  EXPECT_TRUE(snapshot_spec(load(text), 1).ecs);
}

TEST(AdvertisedRelays, StaticGroupIsItsList) {
  const config::Config config = load(base_json());
  const auto relays = advertised_relays(config.relay_groups[0], config.policy);
  EXPECT_EQ(relays, config.relay_groups[0].relays);
  ASSERT_EQ(relays.size(), 2U);
}

TEST(AdvertisedRelays, LiveGroupIsMxThenGatewaysAtTheirPrecedences) {
  json text = base_json();
  text["policy"]["mx_precedence"] = 5;
  text["policy"]["gateway_precedence"] = 15;
  const config::Config config = load(text);
  const auto relays = advertised_relays(config.relay_groups[1], config.policy);
  ASSERT_EQ(relays.size(), 3U);
  EXPECT_EQ(relays[0].precedence, 5);
  EXPECT_EQ(relays[0].type, policy::RelayType::ipv4);
  EXPECT_EQ(relays[0].relay, (std::vector<std::uint8_t>{192, 0, 2, 1}));
  EXPECT_FALSE(relays[0].discovery_optional);
  EXPECT_EQ(relays[1].precedence, 15);
  EXPECT_EQ(relays[1].relay, (std::vector<std::uint8_t>{192, 0, 2, 11}));
  EXPECT_EQ(relays[2].type, policy::RelayType::ipv6);
  ASSERT_EQ(relays[2].relay.size(), 16U);
  EXPECT_EQ(relays[2].relay[0], 0x20);
  EXPECT_EQ(relays[2].relay[15], 0x11);
}

TEST(SnapshotSpec, DemoConfigBuildsASnapshot) {
  const auto config = config::parse_config(config::demo_config_json(), "demo");
  ASSERT_TRUE(config);
  zones::SnapshotSpec spec = snapshot_spec(*config, 3);
  SerialKeeper keeper;
  keeper.assign(spec, *config, kNow);
  const auto snapshot = zones::Snapshot::build(spec);
  ASSERT_TRUE(snapshot) << snapshot.error();
  EXPECT_EQ((*snapshot)->generation(), 3U);
  EXPECT_EQ((*snapshot)->zones().size(), 2U);
  EXPECT_EQ((*snapshot)->zones()[0].serial, static_cast<std::uint32_t>(kNow));
  EXPECT_EQ((*snapshot)->group_count(), 3U);
}

}  // namespace
}  // namespace driad::app
