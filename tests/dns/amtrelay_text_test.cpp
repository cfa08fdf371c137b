// AMTRELAY presentation form: every rejection of amtrelay_from_text, the good
// forms, the RFC 8777 RDATA test vectors (via zones::amtrelay_rdata) and the
// round trip through policy::to_text, the one printer (the decision log uses it).
#include "dns/amtrelay_text.hpp"

#include <gtest/gtest.h>

#include <string>

#include "policy/relay_text.hpp"
#include "tests/dns/dns_test_support.hpp"
#include "zones/snapshot.hpp"

namespace driad::dns {
namespace {

using policy::RelayType;

// rfc8777-facts.md: "presentation | RDATA hex", each served identically by NSD
// and Knot and decoded by dig.
struct Vector {
  const char* text;
  const char* rdata_hex;
};

constexpr Vector kVectors[] = {
    {"10 0 1 203.0.113.15", "0a01cb00710f"},
    {"10 0 2 2001:db8::15", "0a0220010db8000000000000000000000015"},
    {"128 1 3 amtrelays.example.com.", "808309616d7472656c617973076578616d706c6503636f6d00"},
    {"0 0 0 .", "0000"},
    {"20 1 1 192.0.2.10", "1481c000020a"},
    {"10 0 2 2001:db8:c::f", "0a0220010db8000c0000000000000000000f"},
};

class AmtRelayVector : public testing::TestWithParam<Vector> {};

TEST_P(AmtRelayVector, RdataMatchesTheRfc8777Vector) {
  const auto relay = amtrelay_from_text(GetParam().text);
  ASSERT_TRUE(relay) << relay.error();
  EXPECT_EQ(test::to_hex(zones::amtrelay_rdata(*relay)), GetParam().rdata_hex);
}

TEST_P(AmtRelayVector, PresentationFormRoundTrips) {
  const auto relay = amtrelay_from_text(GetParam().text);
  ASSERT_TRUE(relay) << relay.error();
  EXPECT_EQ(policy::to_text(*relay), GetParam().text);
  const auto again = amtrelay_from_text(policy::to_text(*relay));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *relay);
}

INSTANTIATE_TEST_SUITE_P(Rfc8777, AmtRelayVector, testing::ValuesIn(kVectors));

TEST(AmtRelayFromText, FieldsAreDecoded) {
  const auto relay = amtrelay_from_text("128 1 3 amtrelays.example.com.");
  ASSERT_TRUE(relay) << relay.error();
  EXPECT_EQ(relay->precedence, 128);
  EXPECT_TRUE(relay->discovery_optional);
  EXPECT_EQ(relay->type, RelayType::domain_name);
  EXPECT_EQ(relay->relay, test::wire_name("amtrelays.example.com."));

  const auto none = amtrelay_from_text("0 0 0 .");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->type, RelayType::none);
  EXPECT_TRUE(none->relay.empty());
  EXPECT_FALSE(none->discovery_optional);
}

TEST(AmtRelayFromText, ExtremesAndExtraWhitespaceAreAccepted) {
  const auto high = amtrelay_from_text("255 0 1 192.0.2.1");
  ASSERT_TRUE(high) << high.error();
  EXPECT_EQ(high->precedence, 255);
  const auto spaced = amtrelay_from_text("  10\t0  1   192.0.2.1 ");
  ASSERT_TRUE(spaced) << spaced.error();
  EXPECT_EQ(test::to_hex(zones::amtrelay_rdata(*spaced)), "0a01c0000201");
  const auto relative = amtrelay_from_text("10 0 3 relay.example");
  ASSERT_TRUE(relative) << relative.error();
  EXPECT_EQ(relative->relay, test::wire_name("relay.example."));
}

struct Rejection {
  std::string text;
  std::string message_part;
};

class AmtRelayRejection : public testing::TestWithParam<Rejection> {};

TEST_P(AmtRelayRejection, IsRefusedWithAReason) {
  const auto relay = amtrelay_from_text(GetParam().text);
  ASSERT_FALSE(relay) << "'" << GetParam().text << "' was accepted";
  EXPECT_NE(relay.error().find(GetParam().message_part), std::string::npos)
      << "'" << GetParam().text << "': " << relay.error();
}

INSTANTIATE_TEST_SUITE_P(
    Every, AmtRelayRejection,
    testing::Values(
        Rejection{"", "0 fields, want 4"}, Rejection{"10 0 1", "3 fields, want 4"},
        Rejection{"10 0 1 192.0.2.1 extra", "5 fields, want 4"},
        Rejection{"256 0 1 192.0.2.1", "precedence '256'"},
        Rejection{"-1 0 1 192.0.2.1", "precedence '-1'"},
        Rejection{"abc 0 1 192.0.2.1", "precedence 'abc'"},
        Rejection{"1x 0 1 192.0.2.1", "precedence '1x'"}, Rejection{"10 2 1 192.0.2.1", "D '2'"},
        Rejection{"10 01 1 192.0.2.1", "D '01'"}, Rejection{"10 x 1 192.0.2.1", "D 'x'"},
        Rejection{"10 0 4 192.0.2.1", "type 4 is unassigned"},
        Rejection{"10 0 127 192.0.2.1", "type 127 is unassigned"},
        Rejection{"10 0 128 192.0.2.1", "type '128'"}, Rejection{"10 0 x 192.0.2.1", "type 'x'"},
        Rejection{"0 0 0 192.0.2.1", "type 0 (no relay) takes '.'"},
        Rejection{"0 0 0 relay.example.", "type 0 (no relay) takes '.'"},
        Rejection{"10 0 1 203.0.113", "not an IPv4 address"},
        Rejection{"10 0 1 203.0.113.256", "not an IPv4 address"},
        Rejection{"10 0 1 2001:db8::15", "not an IPv4 address"},
        Rejection{"10 0 1 relay.example.", "not an IPv4 address"},
        Rejection{"10 0 2 203.0.113.15", "not an IPv6 address"},
        Rejection{"10 0 2 2001:db8::15::1", "not an IPv6 address"},
        Rejection{"10 0 2 2001:db8::1g", "not an IPv6 address"},
        Rejection{"10 0 3 a..example.", "type 3 relay: "},
        Rejection{"10 0 3 " + std::string(64, 'a') + ".example.", "type 3 relay: "},
        Rejection{"10 0 3 .", "root name"}));

TEST(AmtRelayToText, PrintsEveryType) {
  policy::AmtRelay relay;
  relay.precedence = 7;
  relay.discovery_optional = true;
  relay.type = RelayType::ipv4;
  relay.relay = {192, 0, 2, 1};
  EXPECT_EQ(policy::to_text(relay), "7 1 1 192.0.2.1");
  relay.type = RelayType::none;
  relay.relay.clear();
  EXPECT_EQ(policy::to_text(relay), "7 1 0 .");
  relay.type = RelayType::domain_name;
  relay.relay = test::wire_name("r.example.");
  EXPECT_EQ(policy::to_text(relay), "7 1 3 r.example.");
}

}  // namespace
}  // namespace driad::dns
