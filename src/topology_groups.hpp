// From the Traffic Ops topology to relay groups: one live group per cachegroup
// that has AMT_RELAY servers (its MX, and its gateways, probed by default),
// merged with the config file's groups into the config the rest of the daemon
// runs on. Pure: no I/O, so every rule is unit-tested.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"
#include "health/topology.hpp"

namespace driad::app {

constexpr std::uint16_t kDefaultGnmiPort = 32767;

struct TopologyGroups {
  std::vector<config::RelayGroupConfig> groups;  // by cachegroup name
  // What was wrong and left out, for the log ("cachegroup 'x': ...").
  std::vector<std::string> problems;
};

// Servers that are not ONLINE or REPORTED are left out (ADMIN_DOWN drains): a
// cachegroup whose servers are all left out is a group with no relays, which
// clients fall back from. A cachegroup named like a config group is a clash:
// the config's group wins and the clash is a problem.
TopologyGroups topology_groups(const health::Topology& topology,
                               const config::TrafficOpsConfig& settings,
                               const std::vector<config::RelayGroupConfig>& config_groups);

// `config` with `topology`'s groups appended to its relay groups.
config::Config with_topology_groups(const config::Config& config, const TopologyGroups& topology);

}  // namespace driad::app
