// The Traffic Ops body parsers on the shared fixtures (API 4.x and 5.x), and
// every rejection with the JSON pointer it names.
#include "health/traffic_ops_json.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace driad::health {
namespace {

using nlohmann::json;

std::string fixture(const std::string& name) {
  const std::string path = std::string(DRIAD_SOURCE_DIR) + "/tests/fixtures/trafficops/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

json fixture_json(const std::string& name) {
  return json::parse(fixture(name));
}

RelayServer relay(std::string host, std::string cachegroup, RelayRole role, std::string status,
                  std::string v4, std::string v6, std::string management) {
  return RelayServer{std::move(host), std::move(cachegroup), role, std::move(status), std::move(v4),
                     std::move(v6),   std::move(management)};
}

const std::vector<RelayServer> kFixtureRelays = {
    relay("amtgw-use-01", "amt-us-east", RelayRole::gateway, "ONLINE", "192.0.2.11",
          "2001:db8:100::11", ""),
    relay("mx-amt-use-01", "amt-us-east", RelayRole::mx, "ONLINE", "192.0.2.1", "2001:db8:100::1",
          "198.51.100.10"),
    relay("amtgw-usw-01", "amt-us-west", RelayRole::gateway, "REPORTED", "203.0.113.11",
          "2001:db8:200::11", ""),
    relay("mx-amt-usw-01", "amt-us-west", RelayRole::mx, "ONLINE", "203.0.113.1", "2001:db8:200::1",
          "198.51.100.20"),
};

std::string servers_error(const json& body, std::string_view cdn = {}) {
  auto parsed = parse_servers(body.dump(), cdn);
  return parsed ? "(accepted)" : parsed.error();
}

TEST(TrafficOpsJson, ServersV4AndV5GiveTheSameRelays) {
  auto v4 = parse_servers(fixture("servers.json"));
  ASSERT_TRUE(v4) << v4.error();
  EXPECT_EQ(*v4, kFixtureRelays);
  auto v5 = parse_servers(fixture("servers-v5.json"));
  ASSERT_TRUE(v5) << v5.error();
  EXPECT_EQ(*v5, kFixtureRelays);
}

TEST(TrafficOpsJson, ServersFilteredByTypeAndCdn) {
  json body = fixture_json("servers.json");
  body["response"][0]["type"] = "EDGE";
  // A skipped server is not checked: its bad address does not matter.
  body["response"][0]["interfaces"][0]["ipAddresses"][0]["address"] = "bogus";
  auto kept = parse_servers(body.dump());
  ASSERT_TRUE(kept) << kept.error();
  ASSERT_EQ(kept->size(), 3U);
  EXPECT_EQ(std::count_if(kept->begin(), kept->end(),
                          [](const RelayServer& s) { return s.host_name == "mx-amt-use-01"; }),
            0);

  auto same_cdn = parse_servers(fixture("servers-v5.json"), "mcast-cdn");
  ASSERT_TRUE(same_cdn) << same_cdn.error();
  EXPECT_EQ(same_cdn->size(), 4U);
  auto other_cdn = parse_servers(fixture("servers.json"), "other-cdn");
  ASSERT_TRUE(other_cdn) << other_cdn.error();
  EXPECT_TRUE(other_cdn->empty());
}

TEST(TrafficOpsJson, ServerWithoutManagementAddressAndBareAddresses) {
  json body = fixture_json("servers.json");
  body["response"][1]["interfaces"][0]["ipAddresses"] =
      json::array({{{"address", "192.0.2.11"}, {"gateway", nullptr}, {"serviceAddress", true}}});
  auto parsed = parse_servers(body.dump());
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ((*parsed)[0].service_ipv4, "192.0.2.11");
  EXPECT_EQ((*parsed)[0].service_ipv6, "");
  EXPECT_EQ((*parsed)[0].management_address, "");
}

TEST(TrafficOpsJson, ServerRejections) {
  json body = fixture_json("servers.json");
  body["response"][3]["interfaces"][0]["ipAddresses"][1]["address"] = "2001:db8:zz::1/64";
  EXPECT_EQ(servers_error(body),
            "/response/3/interfaces/0/ipAddresses/1/address: not an IP address");

  body = fixture_json("servers.json");
  body["response"][0]["interfaces"][0]["ipAddresses"][0]["address"] = "192.0.2.1/33";
  EXPECT_EQ(servers_error(body),
            "/response/0/interfaces/0/ipAddresses/0/address: not an IP address");

  body = fixture_json("servers.json");
  body["response"][1]["interfaces"][0]["ipAddresses"][1]["address"] = "192.0.2.12/24";
  EXPECT_EQ(servers_error(body),
            "/response/1/interfaces/0/ipAddresses/1/address: a second IPv4 service address (the "
            "first is 192.0.2.11)");

  body = fixture_json("servers.json");
  body["response"][2].erase("cachegroup");
  EXPECT_EQ(servers_error(body), "/response/2/cachegroup: missing (also looked for cacheGroup)");

  body = fixture_json("servers-v5.json");
  body["response"][2]["cacheGroup"] = nullptr;
  EXPECT_EQ(servers_error(body), "/response/2/cachegroup: missing (also looked for cacheGroup)");

  body = fixture_json("servers-v5.json");
  body["response"][0]["hostName"] = 7;
  EXPECT_EQ(servers_error(body), "/response/0/hostName: not a string (number)");

  body = fixture_json("servers.json");
  body["response"][1]["interfaces"][0]["ipAddresses"][0]["serviceAddress"] = false;
  body["response"][1]["interfaces"][0]["ipAddresses"][1]["serviceAddress"] = false;
  EXPECT_EQ(servers_error(body),
            "/response/1/interfaces: no service address (serviceAddress true)");

  body = fixture_json("servers.json");
  body["response"][0].erase("cdnName");
  EXPECT_EQ(servers_error(body, "mcast-cdn"), "/response/0/cdnName: missing (also looked for cdn)");

  EXPECT_EQ(servers_error(json{{"response", json::object()}}), "/response: not an array (object)");
  EXPECT_EQ(servers_error(json{{"alerts", json::array()}}), "/response: missing");
  EXPECT_EQ(servers_error(json::array()), "/: not an object (array)");
  EXPECT_EQ(servers_error(json{{"response", json::array({1})}}),
            "/response/0: not an object (number)");
}

TEST(TrafficOpsJson, TruncatedAndGarbageBodies) {
  const std::string whole = fixture("servers.json");
  // Cut just after an object opens, as a connection closed mid-body would.
  auto truncated = parse_servers(whole.substr(0, whole.rfind('{', whole.size() / 2) + 1));
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().rfind("not JSON: parse error at line ", 0), 0U) << truncated.error();
  EXPECT_NE(truncated.error().find("unexpected end of input"), std::string::npos)
      << truncated.error();

  auto garbage = parse_cachegroups("<html>502 Bad Gateway</html>");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().rfind("not JSON: parse error at line 1, column 1", 0), 0U)
      << garbage.error();
  EXPECT_FALSE(parse_gnmi_port(""));
}

TEST(TrafficOpsJson, Cachegroups) {
  auto groups = parse_cachegroups(fixture("cachegroups.json"));
  ASSERT_TRUE(groups) << groups.error();
  const std::vector<Cachegroup> expected = {
      {"amt-us-east", 39.0438, -77.4874, {"amt-us-west"}, true},
      {"amt-us-west", 37.3394, -121.895, {"amt-us-east"}, true},
  };
  EXPECT_EQ(*groups, expected);
}

TEST(TrafficOpsJson, CachegroupNullsAndDefaults) {
  json body = fixture_json("cachegroups.json");
  // Out of order on purpose: the result is sorted by name.
  std::swap(body["response"][0], body["response"][1]);
  body["response"][0]["fallbackToClosest"] = nullptr;
  body["response"][0]["fallbacks"] = nullptr;
  body["response"][0]["latitude"] = nullptr;
  body["response"][0].erase("longitude");
  body["response"][1]["fallbackToClosest"] = false;
  body["response"][1]["fallbacks"] = json::array({"b", "a"});
  auto groups = parse_cachegroups(body.dump());
  ASSERT_TRUE(groups) << groups.error();
  ASSERT_EQ(groups->size(), 2U);
  const Cachegroup& east = (*groups)[0];
  const Cachegroup& west = (*groups)[1];
  EXPECT_EQ(east.name, "amt-us-east");
  EXPECT_FALSE(east.fallback_to_closest);
  EXPECT_EQ(east.fallbacks, (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(west.name, "amt-us-west");
  EXPECT_TRUE(west.fallback_to_closest);
  EXPECT_TRUE(west.fallbacks.empty());
  EXPECT_FALSE(west.latitude);
  EXPECT_FALSE(west.longitude);

  body = fixture_json("cachegroups.json");
  body["response"][0].erase("fallbackToClosest");
  groups = parse_cachegroups(body.dump());
  ASSERT_TRUE(groups) << groups.error();
  EXPECT_TRUE((*groups)[0].fallback_to_closest);
}

TEST(TrafficOpsJson, CachegroupRejections) {
  json body = fixture_json("cachegroups.json");
  body["response"][1]["latitude"] = 91;
  auto bad = parse_cachegroups(body.dump());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), "/response/1/latitude: 91 is outside -90.0 to 90.0");

  body = fixture_json("cachegroups.json");
  body["response"][0]["fallbacks"][0] = 12;
  bad = parse_cachegroups(body.dump());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), "/response/0/fallbacks/0: not a string (number)");

  body = fixture_json("cachegroups.json");
  body["response"][0]["fallbackToClosest"] = "yes";
  bad = parse_cachegroups(body.dump());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), "/response/0/fallbackToClosest: not true or false (string)");

  body = fixture_json("cachegroups.json");
  body["response"][1].erase("name");
  bad = parse_cachegroups(body.dump());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), "/response/1/name: missing");
}

TEST(TrafficOpsJson, GnmiPort) {
  auto port = parse_gnmi_port(fixture("profile-parameters.json"));
  ASSERT_TRUE(port) << port.error();
  EXPECT_EQ(*port, std::optional<std::uint16_t>(32767));

  json body = fixture_json("profile-parameters.json");
  body["response"].erase(0);
  port = parse_gnmi_port(body.dump());
  ASSERT_TRUE(port) << port.error();
  EXPECT_FALSE(port->has_value());

  for (const char* value : {"0", "65536", "32767x", "", "-1"}) {
    body = fixture_json("profile-parameters.json");
    body["response"][0]["value"] = value;
    port = parse_gnmi_port(body.dump());
    ASSERT_FALSE(port) << value;
    EXPECT_EQ(port.error(),
              "/response/0/value: not a port number 1-65535: \"" + std::string(value) + "\"");
  }
}

TEST(TrafficOpsJson, AlertsText) {
  EXPECT_EQ(alerts_text(fixture("login-failed.json")), "Invalid username or password.");
  EXPECT_EQ(alerts_text(R"({"alerts":[{"text":"a","level":"error"},{"level":"x"},)"
                        R"({"text":"b","level":"warning"}]})"),
            "a; b");
  EXPECT_EQ(alerts_text("not json"), "");
  EXPECT_EQ(alerts_text(fixture("servers.json")), "");
}

TEST(TrafficOpsJson, AddressWithoutPrefix) {
  EXPECT_EQ(address_without_prefix("192.0.2.1/32"), "192.0.2.1");
  EXPECT_EQ(address_without_prefix("2001:DB8:0:0::1/64"), "2001:db8::1");
  EXPECT_EQ(address_without_prefix("198.51.100.7"), "198.51.100.7");
  EXPECT_FALSE(address_without_prefix("192.0.2.1/"));
  EXPECT_FALSE(address_without_prefix("192.0.2.1/x"));
  EXPECT_FALSE(address_without_prefix("2001:db8::1/129"));
  EXPECT_FALSE(address_without_prefix("relay.example.net"));
  EXPECT_FALSE(address_without_prefix(""));
}

}  // namespace
}  // namespace driad::health
