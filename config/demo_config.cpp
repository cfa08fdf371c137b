// The config `driadd --demo` runs and `--demo --print-config` prints.
#include "config/config.hpp"

namespace driad::config {

const std::string& demo_config_json() {
  // Relay addresses are documentation addresses: answers only, never dialled.
  // The live group's MX is the simulated one driadd --demo starts on loopback
  // (gNMI 127.0.0.1:32767, control 127.0.0.1:32768); its gateway is not
  // probed, since 192.0.2.11 must never be dialled.
  static const std::string kDemo = R"({
  "listen": ["127.0.0.1:5353", "[::1]:5353"],
  "threads": 0,
  "zones": [
    {
      "origin": "100.51.198.in-addr.arpa.",
      "soa": { "mname": "ns1.driad.example.", "rname": "hostmaster.driad.example.",
               "refresh": 3600, "retry": 600, "expire": 86400, "minimum": 30 },
      "ns": ["ns1.driad.example."],
      "ttl": 3600
    },
    {
      "origin": "8.b.d.0.1.0.0.2.ip6.arpa.",
      "soa": { "mname": "ns1.driad.example.", "rname": "hostmaster.driad.example.",
               "refresh": 3600, "retry": 600, "expire": 86400, "minimum": 30 },
      "ns": ["ns1.driad.example."],
      "ttl": 3600
    }
  ],
  "sources": [
    { "prefix": "198.51.100.0/24", "relay_group": "amt-us-east" },
    { "prefix": "198.51.100.128/25", "relay_group": "static-west" },
    { "prefix": "2001:db8::/32", "relay_group": "amt-us-east" },
    { "prefix": "2001:db8:ff00::/40", "relay_group": "static-west" },
    { "prefix": "2001:db8:dead::/48", "relay_group": "no-relay" }
  ],
  "relay_groups": [
    {
      "name": "amt-us-east",
      "mx": { "relay": "192.0.2.1", "gnmi_target": "127.0.0.1:32767", "max_tunnels": 4000 },
      "gateways": [ { "relay": "192.0.2.11", "probe": false } ]
    },
    {
      "name": "static-west",
      "relays": ["10 0 1 203.0.113.15", "20 1 2 2001:db8::15", "30 0 3 amtrelays.example.com."]
    },
    {
      "name": "no-relay",
      "relays": ["0 0 0 ."]
    }
  ],
  "policy": { "ttl": 60, "degraded_ttl": 5, "hold_up_s": 5, "stale_after_ms": 3000,
              "high_watermark": 0.85, "low_watermark": 0.70, "overload_mode": "spill" },
  "admin": { "listen": "127.0.0.1:8053" }
}
)";
  return kDemo;
}

}  // namespace driad::config
