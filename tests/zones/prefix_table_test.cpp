// PrefixTable: longest-prefix match over flattened intervals, and overlaps()
// (how the snapshot tells an empty non-terminal from a name that does not exist).
#include "zones/prefix_table.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace driad::zones {
namespace {

constexpr std::uint32_t kNone = PrefixTable::kNoValue;

Prefix p(const char* text) {
  auto parsed = parse_prefix(text);
  EXPECT_TRUE(parsed) << text;
  return parsed ? *parsed : Prefix{};
}

PrefixTable table(std::vector<PrefixTable::Entry> entries) {
  auto built = PrefixTable::build(std::move(entries));
  EXPECT_TRUE(built) << built.error();
  return built ? std::move(*built) : PrefixTable{};
}

std::uint32_t at(const PrefixTable& t, const char* address) {
  const Prefix a = p(address);
  return t.lookup(a.family, a.address);
}

TEST(PrefixTable, EmptyTableHoldsNothing) {
  const PrefixTable t = table({});
  EXPECT_EQ(at(t, "198.51.100.1"), kNone);
  EXPECT_EQ(at(t, "2001:db8::1"), kNone);
  EXPECT_FALSE(t.overlaps(p("0.0.0.0/0")));
  EXPECT_EQ(t.interval_count(), 0U);
}

TEST(PrefixTable, NestedPrefixesGiveTheLongestMatch) {
  const PrefixTable t = table({{p("10.1.2.0/24"), 3}, {p("10.0.0.0/8"), 1}, {p("10.1.0.0/16"), 2}});
  EXPECT_EQ(at(t, "9.255.255.255"), kNone);
  EXPECT_EQ(at(t, "10.0.0.0"), 1U);
  EXPECT_EQ(at(t, "10.1.0.0"), 2U);
  EXPECT_EQ(at(t, "10.1.1.255"), 2U);
  EXPECT_EQ(at(t, "10.1.2.0"), 3U);
  EXPECT_EQ(at(t, "10.1.2.255"), 3U);
  EXPECT_EQ(at(t, "10.1.3.0"), 2U);
  EXPECT_EQ(at(t, "10.1.255.255"), 2U);
  EXPECT_EQ(at(t, "10.2.0.0"), 1U);
  EXPECT_EQ(at(t, "10.255.255.255"), 1U);
  EXPECT_EQ(at(t, "11.0.0.0"), kNone);
}

TEST(PrefixTable, SeveralChildrenCutOneParent) {
  const PrefixTable t = table({{p("198.51.100.0/24"), 1},
                               {p("198.51.100.0/26"), 2},
                               {p("198.51.100.128/25"), 3},
                               {p("198.51.100.200/32"), 4}});
  EXPECT_EQ(at(t, "198.51.100.0"), 2U);
  EXPECT_EQ(at(t, "198.51.100.63"), 2U);
  EXPECT_EQ(at(t, "198.51.100.64"), 1U);
  EXPECT_EQ(at(t, "198.51.100.127"), 1U);
  EXPECT_EQ(at(t, "198.51.100.128"), 3U);
  EXPECT_EQ(at(t, "198.51.100.199"), 3U);
  EXPECT_EQ(at(t, "198.51.100.200"), 4U);
  EXPECT_EQ(at(t, "198.51.100.201"), 3U);
  EXPECT_EQ(at(t, "198.51.100.255"), 3U);
  EXPECT_EQ(at(t, "198.51.101.0"), kNone);
}

TEST(PrefixTable, AdjacentPrefixesKeepTheirOwnValues) {
  const PrefixTable t =
      table({{p("10.0.0.0/25"), 1}, {p("10.0.0.128/25"), 2}, {p("10.0.1.0/24"), 2}});
  EXPECT_EQ(at(t, "10.0.0.127"), 1U);
  EXPECT_EQ(at(t, "10.0.0.128"), 2U);
  EXPECT_EQ(at(t, "10.0.1.255"), 2U);
  EXPECT_EQ(at(t, "10.0.2.0"), kNone);
  // Adjacent intervals with the same value merge.
  EXPECT_EQ(t.interval_count(), 2U);
}

TEST(PrefixTable, ZeroLengthPrefixCoversEverything) {
  const PrefixTable t = table({{p("0.0.0.0/0"), 5}, {p("::/0"), 6}});
  EXPECT_EQ(at(t, "0.0.0.0"), 5U);
  EXPECT_EQ(at(t, "128.0.0.0"), 5U);
  EXPECT_EQ(at(t, "255.255.255.255"), 5U);
  EXPECT_EQ(at(t, "::"), 6U);
  EXPECT_EQ(at(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 6U);
}

TEST(PrefixTable, ZeroLengthWithTheLastHost) {
  const PrefixTable t = table({{p("0.0.0.0/0"), 1}, {p("255.255.255.255/32"), 2}});
  EXPECT_EQ(at(t, "0.0.0.0"), 1U);
  EXPECT_EQ(at(t, "255.255.255.254"), 1U);
  EXPECT_EQ(at(t, "255.255.255.255"), 2U);

  const PrefixTable t6 =
      table({{p("::/0"), 1}, {p("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"), 2}});
  EXPECT_EQ(at(t6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"), 1U);
  EXPECT_EQ(at(t6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 2U);
  EXPECT_EQ(at(t6, "::"), 1U);
}

TEST(PrefixTable, ZeroLengthWithTheFirstHost) {
  const PrefixTable t = table({{p("0.0.0.0/0"), 1}, {p("0.0.0.0/32"), 2}});
  EXPECT_EQ(at(t, "0.0.0.0"), 2U);
  EXPECT_EQ(at(t, "0.0.0.1"), 1U);
  EXPECT_EQ(at(t, "255.255.255.255"), 1U);
}

TEST(PrefixTable, SingleHostPrefixes) {
  const PrefixTable t = table({{p("192.0.2.1/32"), 1}, {p("2001:db8::1/128"), 2}});
  EXPECT_EQ(at(t, "192.0.2.0"), kNone);
  EXPECT_EQ(at(t, "192.0.2.1"), 1U);
  EXPECT_EQ(at(t, "192.0.2.2"), kNone);
  EXPECT_EQ(at(t, "2001:db8::"), kNone);
  EXPECT_EQ(at(t, "2001:db8::1"), 2U);
  EXPECT_EQ(at(t, "2001:db8::2"), kNone);
}

TEST(PrefixTable, FamiliesAreSeparate) {
  // The IPv4 value 198.51.100.1 and the IPv6 address ::c633:6401 share bits.
  const PrefixTable t = table({{p("198.51.100.0/24"), 1}, {p("::/96"), 2}});
  EXPECT_EQ(at(t, "198.51.100.1"), 1U);
  EXPECT_EQ(at(t, "::c633:6401"), 2U);
  EXPECT_EQ(at(t, "198.51.101.1"), kNone);
  const PrefixTable only6 = table({{p("::/96"), 2}});
  EXPECT_EQ(at(only6, "198.51.100.1"), kNone);
}

TEST(PrefixTable, DuplicatePrefixIsRefused) {
  const auto built = PrefixTable::build(
      {{p("198.51.100.0/24"), 1}, {p("10.0.0.0/8"), 2}, {p("198.51.100.0/24"), 3}});
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().find("198.51.100.0/24"), std::string::npos) << built.error();
  EXPECT_NE(built.error().find("twice"), std::string::npos) << built.error();
  // The same address with another length is not a duplicate.
  EXPECT_TRUE(PrefixTable::build({{p("198.51.100.0/24"), 1}, {p("198.51.100.0/25"), 1}}));
}

TEST(PrefixTable, OverlapsFindsPrefixesAtOrBelowAName) {
  const PrefixTable t = table({{p("198.51.100.0/24"), 1}, {p("2001:db8:ff00::/40"), 2}});
  EXPECT_TRUE(t.overlaps(p("198.51.0.0/16")));     // holds the source: empty non-terminal
  EXPECT_TRUE(t.overlaps(p("198.51.100.0/24")));   // the source itself
  EXPECT_TRUE(t.overlaps(p("198.51.100.7/32")));   // inside the source
  EXPECT_FALSE(t.overlaps(p("198.51.101.0/24")));  // a neighbour
  EXPECT_FALSE(t.overlaps(p("198.51.99.0/24")));
  EXPECT_FALSE(t.overlaps(p("198.52.0.0/16")));
  EXPECT_TRUE(t.overlaps(p("0.0.0.0/0")));
  EXPECT_TRUE(t.overlaps(p("2001:db8:f000::/36")));
  EXPECT_FALSE(t.overlaps(p("2001:db8:e000::/36")));
  EXPECT_FALSE(t.overlaps(p("2001:db8:fe00::/40")));
  EXPECT_TRUE(t.overlaps(p("::/0")));
}

// Naive longest-prefix match and overlap, to check the table against.
std::uint32_t naive_lookup(const std::vector<PrefixTable::Entry>& entries, const Prefix& address) {
  int best = -1;
  std::uint32_t value = kNone;
  for (const auto& entry : entries) {
    if (entry.prefix.contains(address) && entry.prefix.length > best) {
      best = entry.prefix.length;
      value = entry.value;
    }
  }
  return value;
}

// Random prefixes of /20 to /32 inside base/20 (plus 0.0.0.0/0 when
// `with_default`), checked against the naive match over base/20 and its edges.
void check_random_tables(std::uint32_t base, bool with_default, std::uint32_t seed) {
  std::mt19937 random(seed);
  for (int round = 0; round < 100; ++round) {
    std::vector<PrefixTable::Entry> entries;
    if (with_default) entries.push_back({p("0.0.0.0/0"), 9});
    const int count = 1 + static_cast<int>(random() % 12);
    for (int i = 0; i < count; ++i) {
      const auto length = static_cast<std::uint8_t>(20 + random() % 13);
      const Bits128 address =
          (Bits128{base} | (random() & 0xfff)) & prefix_mask(Family::ipv4, length);
      const Prefix prefix{Family::ipv4, address, length};
      bool seen = false;
      for (const auto& e : entries) seen = seen || e.prefix == prefix;
      if (!seen) entries.push_back({prefix, static_cast<std::uint32_t>(random() % 4)});
    }
    const PrefixTable t = table(entries);
    // From just below base to the end of base/20 (the loop stops at the top
    // of the address space).
    const std::uint64_t first = base == 0 ? 0 : base - 0x100;
    for (std::uint64_t a = first; a <= std::uint64_t{base} + 0x1000 && a <= 0xffffffff; ++a) {
      const auto address = static_cast<std::uint32_t>(a);
      const Prefix host{Family::ipv4, address, 32};
      ASSERT_EQ(t.lookup(Family::ipv4, address), naive_lookup(entries, host))
          << "round " << round << " address " << to_string(host);
    }
    for (int i = 0; i < 50; ++i) {
      const auto length = static_cast<std::uint8_t>(16 + random() % 17);
      const Bits128 address =
          (Bits128{base} | (random() & 0xfff)) & prefix_mask(Family::ipv4, length);
      const Prefix name{Family::ipv4, address, length};
      bool naive = false;
      for (const auto& e : entries) naive = naive || e.prefix.overlaps(name);
      ASSERT_EQ(t.overlaps(name), naive) << "round " << round << " " << to_string(name);
    }
  }
}

TEST(PrefixTable, AgreesWithANaiveMatchOnRandomTables) {
  check_random_tables(0x0a000000, false, 20240601);
}

TEST(PrefixTable, AgreesWithANaiveMatchAtTheTopOfTheAddressSpace) {
  check_random_tables(0xfffff000, false, 7);
  check_random_tables(0xfffff000, true, 8);
}

TEST(PrefixTable, AgreesWithANaiveMatchAtTheBottomOfTheAddressSpace) {
  check_random_tables(0x00000000, true, 9);
}

// Tables of n host routes, n from 1 to 70,000 and around powers of two:
// every host, its neighbours, the first and the last address of the family
// are looked up against a map. Half the tables hold the family's last address.
template <typename Key>
void check_host_tables(Family family, unsigned width) {
  std::mt19937_64 random(width);
  const auto top = static_cast<Key>(family_mask(family));
  for (const std::size_t n :
       {1, 3, 4, 5, 15, 16, 17, 63, 64, 65, 255, 256, 257, 4095, 4096, 4097, 70'000}) {
    std::map<Key, std::uint32_t> hosts;
    if (n % 2 == 1) hosts[top] = 5;
    while (hosts.size() < n) {
      const Bits128 wide = (Bits128{random()} << 64) | random();
      const auto address = static_cast<Key>(wide & family_mask(family));
      // Spread out, so that most neighbours are not hosts.
      hosts.emplace(address & ~Key{1}, static_cast<std::uint32_t>(hosts.size() % 7));
    }
    std::vector<PrefixTable::Entry> entries;
    for (const auto& [address, value] : hosts) {
      entries.push_back({Prefix{family, address, static_cast<std::uint8_t>(width)}, value});
    }
    const PrefixTable t = table(entries);
    const auto expect = [&](Key address) {
      const auto it = hosts.find(address);
      return it == hosts.end() ? kNone : it->second;
    };
    for (const Key probe : {Key{0}, Key{1}, top - 1, top}) {
      ASSERT_EQ(t.lookup(family, probe), expect(probe)) << "n " << n;
    }
    for (const auto& [address, value] : hosts) {
      ASSERT_EQ(t.lookup(family, address), value) << "n " << n;
      ASSERT_EQ(t.lookup(family, address + 1), expect(address + 1)) << "n " << n;
      if (address > 0) {
        ASSERT_EQ(t.lookup(family, address - 1), expect(address - 1)) << "n " << n;
      }
    }
  }
}

TEST(PrefixTable, AgreesWithAMapOnLargeIpv4Tables) {
  check_host_tables<std::uint32_t>(Family::ipv4, 32);
}

TEST(PrefixTable, AgreesWithAMapOnLargeIpv6Tables) {
  check_host_tables<Bits128>(Family::ipv6, 128);
}

}  // namespace
}  // namespace driad::zones
