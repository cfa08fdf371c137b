// parse_prefix / parse_address / to_string / Prefix::contains and overlaps.
#include "zones/prefix.hpp"

#include <gtest/gtest.h>

#include <string>

namespace driad::zones {
namespace {

Prefix must(const char* text) {
  auto parsed = parse_prefix(text);
  EXPECT_TRUE(parsed) << text << ": " << (parsed ? "" : parsed.error());
  return parsed ? *parsed : Prefix{};
}

TEST(ParsePrefix, Ipv4Prefix) {
  const Prefix p = must("198.51.100.0/24");
  EXPECT_EQ(p.family, Family::ipv4);
  EXPECT_EQ(p.length, 24);
  EXPECT_EQ(p.address, Bits128{0xc6336400});
  EXPECT_EQ(p.first(), Bits128{0xc6336400});
  EXPECT_EQ(p.last(), Bits128{0xc63364ff});
}

TEST(ParsePrefix, Ipv6Prefix) {
  const Prefix p = must("2001:db8::/32");
  EXPECT_EQ(p.family, Family::ipv6);
  EXPECT_EQ(p.length, 32);
  EXPECT_EQ(p.address, Bits128{0x20010db8} << 96);
  EXPECT_EQ(p.last(), (Bits128{0x20010db8} << 96) | ((Bits128{1} << 96) - 1));
}

TEST(ParsePrefix, BareAddressIsFullLength) {
  EXPECT_EQ(must("192.0.2.1").length, 32);
  EXPECT_EQ(must("2001:db8::1").length, 128);
  EXPECT_EQ(must("192.0.2.1"), must("192.0.2.1/32"));
  EXPECT_EQ(must("2001:db8:8000::/33").length, 33) << "the 33rd bit is inside a /33";
}

TEST(ParsePrefix, ZeroAndFullLengths) {
  const Prefix all4 = must("0.0.0.0/0");
  EXPECT_EQ(all4.first(), Bits128{0});
  EXPECT_EQ(all4.last(), Bits128{0xffffffff});
  const Prefix all6 = must("::/0");
  EXPECT_EQ(all6.last(), ~Bits128{0});
  EXPECT_EQ(must("255.255.255.255/32").first(), Bits128{0xffffffff});
  EXPECT_EQ(must("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128").first(), ~Bits128{0});
}

TEST(ParsePrefix, HostBitsSetAreRefused) {
  for (const char* text : {"198.51.100.1/24", "198.51.100.128/24", "0.0.0.1/0", "2001:db8::1/64",
                           "::1/0", "2001:db8:4000::/33"}) {
    const auto parsed = parse_prefix(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_NE(parsed.error().find("host bits"), std::string::npos) << parsed.error();
  }
}

TEST(ParsePrefix, LengthsOutOfRangeAreRefused) {
  for (const char* text : {"198.51.100.0/33", "2001:db8::/129", "198.51.100.0/-1", "198.51.100.0/",
                           "198.51.100.0/24x", "198.51.100.0/ 24", "198.51.100.0/4294967320"}) {
    const auto parsed = parse_prefix(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_NE(parsed.error().find("prefix length"), std::string::npos)
        << text << ": " << parsed.error();
  }
  EXPECT_NE(parse_prefix("198.51.100.0/33").error().find("0-32"), std::string::npos);
  EXPECT_NE(parse_prefix("::/129").error().find("0-128"), std::string::npos);
}

TEST(ParsePrefix, BadAddressesAreRefused) {
  for (const char* text :
       {"", "/24", "198.51.100/24", "198.51.100.256/32", "example.com", "2001:db8:::/32"}) {
    const auto parsed = parse_prefix(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_NE(parsed.error().find("not an IPv4 or IPv6 address"), std::string::npos)
        << parsed.error();
  }
}

// parse_address copies to a fixed stack buffer: the longest address text still
// fits, anything longer and an embedded NUL are refused, not cut short.
TEST(ParsePrefix, LongestAddressTextAndEmbeddedNul) {
  const auto longest = parse_address("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255");
  ASSERT_TRUE(longest) << longest.error();
  EXPECT_EQ(longest->address, ~Bits128{0});
  EXPECT_FALSE(parse_address("0000:0000:0000:0000:0000:ffff:255.255.255.255:0"));
  EXPECT_FALSE(parse_address(std::string(200, '1')));
  using namespace std::string_literals;
  const auto nul = parse_address("198.51.100.1\0junk"s);
  ASSERT_FALSE(nul);
  EXPECT_NE(nul.error().find("is not an IPv4 or IPv6 address"), std::string::npos);
  EXPECT_FALSE(parse_prefix(""));
  EXPECT_FALSE(parse_prefix("/24"));
}

TEST(PrefixToString, PrintsAddressAndLength) {
  EXPECT_EQ(to_string(must("198.51.100.0/24")), "198.51.100.0/24");
  EXPECT_EQ(to_string(must("2001:DB8:FF00::/40")), "2001:db8:ff00::/40");
  EXPECT_EQ(to_string(must("0.0.0.0/0")), "0.0.0.0/0");
  EXPECT_EQ(to_string(must("192.0.2.1")), "192.0.2.1/32");
}

TEST(AddressOctets, NetworkOrder) {
  std::uint8_t v4[4] = {};
  address_octets(Family::ipv4, must("192.0.2.10").address, v4);
  EXPECT_EQ(v4[0], 192);
  EXPECT_EQ(v4[3], 10);
  std::uint8_t v6[16] = {};
  address_octets(Family::ipv6, must("2001:db8::15").address, v6);
  EXPECT_EQ(v6[0], 0x20);
  EXPECT_EQ(v6[3], 0xb8);
  EXPECT_EQ(v6[15], 0x15);
}

TEST(PrefixRelations, ContainsAndOverlaps) {
  const Prefix outer = must("198.51.0.0/16");
  const Prefix inner = must("198.51.100.0/24");
  const Prefix other = must("198.52.0.0/16");
  EXPECT_TRUE(outer.contains(inner));
  EXPECT_FALSE(inner.contains(outer));
  EXPECT_TRUE(outer.contains(outer));
  EXPECT_TRUE(outer.overlaps(inner));
  EXPECT_TRUE(inner.overlaps(outer));
  EXPECT_FALSE(outer.overlaps(other));
  EXPECT_TRUE(must("0.0.0.0/0").contains(must("255.255.255.255/32")));
  // Families never contain one another, even for ::/0 and 0.0.0.0/0.
  EXPECT_FALSE(must("::/0").contains(must("0.0.0.0/32")));
  EXPECT_FALSE(must("::/0").overlaps(must("0.0.0.0/0")));
}

}  // namespace
}  // namespace driad::zones
