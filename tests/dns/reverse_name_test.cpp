// Reverse names <-> prefixes: extend_reverse_prefix (the hot-path label step),
// prefix_from_reverse_name (whole names and zone origins) and reverse_name.
#include "dns/reverse_name.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/dns/dns_test_support.hpp"

namespace driad::dns {
namespace {

using zones::Family;
using zones::Prefix;

Prefix prefix(const char* text) {
  auto parsed = zones::parse_prefix(text);
  EXPECT_TRUE(parsed) << text;
  return parsed ? *parsed : Prefix{};
}

tl::expected<Prefix, std::string> from_name(const std::string& text) {
  return prefix_from_reverse_name(test::wire_name(text));
}

bool extend(Prefix& p, std::string_view label) {
  return extend_reverse_prefix(p,
                               {reinterpret_cast<const std::uint8_t*>(label.data()), label.size()});
}

TEST(PrefixFromReverseName, Ipv4AddressName) {
  const auto p = from_name("12.100.51.198.in-addr.arpa.");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(*p, prefix("198.51.100.12/32"));
}

TEST(PrefixFromReverseName, Ipv4ZeroOctetsAndExtremes) {
  const auto zero = from_name("0.0.0.0.in-addr.arpa.");
  ASSERT_TRUE(zero) << zero.error();
  EXPECT_EQ(*zero, prefix("0.0.0.0/32"));
  const auto top = from_name("255.255.255.255.in-addr.arpa.");
  ASSERT_TRUE(top) << top.error();
  EXPECT_EQ(*top, prefix("255.255.255.255/32"));
}

TEST(PrefixFromReverseName, Ipv6NibbleName) {
  const auto p = from_name(test::ip6_reverse_text("2001:db8:ff00::15"));
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(*p, prefix("2001:db8:ff00::15/128"));
}

TEST(PrefixFromReverseName, Ipv6HexDigitsInEitherCase) {
  const auto lower = from_name("b.a.8.b.d.0.1.0.0.2.ip6.arpa.");
  const auto upper = from_name("B.A.8.B.D.0.1.0.0.2.IP6.ARPA.");
  ASSERT_TRUE(lower) << lower.error();
  ASSERT_TRUE(upper) << upper.error();
  EXPECT_EQ(*lower, prefix("2001:db8:ab00::/40"));
  EXPECT_EQ(*upper, *lower);
}

TEST(PrefixFromReverseName, SuffixInUpperCase) {
  const auto p = from_name("12.100.51.198.IN-ADDR.ARPA.");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(*p, prefix("198.51.100.12/32"));
}

TEST(PrefixFromReverseName, FewerLabelsSpellAPrefix) {
  const auto v4 = from_name("100.51.198.in-addr.arpa.");
  ASSERT_TRUE(v4) << v4.error();
  EXPECT_EQ(*v4, prefix("198.51.100.0/24"));
  const auto v6 = from_name("8.b.d.0.1.0.0.2.ip6.arpa.");
  ASSERT_TRUE(v6) << v6.error();
  EXPECT_EQ(*v6, prefix("2001:db8::/32"));
  const auto odd = from_name("f.8.b.d.0.1.0.0.2.ip6.arpa.");
  ASSERT_TRUE(odd) << odd.error();
  EXPECT_EQ(*odd, prefix("2001:db8:f000::/36"));
}

TEST(PrefixFromReverseName, OriginsThemselvesAreZeroLengthPrefixes) {
  const auto v4 = from_name("in-addr.arpa.");
  ASSERT_TRUE(v4) << v4.error();
  EXPECT_EQ(*v4, prefix("0.0.0.0/0"));
  const auto v6 = from_name("ip6.arpa.");
  ASSERT_TRUE(v6) << v6.error();
  EXPECT_EQ(*v6, prefix("::/0"));
}

TEST(PrefixFromReverseName, NamesOutsideTheReverseTreesAreRefused) {
  for (const char* text :
       {"example.com.", "arpa.", ".", "in-addr.arpa.example.", "1.2.3.4.ip6.int.",
        "100.51.198.in-addr.arpb.", "8.b.d.0.1.0.0.2.ip7.arpa.", "x.in-addr.arpa.arpa."}) {
    const auto p = from_name(text);
    ASSERT_FALSE(p) << text;
    EXPECT_NE(p.error().find("not under in-addr.arpa. or ip6.arpa."), std::string::npos)
        << p.error();
  }
}

TEST(PrefixFromReverseName, TooManyLabelsAreRefused) {
  const auto v4 = from_name("1.12.100.51.198.in-addr.arpa.");
  ASSERT_FALSE(v4);
  EXPECT_NE(v4.error().find("too many labels"), std::string::npos) << v4.error();
  const auto v6 = from_name("0." + test::ip6_reverse_text("2001:db8::1"));
  ASSERT_FALSE(v6);
  EXPECT_NE(v6.error().find("too many labels"), std::string::npos) << v6.error();
}

TEST(PrefixFromReverseName, NonNumericIpv4LabelsAreRefused) {
  for (const char* text :
       {"x.100.51.198.in-addr.arpa.", "1a.100.51.198.in-addr.arpa.", "-1.100.51.198.in-addr.arpa.",
        "+1.100.51.198.in-addr.arpa.", "0x1.100.51.198.in-addr.arpa."}) {
    const auto p = from_name(text);
    ASSERT_FALSE(p) << text;
    EXPECT_NE(p.error().find("decimal octet"), std::string::npos) << p.error();
  }
}

TEST(PrefixFromReverseName, OctetsAbove255AreRefused) {
  EXPECT_FALSE(from_name("256.100.51.198.in-addr.arpa."));
  EXPECT_FALSE(from_name("999.100.51.198.in-addr.arpa."));
  EXPECT_FALSE(from_name("1000.100.51.198.in-addr.arpa."));
  EXPECT_TRUE(from_name("255.100.51.198.in-addr.arpa."));
}

TEST(PrefixFromReverseName, LeadingZerosAreRefusedButZeroIsFine) {
  EXPECT_FALSE(from_name("07.100.51.198.in-addr.arpa."));
  EXPECT_FALSE(from_name("00.100.51.198.in-addr.arpa."));
  EXPECT_FALSE(from_name("012.100.51.198.in-addr.arpa."));
  const auto zero = from_name("0.100.51.198.in-addr.arpa.");
  ASSERT_TRUE(zero) << zero.error();
  EXPECT_EQ(*zero, prefix("198.51.100.0/32"));
}

TEST(PrefixFromReverseName, Ipv6LabelsMustBeOneHexDigit) {
  for (const char* text : {"10.8.b.d.0.1.0.0.2.ip6.arpa.", "g.8.b.d.0.1.0.0.2.ip6.arpa.",
                           "ab.8.b.d.0.1.0.0.2.ip6.arpa."}) {
    const auto p = from_name(text);
    ASSERT_FALSE(p) << text;
    EXPECT_NE(p.error().find("single hex digit"), std::string::npos) << p.error();
  }
}

TEST(ExtendReversePrefix, AppendsOneOctetOrNibble) {
  Prefix v4{Family::ipv4, 0, 0};
  ASSERT_TRUE(extend(v4, "198"));
  ASSERT_TRUE(extend(v4, "51"));
  EXPECT_EQ(v4, prefix("198.51.0.0/16"));

  Prefix v6{Family::ipv6, 0, 0};
  ASSERT_TRUE(extend(v6, "2"));
  ASSERT_TRUE(extend(v6, "F"));
  EXPECT_EQ(v6, prefix("2f00::/8"));
}

TEST(ExtendReversePrefix, RefusesWhenFullOrWhenTheLabelIsBad) {
  Prefix full = prefix("198.51.100.12/32");
  EXPECT_FALSE(extend(full, "1"));
  EXPECT_EQ(full, prefix("198.51.100.12/32")) << "a refused label leaves the prefix alone";

  Prefix full6 = prefix("2001:db8::1/128");
  EXPECT_FALSE(extend(full6, "0"));

  Prefix v4 = prefix("198.51.100.0/24");
  EXPECT_FALSE(extend(v4, ""));
  EXPECT_FALSE(extend(v4, "0001"));
  EXPECT_FALSE(extend(v4, "07"));
  EXPECT_FALSE(extend(v4, "256"));
  EXPECT_FALSE(extend(v4, "1 "));
  EXPECT_EQ(v4, prefix("198.51.100.0/24"));

  Prefix v6 = prefix("2001:db8::/32");
  EXPECT_FALSE(extend(v6, ""));
  EXPECT_FALSE(extend(v6, "00"));
  EXPECT_FALSE(extend(v6, "x"));
  EXPECT_EQ(v6, prefix("2001:db8::/32"));
}

TEST(ReverseName, SpellsAddressesAndPrefixesInLowerCase) {
  EXPECT_EQ(name_to_text(reverse_name(prefix("198.51.100.12/32"))), "12.100.51.198.in-addr.arpa.");
  EXPECT_EQ(name_to_text(reverse_name(prefix("198.51.100.0/24"))), "100.51.198.in-addr.arpa.");
  EXPECT_EQ(name_to_text(reverse_name(prefix("0.0.0.0/0"))), "in-addr.arpa.");
  EXPECT_EQ(name_to_text(reverse_name(prefix("2001:DB8::/32"))), "8.b.d.0.1.0.0.2.ip6.arpa.");
  EXPECT_EQ(name_to_text(reverse_name(prefix("::/0"))), "ip6.arpa.");
  EXPECT_EQ(name_to_text(reverse_name(prefix("2001:db8:ff00::15/128"))),
            test::ip6_reverse_text("2001:db8:ff00::15"));
}

TEST(ReverseName, RoundTripsThroughPrefixFromReverseName) {
  for (const char* text :
       {"198.51.100.12/32", "198.51.100.0/24", "10.0.0.0/8", "0.0.0.0/0", "255.255.255.255/32",
        "2001:db8::/32", "2001:db8:ff00::/40", "2001:db8:f000::/36", "::/0", "2001:db8::15/128",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"}) {
    const Prefix p = prefix(text);
    const auto back = prefix_from_reverse_name(reverse_name(p));
    ASSERT_TRUE(back) << text << ": " << back.error();
    EXPECT_EQ(*back, p) << text;
  }
}

}  // namespace
}  // namespace driad::dns
