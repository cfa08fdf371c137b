// The relay topology Traffic Ops describes: the AMT_RELAY servers (each an MX
// or a kernel-AMT gateway, by profile) and the cachegroups they sit in, with
// coordinates and fallbacks. Plain data, as the Traffic Ops feed hands it to
// the control thread and as the topology cache file stores it; addresses are
// text, already stripped of any CIDR suffix and checked to be addresses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace driad::health {

enum class RelayRole : std::uint8_t {
  mx,       // profile AMT_RELAY_MX_PROFILE
  gateway,  // any other AMT_RELAY server
};

struct RelayServer {
  std::string host_name;
  std::string cachegroup;
  RelayRole role = RelayRole::gateway;
  std::string status;  // ONLINE, REPORTED, ADMIN_DOWN, OFFLINE, PRE_PROD
  // The service addresses (at most one IPv4 and one IPv6): the relay addresses.
  std::string service_ipv4;
  std::string service_ipv6;
  // The first non-service address (an MX's gNMI management address); may be empty.
  std::string management_address;

  // Whether Traffic Router semantics advertise it: ONLINE or REPORTED.
  bool advertised() const noexcept { return status == "ONLINE" || status == "REPORTED"; }

  friend bool operator==(const RelayServer&, const RelayServer&) = default;
};

struct Cachegroup {
  std::string name;
  std::optional<double> latitude;
  std::optional<double> longitude;
  std::vector<std::string> fallbacks;  // in order
  bool fallback_to_closest = true;     // Traffic Ops null means true

  friend bool operator==(const Cachegroup&, const Cachegroup&) = default;
};

struct Topology {
  std::vector<RelayServer> servers;     // sorted by cachegroup, then host name
  std::vector<Cachegroup> cachegroups;  // sorted by name
  // The MX profile's `gnmi.port` parameter, when Traffic Ops has one.
  std::optional<std::uint16_t> mx_gnmi_port;

  friend bool operator==(const Topology&, const Topology&) = default;
};

}  // namespace driad::health
