// The SnapshotSpec the responder tests answer from. Two zones, so that every
// answer kind has a name:
//
//   51.198.in-addr.arpa.      198.51.0.0/16  TTL 3600, SOA minimum 30 (negative TTL 30)
//     198.51.100.0/24 -> "rfc8777" (the three relays of the Knot test vector, TTL 60)
//     198.51.101.0/24 -> "none"    (0 0 0 .)
//     198.51.102.0/24 -> "medium"  (30 IPv6 relays: ~950 octets with the question)
//     198.51.103.0/24 -> "large"   (50 IPv6 relays: ~1550 octets)
//     so 100.51.198.in-addr.arpa. is an empty non-terminal and
//     7.51.198.in-addr.arpa. does not exist.
//   8.b.d.0.1.0.0.2.ip6.arpa. 2001:db8::/32  TTL 20, SOA minimum 300 (negative TTL 20)
//     2001:db8:ff00::/40 -> "rfc8777"
//
// test_views_spec() adds client views and ECS on top of it (see there).
#pragma once

#include <string>

#include "dns/amtrelay_text.hpp"
#include "dns/name.hpp"
#include "zones/snapshot.hpp"

namespace driad::test {

inline zones::WireName wire(const std::string& text) {
  auto name = dns::name_from_text(text);
  if (!name) return {};
  dns::lowercase_name(*name);
  return *name;
}

inline policy::AmtRelay relay(const std::string& text) {
  auto parsed = dns::amtrelay_from_text(text);
  return parsed ? *parsed : policy::AmtRelay{};
}

inline zones::Prefix prefix(const char* text) {
  auto parsed = zones::parse_prefix(text);
  return parsed ? *parsed : zones::Prefix{};
}

inline zones::SoaFields test_soa(std::uint32_t minimum) {
  zones::SoaFields soa;
  soa.mname = wire("ns1.driad.example.");
  soa.rname = wire("hostmaster.driad.example.");
  soa.serial = 2024010101;
  soa.refresh = 3600;
  soa.retry = 600;
  soa.expire = 86400;
  soa.minimum = minimum;
  return soa;
}

inline std::vector<policy::AmtRelay> ipv6_relays(int count) {
  std::vector<policy::AmtRelay> out;
  for (int i = 1; i <= count; ++i) out.push_back(relay("10 0 2 2001:db8:1::" + std::to_string(i)));
  return out;
}

constexpr std::uint32_t kGroupRfc8777 = 0;
constexpr std::uint32_t kGroupNone = 1;
constexpr std::uint32_t kGroupMedium = 2;
constexpr std::uint32_t kGroupLarge = 3;
constexpr int kMediumRelays = 30;
constexpr int kLargeRelays = 50;

inline zones::SnapshotSpec test_spec() {
  zones::SnapshotSpec spec;
  spec.generation = 7;
  spec.edns_udp_size = 1232;
  spec.zones.push_back({wire("51.198.in-addr.arpa."),
                        prefix("198.51.0.0/16"),
                        test_soa(30),
                        {wire("ns1.driad.example."), wire("ns2.driad.example.")},
                        3600});
  spec.zones.push_back({wire("8.b.d.0.1.0.0.2.ip6.arpa."),
                        prefix("2001:db8::/32"),
                        test_soa(300),
                        {wire("ns1.driad.example.")},
                        20});
  spec.groups.push_back({"rfc8777",
                         {relay("10 0 1 203.0.113.15"), relay("10 0 2 2001:db8::15"),
                          relay("128 1 3 amtrelays.example.com.")},
                         60});
  spec.groups.push_back({"none", {relay("0 0 0 .")}, 60});
  spec.groups.push_back({"medium", ipv6_relays(kMediumRelays), 60});
  spec.groups.push_back({"large", ipv6_relays(kLargeRelays), 60});
  spec.sources.push_back({prefix("198.51.100.0/24"), kGroupRfc8777});
  spec.sources.push_back({prefix("198.51.101.0/24"), kGroupNone});
  spec.sources.push_back({prefix("198.51.102.0/24"), kGroupMedium});
  spec.sources.push_back({prefix("198.51.103.0/24"), kGroupLarge});
  spec.sources.push_back({prefix("2001:db8:ff00::/40"), kGroupRfc8777});
  return spec;
}

constexpr std::uint32_t kGroupViewA = 4;
constexpr std::uint32_t kGroupViewB = 5;
constexpr std::uint32_t kGroupPending = 6;
constexpr std::uint32_t kGroupWest = 7;
constexpr std::uint32_t kViewA = 0;
constexpr std::uint32_t kViewB = 1;

// test_spec() with ECS on and two client views:
//   view A: 192.0.2.0/24, 2001:db8:aaaa::/48, 10.0.0.0/8
//   view B: 192.0.2.128/25 (inside A's /24), 2001:db8:bbbb::/48, 10.1.0.0/16
// and four more groups: "view-a" (10 0 1 192.0.2.1), "view-b" (10 0 1
// 192.0.2.2), "pending" (unavailable: SERVFAIL) and "west" (10 0 1 192.0.2.3).
// Rows (columns: no view, A, B):
//   rfc8777 -> rfc8777, view-a, view-b  (varies)
//   west    -> west, west, pending      (varies; view B gets SERVFAIL)
//   pending -> pending everywhere       (SERVFAIL for everyone)
//   every other row answers its own group.
// Sources added: 198.51.104.0/24 -> pending, 198.51.105.0/24 -> west.
inline zones::SnapshotSpec test_views_spec() {
  zones::SnapshotSpec spec = test_spec();
  spec.groups.push_back({"view-a", {relay("10 0 1 192.0.2.1")}, 60});
  spec.groups.push_back({"view-b", {relay("10 0 1 192.0.2.2")}, 60});
  spec.groups.push_back({"pending", {}, 60, true});
  spec.groups.push_back({"west", {relay("10 0 1 192.0.2.3")}, 60});
  spec.sources.push_back({prefix("198.51.104.0/24"), kGroupPending});
  spec.sources.push_back({prefix("198.51.105.0/24"), kGroupWest});
  spec.ecs = true;
  spec.view_count = 2;
  spec.client_networks = {
      {prefix("192.0.2.0/24"), kViewA},       {prefix("192.0.2.128/25"), kViewB},
      {prefix("2001:db8:aaaa::/48"), kViewA}, {prefix("2001:db8:bbbb::/48"), kViewB},
      {prefix("10.0.0.0/8"), kViewA},         {prefix("10.1.0.0/16"), kViewB},
  };
  const std::uint32_t columns = spec.view_count + 1;
  for (std::uint32_t group = 0; group < spec.groups.size(); ++group) {
    for (std::uint32_t column = 0; column < columns; ++column) spec.view_answers.push_back(group);
  }
  auto cell = [&](std::uint32_t group, std::uint32_t view) -> std::uint32_t& {
    return spec.view_answers[std::size_t{group} * columns + 1 + view];
  };
  cell(kGroupRfc8777, kViewA) = kGroupViewA;
  cell(kGroupRfc8777, kViewB) = kGroupViewB;
  cell(kGroupWest, kViewB) = kGroupPending;
  return spec;
}

}  // namespace driad::test
