// Reading a response back into text (admin/response_text.hpp): compression
// pointers, AMTRELAY of all four relay types, SOA in authority, the OPT's
// extended RCODE, unknown types in RFC 3597 form, and malformed input.
#include <gtest/gtest.h>

#include <vector>

#include "admin/response_text.hpp"

namespace driad::admin {
namespace {

using Bytes = std::vector<std::uint8_t>;

void append(Bytes& out, const Bytes& more) {
  out.insert(out.end(), more.begin(), more.end());
}

// Header, question "1.2.in-addr.arpa." (offset 12), then `records`.
Bytes response(std::uint8_t flags2, std::uint8_t rcode, std::uint16_t answers,
               std::uint16_t authority, std::uint16_t additional, const Bytes& records) {
  Bytes out = {0xab,
               0xcd,
               static_cast<std::uint8_t>(0x80 | flags2),
               rcode,
               0,
               1,
               0,
               static_cast<std::uint8_t>(answers),
               0,
               static_cast<std::uint8_t>(authority),
               0,
               static_cast<std::uint8_t>(additional)};
  append(out, {1, '1', 1, '2', 7, 'i', 'n', '-', 'a', 'd', 'd', 'r', 4, 'a', 'r', 'p', 'a', 0});
  append(out, {0x01, 0x04, 0x00, 0x01});  // AMTRELAY IN
  append(out, records);
  return out;
}

// A record owned by the question name (pointer c00c).
Bytes record(std::uint16_t type, std::uint32_t ttl, const Bytes& rdata) {
  Bytes out = {0xc0,
               0x0c,
               static_cast<std::uint8_t>(type >> 8),
               static_cast<std::uint8_t>(type),
               0,
               1,
               static_cast<std::uint8_t>(ttl >> 24),
               static_cast<std::uint8_t>(ttl >> 16),
               static_cast<std::uint8_t>(ttl >> 8),
               static_cast<std::uint8_t>(ttl),
               0,
               static_cast<std::uint8_t>(rdata.size())};
  append(out, rdata);
  return out;
}

TEST(ResponseText, AmtRelayOfEveryType) {
  Bytes records;
  append(records, record(260, 60, {10, 0x01, 192, 0, 2, 1}));
  append(
      records,
      record(260, 60, {20, 0x82, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x15}));
  append(records,
         record(260, 60,
                {30, 0x03, 5, 'r', 'e', 'l', 'a', 'y', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0}));
  append(records, record(260, 60, {0, 0x00}));
  const auto parsed = parse_response(response(0x04, 0, 4, 0, 0, records));
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(parsed->id, 0xabcd);
  EXPECT_TRUE(parsed->authoritative);
  EXPECT_FALSE(parsed->truncated);
  ASSERT_EQ(parsed->answer.size(), 4U);
  EXPECT_EQ(parsed->answer[0].text(), "1.2.in-addr.arpa. 60 IN AMTRELAY 10 0 1 192.0.2.1");
  EXPECT_EQ(parsed->answer[1].rdata, "20 1 2 2001:db8::15");
  EXPECT_EQ(parsed->answer[2].rdata, "30 0 3 relay.example.");
  EXPECT_EQ(parsed->answer[3].rdata, "0 0 0 .");
}

TEST(ResponseText, SoaAuthorityUnknownTypesAndExtendedRcode) {
  Bytes soa = {2, 'n', 's', 0xc0, 14, 0, 0, 0, 0, 7, 0, 0, 0,
               1, 0,   0,   0,    2,  0, 0, 0, 3, 0, 0, 0, 4};
  // owner: the zone (pointer to "2.in-addr.arpa." at offset 14); mname "ns.2.in-addr.arpa.", rname
  // "."
  Bytes records = {0xc0, 14, 0, 6, 0, 1, 0, 0, 0, 30, 0, static_cast<std::uint8_t>(soa.size())};
  append(records, soa);
  append(records, record(99, 5, {0xde, 0xad}));
  // OPT with extended RCODE 1: BADVERS (16) with the header's 0.
  append(records, {0, 0, 41, 0x04, 0xd0, 1, 0, 0, 0, 0, 0});
  const auto parsed = parse_response(response(0x02, 0, 0, 2, 1, records));
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_TRUE(parsed->truncated);
  EXPECT_EQ(parsed->rcode, 16);
  EXPECT_EQ(rcode_name(parsed->rcode), "BADVERS");
  ASSERT_EQ(parsed->authority.size(), 2U);
  EXPECT_EQ(parsed->authority[0].text(),
            "2.in-addr.arpa. 30 IN SOA ns.2.in-addr.arpa. . 7 1 2 3 4");
  EXPECT_EQ(parsed->authority[1].text(), "1.2.in-addr.arpa. 5 IN TYPE99 \\# 2 dead");
}

TEST(ResponseText, MalformedInputIsAnError) {
  EXPECT_FALSE(parse_response(Bytes(11, 0)));
  Bytes query = response(0, 0, 0, 0, 0, {});
  query[2] &= 0x7f;  // QR clear
  EXPECT_FALSE(parse_response(query));
  Bytes cut = response(0, 0, 1, 0, 0, record(260, 60, {10, 1, 192, 0, 2, 1}));
  cut.resize(cut.size() - 2);
  EXPECT_FALSE(parse_response(cut));
  Bytes loop = response(0, 0, 1, 0, 0, {0xc0, 0x22, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0});
  loop[34] = 0xc0;  // the answer's owner points at itself
  loop[35] = 34;
  EXPECT_FALSE(parse_response(loop));
}

TEST(ResponseText, QueryRoundTrip) {
  const Bytes name = {1, 'x', 0};
  const Bytes query = make_query(name, 260, 0x1234);
  EXPECT_EQ(query, (Bytes{0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'x', 0, 0x01, 0x04, 0, 1}));
  EXPECT_EQ(type_name(260), "AMTRELAY");
  EXPECT_EQ(type_name(4242), "TYPE4242");
  EXPECT_EQ(rcode_name(3), "NXDOMAIN");
  EXPECT_EQ(rcode_name(9), "RCODE9");
}

}  // namespace
}  // namespace driad::admin
