// Traffic Ops response bodies (API 4.x and 5.x) → the topology types: pure
// functions, no I/O. Errors name the JSON pointer of the first problem, e.g.
// "/response/3/interfaces/0/ipAddresses/1/address: not an IP address".
//
// One bad server or cachegroup rejects the whole response: a partial
// topology must never replace a good one, so the caller keeps what it has
// and the operator sees the one field to fix.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "health/topology.hpp"

namespace driad::health {

inline constexpr std::string_view kAmtRelayType = "AMT_RELAY";
inline constexpr std::string_view kMxProfile = "AMT_RELAY_MX_PROFILE";

// `GET /servers`. Keeps servers of type AMT_RELAY (when a `type` is given)
// and, when `cdn` is not empty, of that CDN; skipped servers are not checked.
// Reads `cachegroup`/`cacheGroup`, `profileNames`/`profiles`, `cdnName`/`cdn`.
// Role mx when a profile is AMT_RELAY_MX_PROFILE. Each server needs a service
// address, at most one IPv4 and one IPv6; the management address is the first
// non-service address. Sorted by cachegroup, then host name.
tl::expected<std::vector<RelayServer>, std::string> parse_servers(std::string_view text,
                                                                  std::string_view cdn = {});

// `GET /cachegroups`: coordinates (null: absent), fallbacks (null: none),
// fallbackToClosest (null or absent: true). Sorted by name.
tl::expected<std::vector<Cachegroup>, std::string> parse_cachegroups(std::string_view text);

// `GET /profiles/name/<profile>/parameters`: the `gnmi.port` value, nullopt
// when there is none; a value that is not a port number 1-65535 is an error.
tl::expected<std::optional<std::uint16_t>, std::string> parse_gnmi_port(std::string_view text);

// The texts of an error envelope's alerts joined by "; " (for log messages);
// empty when the body has none or is not JSON.
std::string alerts_text(std::string_view text);

// "192.0.2.1/32" → "192.0.2.1": the address in canonical text, a CIDR suffix
// (0-32 or 0-128) dropped; nullopt when it is not an IPv4 or IPv6 address.
std::optional<std::string> address_without_prefix(std::string_view text);

}  // namespace driad::health
