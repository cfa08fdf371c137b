// The micro-benchmarks' data, the same shape as gen_workload.py gives the
// servers: n source addresses, half IPv4 /32 under 10.in-addr.arpa., half IPv6
// /128 under 8.b.d.0.1.0.0.2.ip6.arpa., source i served by relay group i % 16
// (two relays each). Queries pick sources at random (seeded), so a large table
// is read the way live traffic reads it: mostly out of cache.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "dns/amtrelay_text.hpp"
#include "dns/name.hpp"
#include "zones/prefix.hpp"
#include "zones/snapshot.hpp"

namespace driad::bench {

constexpr std::uint32_t kGroups = 16;
constexpr std::size_t kQueryCount = 1 << 16;  // distinct queries cycled through
constexpr std::uint32_t kSeed = 8777;

inline zones::Prefix source_prefix(std::size_t i, std::size_t n) {
  const std::size_t half = n / 2;
  if (i < half) {
    return {zones::Family::ipv4, zones::Bits128{0x0A000001U + static_cast<std::uint32_t>(i) * 7U},
            32};
  }
  const zones::Bits128 base = zones::Bits128{0x20010DB8U} << 96;
  return {zones::Family::ipv6, base + zones::Bits128{i - half + 1} * 0x10001U, 128};
}

inline zones::Prefix parse(const char* text) {
  auto parsed = zones::parse_prefix(text);
  return parsed ? *parsed : zones::Prefix{};
}

inline zones::WireName wire(const std::string& text) {
  auto name = dns::name_from_text(text);
  return name ? *name : zones::WireName{};
}

// "d.c.b.a.in-addr.arpa." or the 32-nibble ip6.arpa. name of a full-length prefix.
inline std::string reverse_text(const zones::Prefix& address) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  if (address.family == zones::Family::ipv4) {
    for (int shift = 0; shift < 32; shift += 8) {
      out += std::to_string(static_cast<unsigned>(address.address >> shift) & 0xffU);
      out += '.';
    }
    out += "in-addr.arpa.";
    return out;
  }
  for (int shift = 0; shift < 128; shift += 4) {
    out += kHex[static_cast<unsigned>(address.address >> shift) & 0xfU];
    out += '.';
  }
  out += "ip6.arpa.";
  return out;
}

// The indexes of `count` random sources of an n-source table.
inline std::vector<std::size_t> random_sources(std::size_t n, std::size_t count) {
  std::mt19937_64 rng(kSeed);
  std::uniform_int_distribution<std::size_t> pick(0, n - 1);
  std::vector<std::size_t> out(count);
  for (auto& i : out) i = pick(rng);
  return out;
}

// Texts built with snprintf: GCC 12 warns falsely (-Wrestrict) on "literal" +
// std::string at -O3.
inline std::vector<policy::AmtRelay> group_relays(std::uint32_t g) {
  char a[40];
  char b[40];
  std::snprintf(a, sizeof a, "1 198.51.100.%u", g % 250 + 1);
  std::snprintf(b, sizeof b, "2 2001:db8:ffff::%x", g + 1);
  char first[64];
  char second[64];
  std::snprintf(first, sizeof first, "10 0 %s", g % 2 == 0 ? a : b);
  std::snprintf(second, sizeof second, "20 0 %s", g % 2 == 0 ? b : a);
  std::vector<policy::AmtRelay> out;
  for (const char* text : {first, second}) {
    if (auto relay = dns::amtrelay_from_text(text)) out.push_back(*relay);
  }
  return out;
}

inline std::string group_name(std::uint32_t g) {
  char name[16];
  std::snprintf(name, sizeof name, "g%u", g);
  return name;
}

inline zones::SnapshotSpec snapshot_spec(std::size_t n) {
  zones::SoaFields soa;
  soa.mname = wire("ns1.bench.example.");
  soa.rname = wire("hostmaster.bench.example.");
  soa.serial = 1;
  zones::SnapshotSpec spec;
  spec.generation = 1;
  spec.zones.push_back(
      {wire("10.in-addr.arpa."), parse("10.0.0.0/8"), soa, {wire("ns1.bench.example.")}, 3600});
  spec.zones.push_back({wire("8.b.d.0.1.0.0.2.ip6.arpa."),
                        parse("2001:db8::/32"),
                        soa,
                        {wire("ns1.bench.example.")},
                        3600});
  for (std::uint32_t g = 0; g < kGroups; ++g) {
    spec.groups.push_back({group_name(g), group_relays(g), 60});
  }
  spec.sources.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    spec.sources.push_back({source_prefix(i, n), static_cast<std::uint32_t>(i % kGroups)});
  }
  return spec;
}

// A query message without EDNS: id, RD clear, one question of `qtype` IN.
inline std::vector<std::uint8_t> query(const std::string& name, std::uint16_t qtype) {
  std::vector<std::uint8_t> out = {0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  const zones::WireName qname = wire(name);
  out.insert(out.end(), qname.begin(), qname.end());
  out.push_back(static_cast<std::uint8_t>(qtype >> 8));
  out.push_back(static_cast<std::uint8_t>(qtype));
  out.push_back(0);
  out.push_back(1);
  return out;
}

}  // namespace driad::bench
