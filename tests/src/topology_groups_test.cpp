// Traffic Ops topology -> relay groups: the fixture's two cachegroups, the MX
// and gateway settings from /traffic_ops, drains, overrides and clashes.
#include "src/topology_groups.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "health/traffic_ops_json.hpp"

namespace driad::app {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(DRIAD_FIXTURES_DIR) + "/trafficops/" + name);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

health::Topology fixture_topology() {
  health::Topology topology;
  auto servers = health::parse_servers(fixture("servers.json"), "mcast-cdn");
  EXPECT_TRUE(servers) << servers.error();
  auto cachegroups = health::parse_cachegroups(fixture("cachegroups.json"));
  EXPECT_TRUE(cachegroups) << cachegroups.error();
  if (servers) topology.servers = std::move(*servers);
  if (cachegroups) topology.cachegroups = std::move(*cachegroups);
  return topology;
}

zones::Prefix address(const char* text) {
  return *zones::parse_address(text);
}

TEST(TopologyGroups, OneLiveGroupPerCachegroup) {
  config::TrafficOpsConfig settings;
  const TopologyGroups out = topology_groups(fixture_topology(), settings, {});
  EXPECT_TRUE(out.problems.empty());
  ASSERT_EQ(out.groups.size(), 2U);
  const config::RelayGroupConfig& east = out.groups[0];
  EXPECT_EQ(east.name, "amt-us-east");
  ASSERT_TRUE(east.mx);
  EXPECT_EQ(east.mx->relay, address("192.0.2.1"));
  EXPECT_EQ(east.mx->gnmi_target, "198.51.100.10:32767");  // management address, default port
  EXPECT_FALSE(east.mx->tls);
  ASSERT_EQ(east.gateways.size(), 1U);
  EXPECT_EQ(east.gateways[0].relay, address("192.0.2.11"));
  EXPECT_TRUE(east.gateways[0].probe);  // probed unless the config says otherwise
  EXPECT_EQ(east.gateways[0].probe_port, 2268);
  const config::RelayGroupConfig& west = out.groups[1];
  EXPECT_EQ(west.name, "amt-us-west");
  EXPECT_EQ(west.mx->relay, address("203.0.113.1"));
  ASSERT_EQ(west.gateways.size(), 1U);  // REPORTED is advertised
  EXPECT_EQ(west.gateways[0].relay, address("203.0.113.11"));
}

TEST(TopologyGroups, SettingsFromTheConfig) {
  config::TrafficOpsConfig settings;
  settings.gnmi_port = 50051;
  settings.relay_family = config::RelayFamily::ipv6;
  settings.relay_public_ip.emplace_back("mx-amt-usw-01", address("198.51.100.99"));
  settings.mx.max_tunnels = 9000;
  settings.mx.tls = config::TlsConfig{"/ca.pem", "/c.pem", "/k.pem", ""};
  settings.gateway.probe_port = 12268;
  health::Topology topology = fixture_topology();
  topology.mx_gnmi_port = 40000;  // the config's port wins over the profile's
  const TopologyGroups out = topology_groups(topology, settings, {});
  ASSERT_EQ(out.groups.size(), 2U);
  const config::RelayGroupConfig& east = out.groups[0];
  EXPECT_EQ(east.mx->relay, address("2001:db8:100::1"));
  EXPECT_EQ(east.mx->gnmi_target, "198.51.100.10:50051");
  EXPECT_EQ(east.mx->max_tunnels, 9000U);
  ASSERT_TRUE(east.mx->tls);
  EXPECT_EQ(east.mx->tls->server_name, "mx-amt-use-01");  // the host name by default
  EXPECT_EQ(east.gateways[0].relay, address("2001:db8:100::11"));
  EXPECT_EQ(east.gateways[0].probe_port, 12268);
  EXPECT_EQ(out.groups[1].mx->relay, address("198.51.100.99"));  // the public IP override

  settings.gnmi_port = 0;
  EXPECT_EQ(topology_groups(topology, settings, {}).groups[0].mx->gnmi_target,
            "198.51.100.10:40000");
}

TEST(TopologyGroups, OnlyOnlineAndReportedAreAdvertised) {
  health::Topology topology = fixture_topology();
  for (auto& server : topology.servers) {
    if (server.host_name == "mx-amt-use-01") server.status = "ADMIN_DOWN";
    if (server.host_name == "amtgw-use-01") server.status = "OFFLINE";
    if (server.host_name == "amtgw-usw-01") server.status = "PRE_PROD";
  }
  const TopologyGroups out = topology_groups(topology, {}, {});
  ASSERT_EQ(out.groups.size(), 2U);
  // A drained cachegroup stays as a group without relays: clients fall back.
  EXPECT_EQ(out.groups[0].name, "amt-us-east");
  EXPECT_FALSE(out.groups[0].mx);
  EXPECT_TRUE(out.groups[0].gateways.empty());
  EXPECT_TRUE(out.groups[1].mx);
  EXPECT_TRUE(out.groups[1].gateways.empty());
}

TEST(TopologyGroups, ProblemsAreReportedAndLeftOut) {
  health::Topology topology = fixture_topology();
  health::RelayServer second_mx =
      *std::find_if(topology.servers.begin(), topology.servers.end(),
                    [](const auto& server) { return server.host_name == "mx-amt-use-01"; });
  second_mx.host_name = "mx-amt-use-02";
  topology.servers.push_back(second_mx);
  for (auto& server : topology.servers) {
    if (server.host_name == "mx-amt-usw-01") server.management_address.clear();
  }
  config::RelayGroupConfig clash;
  clash.name = "amt-us-east";
  clash.relays = {policy::AmtRelay{}};
  const TopologyGroups out = topology_groups(topology, {}, {clash});
  ASSERT_EQ(out.groups.size(), 1U);
  EXPECT_EQ(out.groups[0].name, "amt-us-west");
  EXPECT_FALSE(out.groups[0].mx);
  ASSERT_EQ(out.problems.size(), 2U);
  EXPECT_EQ(out.problems[0],
            "cachegroup 'amt-us-east' has the name of a relay group in the config file; the "
            "config's group is used");
  EXPECT_EQ(out.problems[1],
            "cachegroup 'amt-us-west' server 'mx-amt-usw-01' (MX) has no management address for "
            "gNMI; left out");

  topology.servers.pop_back();
  topology.servers.push_back(second_mx);
  const TopologyGroups twice = topology_groups(topology, {}, {});
  EXPECT_NE(std::find(twice.problems.begin(), twice.problems.end(),
                      "cachegroup 'amt-us-east' server 'mx-amt-use-02' is a second MX; only "
                      "'mx-amt-use-01' is used"),
            twice.problems.end());
}

TEST(TopologyGroups, MergedAfterTheConfigGroups) {
  config::Config config;
  config::RelayGroupConfig own;
  own.name = "static";
  own.relays = {policy::AmtRelay{}};
  config.relay_groups.push_back(own);
  const TopologyGroups out = topology_groups(fixture_topology(), {}, config.relay_groups);
  const config::Config merged = with_topology_groups(config, out);
  ASSERT_EQ(merged.relay_groups.size(), 3U);
  EXPECT_EQ(merged.relay_groups[0].name, "static");
  EXPECT_EQ(merged.relay_groups[2].name, "amt-us-west");
}

}  // namespace
}  // namespace driad::app
