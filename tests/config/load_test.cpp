// parse_config / load_config_file: the demo config and a config with every key
// load; every rejection names the file and the exact JSON pointer.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "config/config.hpp"

namespace driad::config {
namespace {

using nlohmann::json;

constexpr const char* kLabel = "test.json";

// A config that uses every key of config.md (and a second zone so that its
// IPv6 source lies inside a zone).
json full_config() {
  return json::parse(R"({
    "listen": ["127.0.0.1:5353", "[::1]:5353"],
    "threads": 2,
    "edns_udp_size": 1400,
    "tcp": { "idle_timeout_ms": 5000, "max_connections": 64, "max_connections_per_client": 8 },
    "zones": [
      { "origin": "100.51.198.in-addr.arpa.",
        "soa": { "mname": "ns1.driad.example.", "rname": "hostmaster.driad.example.", "serial": 7,
                 "refresh": 3600, "retry": 600, "expire": 86400, "minimum": 30 },
        "ns": ["ns1.driad.example."], "ttl": 3600 },
      { "origin": "8.b.d.0.1.0.0.2.ip6.arpa.",
        "soa": { "mname": "ns1.driad.example.", "rname": "hostmaster.driad.example." },
        "ns": ["ns1.driad.example.", "ns2.driad.example."] }
    ],
    "sources": [
      { "prefix": "198.51.100.0/24", "relay_group": "amt-us-east" },
      { "prefix": "198.51.100.128/25", "relay_group": "static-west" },
      { "prefix": "2001:db8:ff00::/40", "relay_group": "amt-us-east" }
    ],
    "relay_groups": [
      { "name": "static-west",
        "relays": ["10 0 1 203.0.113.15", "20 1 2 2001:db8::15", "30 0 3 amtrelays.example.com."] },
      { "name": "amt-us-east",
        "mx": { "relay": "192.0.2.1", "gnmi_target": "198.51.100.10:32767",
                "tls": { "ca": "/etc/driad/mx-ca.pem", "cert": "/etc/driad/gw.pem", "key": "/etc/driad/gw.key",
                         "server_name": "mx-amt-use-01" },
                "max_tunnels": 4000 },
        "gateways": [ { "relay": "192.0.2.11", "probe": true, "probe_port": 12268, "max_tunnels": 300 } ] }
    ],
    "policy": { "ttl": 60, "degraded_ttl": 5, "hold_up_s": 10, "stale_after_ms": 3000,
                "high_watermark": 0.85, "low_watermark": 0.70, "overload_mode": "gateway-first",
                "mx_precedence": 10, "gateway_precedence": 20 },
    "traffic_ops": { "url": "https://to.example.net", "api_version": "4.0", "cdn": "mcast-cdn",
                     "poll_interval_s": 60, "cache_file": "/var/lib/driad/topology.json" },
    "coverage_zone_file": "/etc/driad/czf.json",
    "ecs": true,
    "admin": { "listen": "127.0.0.1:8053" },
    "rrl": { "responses_per_second": 20, "slip": 2, "ipv4_prefix": 24, "ipv6_prefix": 56,
             "window_s": 2, "max_amplification": 6 }
  })");
}

// The same without the optional sections: unknown relay groups are errors
// here (no Traffic Ops to supply them).
json static_config() {
  json config = full_config();
  for (const char* key : {"threads", "edns_udp_size", "tcp", "policy", "traffic_ops",
                          "coverage_zone_file", "ecs", "admin", "rrl"}) {
    config.erase(key);
  }
  return config;
}

ConfigErrors errors_of(const json& config) {
  const auto parsed = parse_config(config.dump(2), kLabel);
  return parsed ? ConfigErrors{} : parsed.error();
}

std::string listing(const ConfigErrors& errors) {
  std::string out;
  for (const auto& e : errors) out += "\n  " + e;
  return out.empty() ? " (none)" : out;
}

// Whether some error reads "test.json: POINTER: ...PART...".
testing::AssertionResult has_error(const ConfigErrors& errors, const std::string& pointer,
                                   const std::string& part) {
  const std::string head = std::string(kLabel) + ": " + pointer + ": ";
  for (const auto& e : errors) {
    if (e.rfind(head, 0) == 0 && e.find(part, head.size()) != std::string::npos)
      return testing::AssertionSuccess();
  }
  return testing::AssertionFailure()
         << "no error '" << head << "..." << part << "...' among:" << listing(errors);
}

void set(json& config, const std::string& pointer, json value) {
  config[json::json_pointer(pointer)] = std::move(value);
}

void erase(json& config, const std::string& pointer) {
  const json::json_pointer at(pointer);
  config[at.parent_pointer()].erase(at.back());
}

TEST(ParseConfig, DemoConfigLoads) {
  const auto config = parse_config(demo_config_json(), "demo");
  ASSERT_TRUE(config) << listing(config.error());
  EXPECT_EQ(config->file, "demo");
  EXPECT_EQ(config->listen.size(), 2U);
  ASSERT_EQ(config->zones.size(), 2U);
  EXPECT_EQ(config->zones[0].prefix, *zones::parse_prefix("198.51.100.0/24"));
  EXPECT_EQ(config->zones[1].prefix, *zones::parse_prefix("2001:db8::/32"));
  EXPECT_EQ(config->sources.size(), 5U);
  ASSERT_EQ(config->relay_groups.size(), 3U);
  EXPECT_TRUE(config->relay_groups[2].is_static());
  EXPECT_EQ(config->policy.ttl, 60U);
  EXPECT_EQ(config->policy.degraded_ttl, 5U);
}

TEST(ParseConfig, EveryLiveKeyIsAccepted) {
  const auto config = parse_config(full_config().dump(), kLabel);
  ASSERT_TRUE(config) << listing(config.error());
  EXPECT_EQ(config->file, kLabel);
  EXPECT_EQ(config->threads, 2U);
  EXPECT_EQ(config->edns_udp_size, 1400);
  EXPECT_EQ(config->tcp.idle_timeout.count(), 5000);
  EXPECT_EQ(config->tcp.max_connections, 64U);
  EXPECT_EQ(config->listen_text[1], "[::1]:5353");
  EXPECT_EQ(config->listen[1].port, 5353);
  EXPECT_TRUE(config->zones[0].serial_configured);
  EXPECT_EQ(config->zones[0].soa.serial, 7U);
  EXPECT_FALSE(config->zones[1].serial_configured);
  EXPECT_EQ(config->zones[1].ns.size(), 2U);

  const RelayGroupConfig& live = config->relay_groups[1];
  EXPECT_FALSE(live.is_static());
  ASSERT_TRUE(live.mx);
  EXPECT_EQ(live.mx->relay, *zones::parse_address("192.0.2.1"));
  EXPECT_EQ(live.mx->gnmi_target, "198.51.100.10:32767");
  ASSERT_TRUE(live.mx->tls);
  EXPECT_EQ(live.mx->tls->server_name, "mx-amt-use-01");
  EXPECT_EQ(live.mx->tls->key, "/etc/driad/gw.key");
  ASSERT_EQ(live.gateways.size(), 1U);
  EXPECT_TRUE(live.gateways[0].probe);
  EXPECT_EQ(live.gateways[0].probe_port, 12268);
  EXPECT_EQ(live.gateways[0].max_tunnels, 300U);

  EXPECT_EQ(config->policy.overload_mode, OverloadMode::gateway_first);
  EXPECT_DOUBLE_EQ(config->policy.low_watermark, 0.70);
  EXPECT_EQ(config->policy.gateway_precedence, 20);
  ASSERT_TRUE(config->traffic_ops);
  EXPECT_EQ(config->traffic_ops->cdn, "mcast-cdn");
  EXPECT_EQ(config->coverage_zone_file, "/etc/driad/czf.json");
  EXPECT_TRUE(config->ecs);
  ASSERT_TRUE(config->admin);
  EXPECT_EQ(config->admin->listen, "127.0.0.1:8053");
  ASSERT_TRUE(config->rrl);
  EXPECT_EQ(config->rrl->ipv6_prefix, 56);
  EXPECT_EQ(config->rrl->window_s, 2U);
  EXPECT_EQ(config->rrl->max_amplification, 6U);
  EXPECT_EQ(config->tcp.max_connections_per_client, 8U);
}

TEST(ParseConfig, MxWithoutTlsAndMinimalConfigAreAccepted) {
  json config = static_config();
  erase(config, "/relay_groups/1/mx/tls");
  const auto parsed = parse_config(config.dump(), kLabel);
  ASSERT_TRUE(parsed) << listing(parsed.error());
  EXPECT_FALSE(parsed->relay_groups[1].mx->tls);
  EXPECT_FALSE(parsed->traffic_ops);
  EXPECT_FALSE(parsed->rrl);
  EXPECT_EQ(parsed->policy.overload_mode, OverloadMode::spill);
}

TEST(ParseConfig, SourcePrefixOutsideEveryZone) {
  json config = static_config();
  set(config, "/sources/1/prefix", "203.0.113.0/24");
  const ConfigErrors errors = errors_of(config);
  EXPECT_TRUE(has_error(errors, "/sources/1/prefix", "203.0.113.0/24 lies outside every zone"));
  EXPECT_EQ(errors.size(), 1U) << listing(errors);
}

TEST(ParseConfig, SourcePrefixWithHostBits) {
  json config = static_config();
  set(config, "/sources/0/prefix", "198.51.100.1/24");
  EXPECT_TRUE(has_error(errors_of(config), "/sources/0/prefix", "host bits"));
}

TEST(ParseConfig, OverlappingZones) {
  json config = static_config();
  json inner = config["zones"][0];
  inner["origin"] = "51.198.in-addr.arpa.";  // 198.51.0.0/16 holds zone 0's /24
  config["zones"].push_back(inner);
  const ConfigErrors errors = errors_of(config);
  EXPECT_TRUE(has_error(errors, "/zones/2/origin", "overlaps /zones/0"));
  EXPECT_EQ(errors.size(), 1U) << listing(errors);
}

TEST(ParseConfig, DuplicateOrigins) {
  json config = static_config();
  json again = config["zones"][0];
  again["origin"] = "100.51.198.IN-ADDR.ARPA.";  // the same name in another case
  config["zones"].push_back(again);
  const ConfigErrors errors = errors_of(config);
  EXPECT_TRUE(has_error(errors, "/zones/2/origin", "is also /zones/0"));
  EXPECT_EQ(errors.size(), 1U) << listing(errors);
}

TEST(ParseConfig, OriginOutsideTheReverseTrees) {
  for (const char* origin : {"example.com.", "100.51.198.in-addr.arpa.example.", "arpa.",
                             "07.51.198.in-addr.arpa.", "1.2.3.4.5.in-addr.arpa."}) {
    json config = static_config();
    set(config, "/zones/0/origin", origin);
    EXPECT_TRUE(has_error(errors_of(config), "/zones/0/origin", "")) << origin;
  }
  json config = static_config();
  set(config, "/zones/0/origin", "example.com.");
  EXPECT_TRUE(
      has_error(errors_of(config), "/zones/0/origin", "not under in-addr.arpa. or ip6.arpa."));
}

TEST(ParseConfig, OriginThatIsNotAName) {
  json config = static_config();
  set(config, "/zones/0/origin", "a..in-addr.arpa.");
  EXPECT_TRUE(has_error(errors_of(config), "/zones/0/origin", "empty label"));
}

TEST(ParseConfig, UnknownRelayGroup) {
  json config = static_config();
  set(config, "/sources/0/relay_group", "amt-us-wset");
  const ConfigErrors errors = errors_of(config);
  EXPECT_TRUE(has_error(errors, "/sources/0/relay_group", "'amt-us-wset' is not a relay group"));
  EXPECT_EQ(errors.size(), 1U) << listing(errors);
}

TEST(ParseConfig, UnknownRelayGroupIsACachegroupWhenTrafficOpsIsConfigured) {
  json config = full_config();
  set(config, "/sources/0/relay_group", "cachegroup-from-to");
  const auto parsed = parse_config(config.dump(), kLabel);
  EXPECT_TRUE(parsed) << listing(parsed ? ConfigErrors{} : parsed.error());
}

TEST(ParseConfig, DuplicateGroupNames) {
  json config = static_config();
  json again = config["relay_groups"][0];
  config["relay_groups"].push_back(again);
  const ConfigErrors errors = errors_of(config);
  EXPECT_TRUE(has_error(errors, "/relay_groups/2/name", "'static-west' is also /relay_groups/0"));
  EXPECT_EQ(errors.size(), 1U) << listing(errors);
}

TEST(ParseConfig, DuplicateSourcePrefixes) {
  json config = static_config();
  config["sources"].push_back({{"prefix", "198.51.100.0/24"}, {"relay_group", "static-west"}});
  const ConfigErrors errors = errors_of(config);
  EXPECT_TRUE(has_error(errors, "/sources/3/prefix", "198.51.100.0/24 is also /sources/0"));
  EXPECT_EQ(errors.size(), 1U) << listing(errors);
}

TEST(ParseConfig, DuplicateListenAddresses) {
  json config = static_config();
  config["listen"].push_back("127.0.0.1:5353");
  const ConfigErrors errors = errors_of(config);
  EXPECT_TRUE(has_error(errors, "/listen/2", "is listed twice"));
  EXPECT_EQ(errors.size(), 1U) << listing(errors);
}

TEST(ParseConfig, BadListenAddress) {
  json config = static_config();
  set(config, "/listen/0", "127.0.0.1");
  EXPECT_TRUE(has_error(errors_of(config), "/listen/0", "not IPv4:port"));
  set(config, "/listen/0", "127.0.0.1:99999");
  EXPECT_TRUE(has_error(errors_of(config), "/listen/0", "not a port number"));
  set(config, "/listen", json::array());
  EXPECT_TRUE(has_error(errors_of(config), "/listen", "at least one address"));
}

struct RelayCase {
  std::string relay;
  std::string part;
};

class ConfigRelayString : public testing::TestWithParam<RelayCase> {};

TEST_P(ConfigRelayString, IsRefusedAtItsPointer) {
  json config = static_config();
  set(config, "/relay_groups/0/relays/1", GetParam().relay);
  const ConfigErrors errors = errors_of(config);
  EXPECT_TRUE(has_error(errors, "/relay_groups/0/relays/1", GetParam().part));
  EXPECT_EQ(errors.size(), 1U) << listing(errors);
}

INSTANTIATE_TEST_SUITE_P(
    Every, ConfigRelayString,
    testing::Values(RelayCase{"10 0 1", "not 'precedence D type relay'"},
                    RelayCase{"10 0 1 192.0.2.1 x", "not 'precedence D type relay'"},
                    RelayCase{"203.0.113.15", "not 'precedence D type relay'"},
                    RelayCase{"10 0 3 amt..example.", "type 3 relay: "},
                    RelayCase{"10 0 3 " + std::string(64, 'a') + ".example.", "type 3 relay: "},
                    RelayCase{"10 0 3 .", "root name"},
                    RelayCase{"256 0 1 192.0.2.1", "precedence '256'"},
                    RelayCase{"10 2 1 192.0.2.1", "D '2'"},
                    RelayCase{"10 0 4 192.0.2.1", "type 4 is unassigned"},
                    RelayCase{"10 0 127 192.0.2.1", "type 127 is unassigned"},
                    RelayCase{"10 0 1 2001:db8::1", "not an IPv4 address"},
                    RelayCase{"10 0 2 192.0.2.1", "not an IPv6 address"},
                    RelayCase{"0 0 0 192.0.2.1", "type 0 (no relay) takes '.'"}));

TEST(ParseConfig, RelayThatIsNotAString) {
  json config = static_config();
  set(config, "/relay_groups/0/relays/0", 10);
  EXPECT_TRUE(has_error(errors_of(config), "/relay_groups/0/relays/0",
                        "must be a string 'precedence D type relay'"));
}

TEST(ParseConfig, GroupWithBothRelaysAndMx) {
  json config = static_config();
  config["relay_groups"][0]["mx"] = config["relay_groups"][1]["mx"];
  const ConfigErrors errors = errors_of(config);
  EXPECT_TRUE(has_error(errors, "/relay_groups/0", "has both 'relays'"));
  EXPECT_EQ(errors.size(), 1U) << listing(errors);
}

TEST(ParseConfig, GroupWithNeitherRelaysNorMx) {
  json config = static_config();
  erase(config, "/relay_groups/0/relays");
  const ConfigErrors errors = errors_of(config);
  EXPECT_TRUE(has_error(errors, "/relay_groups/0", "needs 'relays'"));
  EXPECT_EQ(errors.size(), 1U) << listing(errors);
}

TEST(ParseConfig, EmptyRelays) {
  json config = static_config();
  set(config, "/relay_groups/0/relays", json::array());
  const ConfigErrors errors = errors_of(config);
  EXPECT_TRUE(has_error(errors, "/relay_groups/0/relays", "must hold at least one relay"));
  EXPECT_EQ(errors.size(), 1U) << listing(errors);
}

TEST(ParseConfig, GatewaysOnlyIsALiveGroup) {
  json config = static_config();
  erase(config, "/relay_groups/1/mx");
  const auto parsed = parse_config(config.dump(), kLabel);
  ASSERT_TRUE(parsed) << listing(parsed.error());
  EXPECT_FALSE(parsed->relay_groups[1].mx);
  EXPECT_EQ(parsed->relay_groups[1].gateways.size(), 1U);
}

TEST(ParseConfig, BadMxAndGatewayValues) {
  json config = static_config();
  set(config, "/relay_groups/1/mx/relay", "mx.example.");
  set(config, "/relay_groups/1/mx/gnmi_target", "198.51.100.10");
  set(config, "/relay_groups/1/gateways/0/relay", "192.0.2.300");
  const ConfigErrors errors = errors_of(config);
  EXPECT_TRUE(has_error(errors, "/relay_groups/1/mx/relay", "not an IPv4 or IPv6 address"));
  EXPECT_TRUE(has_error(errors, "/relay_groups/1/mx/gnmi_target", "not host:port"));
  EXPECT_TRUE(has_error(errors, "/relay_groups/1/gateways/0/relay", "not an IPv4 or IPv6 address"));
  EXPECT_EQ(errors.size(), 3U) << listing(errors);
}

TEST(ParseConfig, LowWatermarkAboveHigh) {
  json config = full_config();
  set(config, "/policy/low_watermark", 0.9);
  set(config, "/policy/high_watermark", 0.8);
  const ConfigErrors errors = errors_of(config);
  EXPECT_TRUE(has_error(errors, "/policy/low_watermark", "must not be above high_watermark"));
  EXPECT_EQ(errors.size(), 1U) << listing(errors);
  // The default low watermark (0.70) against a configured high one.
  json defaults = full_config();
  erase(defaults, "/policy/low_watermark");
  set(defaults, "/policy/high_watermark", 0.5);
  EXPECT_TRUE(has_error(errors_of(defaults), "/policy/low_watermark", "above high_watermark"));
}

TEST(ParseConfig, WatermarkOutsideZeroToOne) {
  json config = full_config();
  set(config, "/policy/high_watermark", 1.5);
  EXPECT_TRUE(has_error(errors_of(config), "/policy/high_watermark", "is outside"));
}

TEST(ParseConfig, BadOverloadMode) {
  json config = full_config();
  set(config, "/policy/overload_mode", "spil");
  const ConfigErrors errors = errors_of(config);
  EXPECT_TRUE(
      has_error(errors, "/policy/overload_mode", "'spil' is not 'spill' or 'gateway-first'"));
  EXPECT_EQ(errors.size(), 1U) << listing(errors);
}

TEST(ParseConfig, BadTrafficOpsUrl) {
  json config = full_config();
  set(config, "/traffic_ops/url", "to.example.net");
  EXPECT_TRUE(has_error(errors_of(config), "/traffic_ops/url", "not an http:// or https:// URL"));
}

TEST(ParseConfig, TrafficOpsSettingsForTheServersItSupplies) {
  json config = full_config();
  set(config, "/traffic_ops/timeout_ms", 2500);
  set(config, "/traffic_ops/gnmi_port", 50051);
  set(config, "/traffic_ops/relay_family", "ipv6");
  set(config, "/traffic_ops/relay_public_ip", json{{"mx-amt-use-01", "2001:db8:ffff::1"}});
  set(config, "/traffic_ops/mx",
      json{{"max_tunnels", 8000},
           {"tls", {{"ca", "/etc/driad/ca.pem"}, {"cert", "/c.pem"}, {"key", "/k.pem"}}}});
  set(config, "/traffic_ops/gateway", json{{"probe_port", 12268}, {"probe_interval_ms", 500}});
  const auto parsed = parse_config(config.dump(), kLabel);
  ASSERT_TRUE(parsed) << listing(parsed.error());
  const TrafficOpsConfig& to = *parsed->traffic_ops;
  EXPECT_EQ(to.timeout_ms, 2500U);
  EXPECT_EQ(to.gnmi_port, 50051);
  EXPECT_EQ(to.relay_family, RelayFamily::ipv6);
  ASSERT_EQ(to.relay_public_ip.size(), 1U);
  EXPECT_EQ(to.relay_public_ip[0].first, "mx-amt-use-01");
  EXPECT_EQ(to.relay_public_ip[0].second, *zones::parse_address("2001:db8:ffff::1"));
  EXPECT_EQ(to.mx.max_tunnels, 8000U);
  ASSERT_TRUE(to.mx.tls);
  EXPECT_EQ(to.mx.tls->ca, "/etc/driad/ca.pem");
  EXPECT_TRUE(to.gateway.probe);  // Traffic Ops gateways are probed by default
  EXPECT_EQ(to.gateway.probe_port, 12268);
  EXPECT_EQ(to.gateway.probe_interval_ms, 500U);
}

TEST(ParseConfig, BadTrafficOpsSettings) {
  json config = full_config();
  set(config, "/traffic_ops/api_version", "3.1");
  set(config, "/traffic_ops/relay_family", "ipv5");
  set(config, "/traffic_ops/relay_public_ip", json{{"mx-1", "not-an-ip"}});
  set(config, "/traffic_ops/mx", json{{"relay", "192.0.2.1"}});
  set(config, "/traffic_ops/gateway", json{{"probe_timeout_ms", 5000}});
  const ConfigErrors errors = errors_of(config);
  EXPECT_TRUE(has_error(errors, "/traffic_ops/api_version", "'3.1' is not a 4.x or 5.x"));
  EXPECT_TRUE(has_error(errors, "/traffic_ops/relay_family", "'ipv5' is not 'ipv4' or 'ipv6'"));
  EXPECT_TRUE(has_error(errors, "/traffic_ops/relay_public_ip/mx-1", "not-an-ip"));
  EXPECT_TRUE(has_error(errors, "/traffic_ops/mx/relay", "unknown key"));
  EXPECT_TRUE(has_error(errors, "/traffic_ops/gateway/probe_timeout_ms",
                        "must not exceed probe_interval_ms"));
  EXPECT_EQ(errors.size(), 5U) << listing(errors);
}

// A key with a typo at each level of the file.
struct TypoCase {
  std::string parent;  // JSON pointer of the object
  std::string key;
};

class ConfigUnknownKey : public testing::TestWithParam<TypoCase> {};

TEST_P(ConfigUnknownKey, IsAnErrorAtItsOwnPointer) {
  json config = full_config();
  config[json::json_pointer(GetParam().parent)][GetParam().key] = 1;
  const ConfigErrors errors = errors_of(config);
  EXPECT_TRUE(
      has_error(errors, GetParam().parent + "/" + GetParam().key, "unknown key (known here: "));
  EXPECT_EQ(errors.size(), 1U) << listing(errors);
}

INSTANTIATE_TEST_SUITE_P(
    EveryLevel, ConfigUnknownKey,
    testing::Values(TypoCase{"", "listn"}, TypoCase{"", "zone"}, TypoCase{"/tcp", "idle_timeout"},
                    TypoCase{"/zones/0", "orgin"}, TypoCase{"/zones/1/soa", "minimun"},
                    TypoCase{"/sources/0", "prefx"}, TypoCase{"/relay_groups/0", "relay"},
                    TypoCase{"/relay_groups/1/mx", "gnmi"},
                    TypoCase{"/relay_groups/1/mx/tls", "certt"},
                    TypoCase{"/relay_groups/1/gateways/0", "prob"}, TypoCase{"/policy", "tll"},
                    TypoCase{"/traffic_ops", "urll"}, TypoCase{"/admin", "listn"},
                    TypoCase{"/rrl", "slipp"}));

TEST(ParseConfig, PointerEscapesSlashAndTilde) {
  json config = full_config();
  config["x/y~z"] = 1;
  EXPECT_TRUE(has_error(errors_of(config), "/x~1y~0z", "unknown key"));
}

TEST(ParseConfig, UnknownKeyNamesTheKnownOnes) {
  json config = full_config();
  config["policy"]["tll"] = 60;
  EXPECT_TRUE(has_error(errors_of(config), "/policy/tll", "ttl, degraded_ttl"));
}

// A value of the wrong JSON type.
struct TypeCase {
  std::string pointer;
  json value;
  std::string part;
};

class ConfigWrongType : public testing::TestWithParam<TypeCase> {};

TEST_P(ConfigWrongType, IsAnErrorAtItsPointer) {
  json config = full_config();
  set(config, GetParam().pointer, GetParam().value);
  EXPECT_TRUE(has_error(errors_of(config), GetParam().pointer, GetParam().part));
}

INSTANTIATE_TEST_SUITE_P(
    Every, ConfigWrongType,
    testing::Values(TypeCase{"/threads", "4", "must be a whole number"},
                    TypeCase{"/threads", -1, "must be a whole number"},
                    TypeCase{"/edns_udp_size", 100, "is outside 512-4096"},
                    TypeCase{"/listen", "127.0.0.1:53", "must be an array"},
                    TypeCase{"/listen/0", 53, "must be a string"},
                    TypeCase{"/zones", json::object(), "must be an array"},
                    TypeCase{"/zones/0", "100.51.198.in-addr.arpa.", "must be an object"},
                    TypeCase{"/zones/0/ttl", -1, "must be a whole number"},
                    TypeCase{"/zones/0/ttl", 1.5, "must be a whole number"},
                    TypeCase{"/zones/0/soa", "ns1.driad.example.", "must be an object"},
                    TypeCase{"/zones/0/soa/serial", "7", "must be a whole number"},
                    TypeCase{"/zones/0/soa/serial", 4294967296LL, "is outside 0-4294967295"},
                    TypeCase{"/zones/0/ns", "ns1.driad.example.", "must be an array"},
                    TypeCase{"/zones/0/ns/0", 1, "must be a domain name string"},
                    TypeCase{"/sources", json::object(), "must be an array"},
                    TypeCase{"/sources/0", json::array(), "must be an object"},
                    TypeCase{"/sources/0/prefix", 24, "must be a string"},
                    TypeCase{"/relay_groups/0/name", 1, "must be a string"},
                    TypeCase{"/relay_groups/0/relays", "10 0 1 192.0.2.1", "must be an array"},
                    TypeCase{"/relay_groups/1/mx", "192.0.2.1", "must be an object"},
                    TypeCase{"/relay_groups/1/gateways", json::object(), "must be an array"},
                    TypeCase{"/relay_groups/1/gateways/0/probe", "yes", "must be true or false"},
                    TypeCase{"/relay_groups/1/gateways/0/probe_port", 70000, "is outside 1-65535"},
                    TypeCase{"/policy/ttl", true, "must be a whole number"},
                    TypeCase{"/policy/high_watermark", "0.8", "must be a number"},
                    TypeCase{"/policy/overload_mode", 1, "must be a string"},
                    TypeCase{"/policy/mx_precedence", 256, "is outside 0-255"},
                    TypeCase{"/ecs", "yes", "must be true or false"},
                    TypeCase{"/coverage_zone_file", false, "must be a string"},
                    TypeCase{"/rrl", 5, "must be an object"},
                    TypeCase{"/rrl/ipv4_prefix", 33, "is outside 8-32"},
                    TypeCase{"/rrl/window_s", 0, "is outside 1-60"},
                    TypeCase{"/rrl/max_amplification", 1001, "is outside 0-1000"},
                    TypeCase{"/tcp/max_connections_per_client", -1,
                             "must be a whole number 0-1000000"}));

TEST(ParseConfig, RootThatIsNotAnObject) {
  const auto parsed = parse_config("[1, 2]", kLabel);
  ASSERT_FALSE(parsed);
  EXPECT_TRUE(has_error(parsed.error(), "/", "must be an object, not array"));
}

// A required key, removed.
class ConfigMissingKey : public testing::TestWithParam<std::string> {};

TEST_P(ConfigMissingKey, IsRequiredAtItsPointer) {
  json config = full_config();
  erase(config, GetParam());
  EXPECT_TRUE(has_error(errors_of(config), GetParam(), "is required"));
}

INSTANTIATE_TEST_SUITE_P(
    Every, ConfigMissingKey,
    testing::Values("/listen", "/zones", "/sources", "/relay_groups", "/zones/0/origin",
                    "/zones/0/soa", "/zones/0/ns", "/zones/0/soa/mname", "/zones/0/soa/rname",
                    "/sources/0/prefix", "/sources/0/relay_group", "/relay_groups/0/name",
                    "/relay_groups/1/mx/relay", "/relay_groups/1/mx/gnmi_target",
                    "/relay_groups/1/mx/tls/ca", "/relay_groups/1/mx/tls/key",
                    "/relay_groups/1/gateways/0/relay", "/traffic_ops/url", "/traffic_ops/cdn"));

TEST(ParseConfig, InvalidJsonNamesLineAndColumn) {
  const std::string text = "{\n  \"listen\": ]\n}\n";
  const auto parsed = parse_config(text, kLabel);
  ASSERT_FALSE(parsed);
  ASSERT_EQ(parsed.error().size(), 1U);
  EXPECT_EQ(parsed.error()[0].rfind("test.json:2:13: not valid JSON", 0), 0U) << parsed.error()[0];
}

TEST(ParseConfig, TruncatedJsonIsInvalid) {
  const std::string text = full_config().dump(2);
  const auto parsed = parse_config(text.substr(0, text.size() / 2), kLabel);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error()[0].find(": not valid JSON"), std::string::npos) << parsed.error()[0];
  EXPECT_EQ(parsed.error()[0].rfind("test.json:", 0), 0U);
}

TEST(ParseConfig, SeveralErrorsAreAllReported) {
  json config = full_config();
  set(config, "/sources/1/prefix", "203.0.113.0/24");
  set(config, "/relay_groups/0/relays/2", "30 0 3 .");
  set(config, "/policy/overload_mode", "spil");
  config["rrl"]["slipp"] = 2;
  const ConfigErrors errors = errors_of(config);
  EXPECT_TRUE(has_error(errors, "/sources/1/prefix", "lies outside every zone"));
  EXPECT_TRUE(has_error(errors, "/relay_groups/0/relays/2", "root name"));
  EXPECT_TRUE(has_error(errors, "/policy/overload_mode", "spil"));
  EXPECT_TRUE(has_error(errors, "/rrl/slipp", "unknown key"));
  EXPECT_EQ(errors.size(), 4U) << listing(errors);
}

TEST(ParseConfig, EveryMessageStartsWithTheFileLabel) {
  json config = full_config();
  config["zones"][0]["soa"]["mnane"] = "x";
  set(config, "/listen/0", "nowhere");
  set(config, "/relay_groups/0/relays/0", "1 2 3");
  const auto parsed = parse_config(config.dump(), "/etc/driad/driad.json");
  ASSERT_FALSE(parsed);
  ASSERT_EQ(parsed.error().size(), 3U) << listing(parsed.error());
  for (const auto& e : parsed.error()) EXPECT_EQ(e.rfind("/etc/driad/driad.json: /", 0), 0U) << e;
}

TEST(LoadConfigFile, ReadsAFileAndLabelsItsErrorsWithThePath) {
  const std::string path = testing::TempDir() + "driad_load_test.json";
  {
    std::ofstream out(path);
    out << full_config().dump(2);
  }
  const auto good = load_config_file(path);
  ASSERT_TRUE(good) << listing(good.error());
  EXPECT_EQ(good->file, path);

  {
    std::ofstream out(path);
    json bad = full_config();
    bad["ecs"] = "yes";
    out << bad.dump(2);
  }
  const auto bad = load_config_file(path);
  ASSERT_FALSE(bad);
  ASSERT_EQ(bad.error().size(), 1U);
  EXPECT_EQ(bad.error()[0].rfind(path + ": /ecs: ", 0), 0U) << bad.error()[0];
  std::remove(path.c_str());
}

TEST(LoadConfigFile, MissingFileIsAnError) {
  const std::string path = testing::TempDir() + "driad_no_such_config.json";
  const auto missing = load_config_file(path);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error()[0].rfind(path + ": cannot be read", 0), 0U) << missing.error()[0];
}

}  // namespace
}  // namespace driad::config
