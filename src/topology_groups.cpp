// Traffic Ops servers -> live relay groups, per cachegroup.
#include "src/topology_groups.hpp"

#include <algorithm>
#include <map>

namespace driad::app {
namespace {

// The relay address Traffic Ops gives a server, in the family asked for when
// it has both; empty when it has neither.
std::string service_address(const health::RelayServer& server, config::RelayFamily family) {
  const std::string& preferred =
      family == config::RelayFamily::ipv4 ? server.service_ipv4 : server.service_ipv6;
  if (!preferred.empty()) return preferred;
  return family == config::RelayFamily::ipv4 ? server.service_ipv6 : server.service_ipv4;
}

tl::expected<zones::Prefix, std::string> relay_of(const health::RelayServer& server,
                                                  const config::TrafficOpsConfig& settings) {
  for (const auto& [host, address] : settings.relay_public_ip) {
    if (host == server.host_name) return address;
  }
  const std::string text = service_address(server, settings.relay_family);
  if (text.empty()) return tl::make_unexpected("has no service address");
  auto address = zones::parse_address(text);
  if (!address) return tl::make_unexpected("service address: " + address.error());
  return *address;
}

std::string host_port(const std::string& host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

TopologyGroups topology_groups(const health::Topology& topology,
                               const config::TrafficOpsConfig& settings,
                               const std::vector<config::RelayGroupConfig>& config_groups) {
  TopologyGroups out;
  std::map<std::string, config::RelayGroupConfig> by_name;  // sorted: a stable group order
  std::map<std::string, std::string> mx_host;               // cachegroup -> its MX's host name
  const std::uint16_t gnmi_port = settings.gnmi_port != 0
                                      ? settings.gnmi_port
                                      : topology.mx_gnmi_port.value_or(kDefaultGnmiPort);
  for (const health::RelayServer& server : topology.servers) {
    const std::string where =
        "cachegroup '" + server.cachegroup + "' server '" + server.host_name + "'";
    const bool clash =
        std::any_of(config_groups.begin(), config_groups.end(),
                    [&](const auto& group) { return group.name == server.cachegroup; });
    if (clash) {
      out.problems.push_back("cachegroup '" + server.cachegroup +
                             "' has the name of a relay group in the config file; the config's "
                             "group is used");
      continue;
    }
    config::RelayGroupConfig& group = by_name[server.cachegroup];
    group.name = server.cachegroup;
    if (!server.advertised()) continue;
    auto relay = relay_of(server, settings);
    if (!relay) {
      out.problems.push_back(where + " " + relay.error() + "; left out");
      continue;
    }
    if (server.role == health::RelayRole::gateway) {
      config::GatewayConfig gateway = settings.gateway;
      gateway.relay = *relay;
      group.gateways.push_back(gateway);
      continue;
    }
    if (group.mx) {
      out.problems.push_back(where + " is a second MX; only '" + mx_host[group.name] + "' is used");
      continue;
    }
    if (server.management_address.empty()) {
      out.problems.push_back(where + " (MX) has no management address for gNMI; left out");
      continue;
    }
    config::MxConfig mx = settings.mx;
    mx.relay = *relay;
    mx.gnmi_target = host_port(server.management_address, gnmi_port);
    if (mx.tls && mx.tls->server_name.empty()) mx.tls->server_name = server.host_name;
    group.mx = mx;
    mx_host[group.name] = server.host_name;
  }
  // Drop duplicate problem lines (one clash line per server otherwise).
  std::sort(out.problems.begin(), out.problems.end());
  out.problems.erase(std::unique(out.problems.begin(), out.problems.end()), out.problems.end());
  for (auto& [name, group] : by_name) out.groups.push_back(std::move(group));
  return out;
}

config::Config with_topology_groups(const config::Config& config, const TopologyGroups& topology) {
  config::Config merged = config;
  merged.relay_groups.insert(merged.relay_groups.end(), topology.groups.begin(),
                             topology.groups.end());
  return merged;
}

}  // namespace driad::app
