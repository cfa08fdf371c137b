// The typed config (../shared/docs/config.md plus the keys the README adds), as
// loaded and validated from one JSON file. Plain data; nothing here runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dns/server.hpp"
#include "policy/amt_relay.hpp"
#include "zones/snapshot.hpp"
#include "zones/source_list.hpp"

namespace driad::config {

struct ZoneConfig {
  std::string origin_text;
  zones::WireName origin;  // lower case
  zones::Prefix prefix;    // the addresses the origin spells
  zones::SoaFields soa;
  bool serial_configured = false;
  std::vector<zones::WireName> ns;
  std::uint32_t ttl = 3600;
};

struct TlsConfig {
  std::string ca;
  std::string cert;
  std::string key;
  std::string server_name;

  friend bool operator==(const TlsConfig&, const TlsConfig&) = default;
};

struct MxPathsConfig {
  std::string relay_status;
  std::string anycast;
  std::string tunnel_status;
  std::string tunnel_subinterfaces;
  std::string out_octets;

  friend bool operator==(const MxPathsConfig&, const MxPathsConfig&) = default;
};

struct MxConfig {
  zones::Prefix relay;  // the address advertised to gateways (full length)
  std::string gnmi_target;
  std::optional<TlsConfig> tls;
  std::uint32_t max_tunnels = 4000;
  // Where the health leaves are (gnmi-facts.md defaults): the interface that
  // holds the anycast relay address, the AMT tunnel device, and an optional
  // leaf that counts tunnels (else: subinterfaces of the tunnel device).
  std::string relay_interface = "lo0";
  std::string tunnel_device = "ud-0/0/0";
  std::string tunnel_count_path;
  // Full gNMI path strings that replace the ones derived from the names above
  // (empty: derived).
  MxPathsConfig paths;
  // Above 0: load is the tunnel device's out-octets rate over this many bits
  // per second (the byte-rate proxy), for an MX that exports no tunnel count.
  std::uint64_t capacity_bps = 0;

  friend bool operator==(const MxConfig&, const MxConfig&) = default;
};

struct GatewayConfig {
  zones::Prefix relay;
  bool probe = false;
  std::uint16_t probe_port = 2268;
  std::uint32_t max_tunnels = 300;
  std::uint32_t probe_interval_ms = 1000;
  std::uint32_t probe_timeout_ms = 500;

  friend bool operator==(const GatewayConfig&, const GatewayConfig&) = default;
};

struct RelayGroupConfig {
  std::string name;
  std::vector<policy::AmtRelay> relays;  // a static group
  std::optional<MxConfig> mx;            // a live group: mx and/or gateways
  std::vector<GatewayConfig> gateways;
  bool is_static() const noexcept { return !relays.empty(); }

  friend bool operator==(const RelayGroupConfig&, const RelayGroupConfig&) = default;
};

enum class OverloadMode : std::uint8_t { spill, gateway_first };

struct PolicyConfig {
  std::uint32_t ttl = 60;
  std::uint32_t degraded_ttl = 5;
  std::uint32_t hold_up_s = 10;
  std::uint32_t stale_after_ms = 3000;
  double high_watermark = 0.85;
  double low_watermark = 0.70;
  OverloadMode overload_mode = OverloadMode::spill;
  std::uint8_t mx_precedence = 10;
  std::uint8_t gateway_precedence = 20;

  friend bool operator==(const PolicyConfig&, const PolicyConfig&) = default;
};

enum class RelayFamily : std::uint8_t { ipv4, ipv6 };

struct TrafficOpsConfig {
  std::string url;
  std::string api_version = "4.0";
  std::string cdn;
  std::uint32_t poll_interval_s = 60;
  std::string cache_file;
  std::string ca_file;
  bool insecure = false;
  std::uint32_t timeout_ms = 10000;  // one whole HTTP request
  // The gNMI port of every Traffic Ops MX; 0: the profile's gnmi.port, else 32767.
  std::uint16_t gnmi_port = 0;
  // Which service address of a server is its relay address when it has both.
  RelayFamily relay_family = RelayFamily::ipv4;
  // Host name -> the relay address advertised for it (the "AMT Relay Public
  // IP"), replacing its service address.
  std::vector<std::pair<std::string, zones::Prefix>> relay_public_ip;
  // Settings for every MX and gateway Traffic Ops supplies, as for config
  // groups; the MX's relay and gnmi_target and a gateway's relay come from
  // Traffic Ops. TLS server_name defaults to the server's host name.
  MxConfig mx;
  GatewayConfig gateway = probed_gateway();

  static GatewayConfig probed_gateway() {
    GatewayConfig gateway;
    gateway.probe = true;  // Traffic Ops gateways are probed unless told otherwise
    return gateway;
  }

  friend bool operator==(const TrafficOpsConfig&, const TrafficOpsConfig&) = default;
};

struct AdminConfig {
  std::string listen = "127.0.0.1:8053";
};

// The `rrl` section is the listeners' RRL options as they are (dns/rrl.hpp).
using RrlConfig = dns::RrlOptions;

struct TcpConfig {
  std::chrono::milliseconds idle_timeout{10000};
  std::uint32_t max_connections = 1024;
  std::uint32_t max_connections_per_client = 16;  // 0: no limit
};

struct Config {
  std::string file;  // where it came from, for messages
  std::vector<dns::ListenEndpoint> listen;
  std::vector<std::string> listen_text;
  unsigned threads = 0;
  std::uint16_t edns_udp_size = 1232;
  TcpConfig tcp;
  std::vector<ZoneConfig> zones;
  // The prefixes of `sources` and of `sources_file` (in that order), shared by
  // every copy of the Config. Each one's group indexes source_groups: the names
  // of relay_groups in their order, then the names only sources use (Traffic
  // Ops cachegroups) in order of first use. So with no Traffic Ops the groups
  // of a SnapshotSpec are numbered alike and the list serves it as it is.
  zones::SourceList sources;
  std::vector<std::string> source_groups;
  std::string sources_file;  // as resolved against the config's directory; empty: none
  std::vector<RelayGroupConfig> relay_groups;
  PolicyConfig policy;
  std::optional<TrafficOpsConfig> traffic_ops;
  std::string coverage_zone_file;
  bool ecs = false;
  std::optional<AdminConfig> admin;
  std::optional<RrlConfig> rrl;
};

// Every problem found, each as "FILE: /json/pointer: what is wrong".
using ConfigErrors = std::vector<std::string>;

tl::expected<Config, ConfigErrors> load_config_file(const std::string& path);
tl::expected<Config, ConfigErrors> parse_config(const std::string& json_text,
                                                const std::string& file_label);

// The built-in demo config (`driadd --demo`), as JSON text.
const std::string& demo_config_json();

}  // namespace driad::config
