// An AMT relay as RFC 8777 describes it: precedence, discovery-optional bit, and
// the relay itself (none, IPv4, IPv6 or a domain name). Plain data shared by
// policy decisions, the zone model and the config; no wire or text codec here.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <vector>

namespace driad::policy {

// RFC 8777 section 4.2.3; values 4-127 are unassigned and never built.
enum class RelayType : std::uint8_t { none = 0, ipv4 = 1, ipv6 = 2, domain_name = 3 };

struct AmtRelay {
  std::uint8_t precedence = 0;
  bool discovery_optional = false;  // the D bit
  RelayType type = RelayType::none;
  // ipv4: 4 octets, ipv6: 16 octets, domain_name: uncompressed wire name with
  // its root octet, none: empty.
  std::vector<std::uint8_t> relay;

  friend bool operator==(const AmtRelay&, const AmtRelay&) = default;
};

}  // namespace driad::policy
