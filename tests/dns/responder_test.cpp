// dns::respond: every answer kind, byte-exact against the RFC 8777 / Knot test
// vector, and every response read a second time by ldns (ldns_wire2pkt).
#include "dns/responder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "config/config.hpp"
#include "dns/message.hpp"
#include "src/snapshot_spec.hpp"
#include "tests/dns/dns_test_support.hpp"
#include "tests/dns/ldns_support.hpp"
#include "tests/dns/test_snapshot.hpp"

namespace driad::dns {
namespace {

using test::Bytes;
using test::Edns;
using test::from_hex;
using test::make_query;
using test::to_hex;

// rfc8777-facts.md: the query for 12.100.51.198.in-addr.arpa. AMTRELAY, id
// 0x1234, no EDNS, and Knot's answer to it.
constexpr const char* kKnotQuery =
    "123400000001000000000000023132033130300235310331393807696e2d6164647204617270610001040001";
constexpr const char* kKnotAnswer =
    "123484000001000300000000"
    "023132033130300235310331393807696e2d6164647204617270610001040001"
    "c00c010400010000003c00060a01cb00710f"
    "c00c010400010000003c00120a0220010db8000000000000000000000015"
    "c00c010400010000003c0019808309616d7472656c617973076578616d706c6503636f6d00";
constexpr const char* kRfc8777Rdata[] = {"0a01cb00710f", "0a0220010db8000000000000000000000015",
                                         "808309616d7472656c617973076578616d706c6503636f6d00"};

struct Reply {
  ResponseInfo info;
  Bytes wire;
  test::LdnsPacket packet;  // ldns's reading; null when nothing was sent
};

// Answers `query` into a 64 KiB buffer (or `out_size`), then has ldns parse the
// response and checks that ldns reads the same header counts driad wrote.
Reply ask(const zones::Snapshot* snapshot, const Bytes& query, Transport transport = Transport::udp,
          std::size_t out_size = 65535) {
  Reply reply;
  Bytes out(out_size);
  reply.info = respond(snapshot, query, out, transport);
  reply.wire.assign(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(reply.info.size));
  if (reply.info.size == 0) return reply;
  EXPECT_GE(reply.info.size, kHeaderSize);
  reply.packet = test::ldns_parse(reply.wire);
  if (reply.packet) {
    EXPECT_EQ(ldns_pkt_id(reply.packet.get()), read16(&query[0]));
    EXPECT_TRUE(ldns_pkt_qr(reply.packet.get()));
    EXPECT_EQ(ldns_pkt_qdcount(reply.packet.get()), read16(&reply.wire[4]));
    EXPECT_EQ(ldns_pkt_ancount(reply.packet.get()), read16(&reply.wire[6]));
    EXPECT_EQ(ldns_pkt_nscount(reply.packet.get()), read16(&reply.wire[8]));
  }
  return reply;
}

// The question of `query` as it appears in any response: octets 12 to the end
// of QCLASS.
Bytes question_of(const Bytes& query) {
  ParsedQuery parsed;
  EXPECT_EQ(parse_query(query, parsed), ParseStatus::ok);
  return Bytes(query.begin() + kHeaderSize,
               query.begin() + static_cast<std::ptrdiff_t>(parsed.question_end));
}

Bytes question_in(const Reply& reply, std::size_t length) {
  if (reply.wire.size() < kHeaderSize + length) return {};
  return Bytes(reply.wire.begin() + kHeaderSize,
               reply.wire.begin() + static_cast<std::ptrdiff_t>(kHeaderSize + length));
}

class ResponderTest : public testing::Test {
 protected:
  void SetUp() override {
    auto built = zones::Snapshot::build(test::test_spec());
    ASSERT_TRUE(built) << built.error();
    snapshot_ = *built;
  }

  Reply ask(const Bytes& query, Transport transport = Transport::udp) {
    return dns::ask(snapshot_.get(), query, transport);
  }

  // Checks a negative answer's SOA in authority: one record, owner = `origin`
  // (a pointer into the question), TTL `ttl`, type SOA.
  void expect_negative_soa(const Reply& reply, const Bytes& query, const std::string& origin,
                           std::uint32_t ttl) {
    ASSERT_NE(reply.packet, nullptr);
    const auto authority = test::records(ldns_pkt_authority(reply.packet.get()));
    ASSERT_EQ(authority.size(), 1U);
    EXPECT_EQ(ldns_rr_get_type(authority[0]), LDNS_RR_TYPE_SOA);
    EXPECT_EQ(ldns_rr_ttl(authority[0]), ttl);
    EXPECT_EQ(ldns_dname_compare(ldns_rr_owner(authority[0]), owned_dname(origin).get()), 0)
        << test::owner_text(authority[0]) << " is not " << origin;
    ASSERT_EQ(ldns_rr_rd_count(authority[0]), 7U);
    EXPECT_EQ(ldns_rdf2native_int32(ldns_rr_rdf(authority[0], 2)), 2024010101U);

    // driad's own bytes: the authority owner is a pointer that lands on the
    // origin's first label inside the echoed question.
    const std::size_t question = question_of(query).size();
    const std::size_t authority_at = kHeaderSize + question;  // no answers precede it
    ASSERT_GT(reply.wire.size(), authority_at + 2);
    const std::uint16_t owner = read16(&reply.wire[authority_at]);
    ASSERT_EQ(owner & 0xc000, 0xc000) << "owner is not a compression pointer";
    const std::size_t target = owner & 0x3fff;
    EXPECT_GE(target, kHeaderSize);
    EXPECT_LT(target, kHeaderSize + question - 4);
    Bytes spelled(reply.wire.begin() + static_cast<std::ptrdiff_t>(target),
                  reply.wire.begin() + static_cast<std::ptrdiff_t>(kHeaderSize + question - 4));
    std::transform(spelled.begin(), spelled.end(), spelled.begin(), [](std::uint8_t c) {
      return static_cast<std::uint8_t>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    });
    EXPECT_EQ(to_hex(spelled), to_hex(test::wire_name(origin)));
    // TTL inside driad's bytes too: pointer(2) type(2) class(2) TTL(4).
    EXPECT_EQ(static_cast<std::uint32_t>(read16(&reply.wire[authority_at + 6])) << 16 |
                  read16(&reply.wire[authority_at + 8]),
              ttl);
  }

  struct DnameFree {
    void operator()(ldns_rdf* rdf) const { ldns_rdf_deep_free(rdf); }
  };
  static std::unique_ptr<ldns_rdf, DnameFree> owned_dname(const std::string& text) {
    return std::unique_ptr<ldns_rdf, DnameFree>(ldns_dname_new_frm_str(text.c_str()));
  }

  std::shared_ptr<const zones::Snapshot> snapshot_;
};

void expect_rfc8777_relay_set(const Reply& reply, const std::string& owner) {
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(reply.packet.get()), LDNS_RCODE_NOERROR);
  EXPECT_TRUE(ldns_pkt_aa(reply.packet.get()));
  EXPECT_FALSE(ldns_pkt_tc(reply.packet.get()));
  const auto answers = test::records(ldns_pkt_answer(reply.packet.get()));
  ASSERT_EQ(answers.size(), 3U);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    EXPECT_EQ(static_cast<int>(ldns_rr_get_type(answers[i])), 260);
    EXPECT_EQ(ldns_rr_get_class(answers[i]), LDNS_RR_CLASS_IN);
    EXPECT_EQ(ldns_rr_ttl(answers[i]), 60U);
    EXPECT_EQ(test::owner_text(answers[i]), owner);
    EXPECT_EQ(to_hex(test::raw_rdata(answers[i])), kRfc8777Rdata[i]);
  }
  EXPECT_EQ(ldns_pkt_nscount(reply.packet.get()), 0);
}

TEST_F(ResponderTest, KnotTestVectorIsAnsweredByteForByte) {
  const Reply reply = ask(from_hex(kKnotQuery));
  EXPECT_EQ(reply.info.kind, AnswerKind::relay_set);
  EXPECT_EQ(reply.info.rcode, rcode::noerror);
  EXPECT_FALSE(reply.info.truncated);
  EXPECT_EQ(to_hex(reply.wire), kKnotAnswer);
  expect_rfc8777_relay_set(reply, "12.100.51.198.in-addr.arpa.");
  EXPECT_EQ(ldns_pkt_id(reply.packet.get()), 0x1234);
  EXPECT_FALSE(ldns_pkt_edns(reply.packet.get()));
}

TEST_F(ResponderTest, KnotTestVectorOverTcpIsTheSameMessage) {
  const Reply reply = ask(from_hex(kKnotQuery), Transport::tcp);
  EXPECT_EQ(to_hex(reply.wire), kKnotAnswer);
}

TEST(ResponderFromConfig, KnotTestVectorFromAParsedConfig) {
  const std::string json = R"({
    "listen": ["127.0.0.1:5353"],
    "zones": [{ "origin": "100.51.198.in-addr.arpa.",
                "soa": { "mname": "ns1.driad.example.", "rname": "hostmaster.driad.example.", "serial": 1 },
                "ns": ["ns1.driad.example."] }],
    "sources": [{ "prefix": "198.51.100.0/24", "relay_group": "rfc8777" }],
    "relay_groups": [{ "name": "rfc8777",
                       "relays": ["10 0 1 203.0.113.15", "10 0 2 2001:db8::15", "128 1 3 amtrelays.example.com."] }],
    "policy": { "ttl": 60 }
  })";
  const auto config = config::parse_config(json, "rfc8777.json");
  ASSERT_TRUE(config) << config.error().front();
  const auto snapshot = zones::Snapshot::build(app::snapshot_spec(*config, 1));
  ASSERT_TRUE(snapshot) << snapshot.error();
  const Reply reply = ask(snapshot->get(), from_hex(kKnotQuery));
  EXPECT_EQ(to_hex(reply.wire), kKnotAnswer);
  expect_rfc8777_relay_set(reply, "12.100.51.198.in-addr.arpa.");
}

class ResponderDemoTest : public testing::Test {
 protected:
  void SetUp() override {
    const auto config = config::parse_config(config::demo_config_json(), "demo");
    ASSERT_TRUE(config) << config.error().front();
    auto built = zones::Snapshot::build(app::snapshot_spec(*config, 1));
    ASSERT_TRUE(built) << built.error();
    snapshot_ = *built;
  }

  // The raw AMTRELAY RDATA (hex) ldns reads in the answer to `name`.
  std::vector<std::string> relay_rdata(const std::string& name) {
    const Reply reply = ask(snapshot_.get(), make_query(name, rr_type::amtrelay));
    std::vector<std::string> out;
    if (!reply.packet) return out;
    EXPECT_EQ(ldns_pkt_get_rcode(reply.packet.get()), LDNS_RCODE_NOERROR) << name;
    EXPECT_EQ(reply.info.kind, AnswerKind::relay_set) << name;
    for (const ldns_rr* rr : test::records(ldns_pkt_answer(reply.packet.get()))) {
      EXPECT_EQ(ldns_rr_ttl(rr), 60U);
      out.push_back(to_hex(test::raw_rdata(rr)));
    }
    return out;
  }

  std::shared_ptr<const zones::Snapshot> snapshot_;
};

TEST_F(ResponderDemoTest, LongestSourcePrefixPicksTheGroup) {
  using V = std::vector<std::string>;
  // 198.51.100.0/24 -> amt-us-east: "10 0 1 192.0.2.1", "20 0 1 192.0.2.11".
  EXPECT_EQ(relay_rdata("12.100.51.198.in-addr.arpa."), (V{"0a01c0000201", "1401c000020b"}));
  // 198.51.100.128/25 -> static-west.
  EXPECT_EQ(relay_rdata("200.100.51.198.in-addr.arpa."),
            (V{"0a01cb00710f", "148220010db8000000000000000000000015",
               "1e0309616d7472656c617973076578616d706c6503636f6d00"}));
  EXPECT_EQ(relay_rdata(test::ip6_reverse_text("2001:db8:1::1")),
            (V{"0a01c0000201", "1401c000020b"}));
  EXPECT_EQ(relay_rdata(test::ip6_reverse_text("2001:db8:ff00::1")).size(), 3U);
  // 2001:db8:dead::/48 -> no-relay: "0 0 0 .".
  EXPECT_EQ(relay_rdata(test::ip6_reverse_text("2001:db8:dead::1")), (V{"0000"}));
}

TEST_F(ResponderTest, AnyAtARelayNameGetsTheRelaySet) {
  const Reply reply = ask(make_query("12.100.51.198.in-addr.arpa.", rr_type::any));
  EXPECT_EQ(reply.info.kind, AnswerKind::relay_set);
  expect_rfc8777_relay_set(reply, "12.100.51.198.in-addr.arpa.");
}

TEST_F(ResponderTest, RelaySetInTheIpv6Zone) {
  const std::string name = test::ip6_reverse_text("2001:db8:ff12::34");
  const Reply reply = ask(make_query(name, rr_type::amtrelay));
  EXPECT_EQ(reply.info.kind, AnswerKind::relay_set);
  expect_rfc8777_relay_set(reply, name);
}

TEST_F(ResponderTest, TypeZeroRelayIsServed) {
  const Reply reply = ask(make_query("9.101.51.198.in-addr.arpa.", rr_type::amtrelay));
  ASSERT_NE(reply.packet, nullptr);
  const auto answers = test::records(ldns_pkt_answer(reply.packet.get()));
  ASSERT_EQ(answers.size(), 1U);
  EXPECT_EQ(to_hex(test::raw_rdata(answers[0])), "0000");
}

TEST_F(ResponderTest, OtherTypeAtARelayNameIsNodataWithSoa) {
  const Bytes query = make_query("12.100.51.198.in-addr.arpa.", 1);
  const Reply reply = ask(query);
  EXPECT_EQ(reply.info.kind, AnswerKind::nodata);
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(reply.packet.get()), LDNS_RCODE_NOERROR);
  EXPECT_TRUE(ldns_pkt_aa(reply.packet.get()));
  EXPECT_EQ(ldns_pkt_ancount(reply.packet.get()), 0);
  expect_negative_soa(reply, query, "51.198.in-addr.arpa.", 30);
}

TEST_F(ResponderTest, EmptyNonTerminalIsNodataWithSoa) {
  const Bytes query = make_query("100.51.198.in-addr.arpa.", rr_type::amtrelay);
  const Reply reply = ask(query);
  EXPECT_EQ(reply.info.kind, AnswerKind::nodata);
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(reply.packet.get()), LDNS_RCODE_NOERROR);
  EXPECT_EQ(ldns_pkt_ancount(reply.packet.get()), 0);
  expect_negative_soa(reply, query, "51.198.in-addr.arpa.", 30);
}

TEST_F(ResponderTest, EmptyNonTerminalInTheIpv6Zone) {
  // 2001:db8:f000::/36 holds the source 2001:db8:ff00::/40.
  const Bytes query = make_query("F.8.b.d.0.1.0.0.2.ip6.arpa.", rr_type::amtrelay);
  const Reply reply = ask(query);
  EXPECT_EQ(reply.info.kind, AnswerKind::nodata);
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(reply.packet.get()), LDNS_RCODE_NOERROR);
  expect_negative_soa(reply, query, "8.b.d.0.1.0.0.2.ip6.arpa.", 20);
}

TEST_F(ResponderTest, NameWithNothingBelowIsNxdomainWithSoa) {
  const Bytes query = make_query("7.51.198.in-addr.arpa.", rr_type::amtrelay, {.id = 0x4242});
  const Reply reply = ask(query);
  EXPECT_EQ(reply.info.kind, AnswerKind::nxdomain);
  EXPECT_EQ(reply.info.rcode, rcode::nxdomain);
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(reply.packet.get()), LDNS_RCODE_NXDOMAIN);
  EXPECT_TRUE(ldns_pkt_aa(reply.packet.get()));
  EXPECT_EQ(ldns_pkt_ancount(reply.packet.get()), 0);
  // negative TTL = min(zone TTL 3600, SOA minimum 30)
  expect_negative_soa(reply, query, "51.198.in-addr.arpa.", 30);
  // The pointer is exactly c00e: "7" takes octets 12-13, the origin starts at 14.
  EXPECT_EQ(to_hex(Bytes(reply.wire.begin() + 12 + 27, reply.wire.begin() + 12 + 29)), "c00e");
}

TEST_F(ResponderTest, NxdomainTtlIsTheZoneTtlWhenBelowTheSoaMinimum) {
  // negative TTL = min(zone TTL 20, SOA minimum 300)
  const Bytes query = make_query(test::ip6_reverse_text("2001:db8:1::1"), rr_type::amtrelay);
  const Reply reply = ask(query);
  EXPECT_EQ(reply.info.kind, AnswerKind::nxdomain);
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(reply.packet.get()), LDNS_RCODE_NXDOMAIN);
  expect_negative_soa(reply, query, "8.b.d.0.1.0.0.2.ip6.arpa.", 20);
}

TEST_F(ResponderTest, NamesThatSpellNoAddressAreNxdomain) {
  for (const char* name : {"1.12.100.51.198.in-addr.arpa.", "x.100.51.198.in-addr.arpa.",
                           "012.100.51.198.in-addr.arpa.", "256.100.51.198.in-addr.arpa.",
                           "ab.8.b.d.0.1.0.0.2.ip6.arpa."}) {
    const Bytes query = make_query(name, rr_type::amtrelay);
    const Reply reply = ask(query);
    EXPECT_EQ(reply.info.kind, AnswerKind::nxdomain) << name;
    ASSERT_NE(reply.packet, nullptr);
    EXPECT_EQ(ldns_pkt_get_rcode(reply.packet.get()), LDNS_RCODE_NXDOMAIN) << name;
    const std::string origin = std::string(name).find("ip6") != std::string::npos
                                   ? "8.b.d.0.1.0.0.2.ip6.arpa."
                                   : "51.198.in-addr.arpa.";
    expect_negative_soa(reply, query, origin, origin[0] == '8' ? 20 : 30);
  }
}

TEST_F(ResponderTest, ApexSoa) {
  const Reply reply = ask(make_query("51.198.in-addr.arpa.", rr_type::soa));
  EXPECT_EQ(reply.info.kind, AnswerKind::apex);
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(reply.packet.get()), LDNS_RCODE_NOERROR);
  EXPECT_TRUE(ldns_pkt_aa(reply.packet.get()));
  const auto answers = test::records(ldns_pkt_answer(reply.packet.get()));
  ASSERT_EQ(answers.size(), 1U);
  EXPECT_EQ(ldns_rr_get_type(answers[0]), LDNS_RR_TYPE_SOA);
  EXPECT_EQ(ldns_rr_ttl(answers[0]), 3600U);
  EXPECT_EQ(test::owner_text(answers[0]), "51.198.in-addr.arpa.");
  ASSERT_EQ(ldns_rr_rd_count(answers[0]), 7U);
  EXPECT_EQ(test::ldns_text(ldns_rr_rdf(answers[0], 0)), "ns1.driad.example.");
  EXPECT_EQ(test::ldns_text(ldns_rr_rdf(answers[0], 1)), "hostmaster.driad.example.");
  EXPECT_EQ(ldns_rdf2native_int32(ldns_rr_rdf(answers[0], 2)), 2024010101U);
  EXPECT_EQ(ldns_rdf2native_int32(ldns_rr_rdf(answers[0], 3)), 3600U);
  EXPECT_EQ(ldns_rdf2native_int32(ldns_rr_rdf(answers[0], 4)), 600U);
  EXPECT_EQ(ldns_rdf2native_int32(ldns_rr_rdf(answers[0], 5)), 86400U);
  EXPECT_EQ(ldns_rdf2native_int32(ldns_rr_rdf(answers[0], 6)), 30U);
  EXPECT_EQ(ldns_pkt_nscount(reply.packet.get()), 0);
  // The owner is the pointer to the question.
  EXPECT_EQ(to_hex(Bytes(reply.wire.begin() + 12 + 25, reply.wire.begin() + 12 + 27)), "c00c");
}

TEST_F(ResponderTest, ApexNs) {
  const Reply reply = ask(make_query("51.198.in-addr.arpa.", rr_type::ns));
  EXPECT_EQ(reply.info.kind, AnswerKind::apex);
  ASSERT_NE(reply.packet, nullptr);
  const auto answers = test::records(ldns_pkt_answer(reply.packet.get()));
  ASSERT_EQ(answers.size(), 2U);
  EXPECT_EQ(ldns_rr_get_type(answers[0]), LDNS_RR_TYPE_NS);
  EXPECT_EQ(test::ldns_text(ldns_rr_rdf(answers[0], 0)), "ns1.driad.example.");
  EXPECT_EQ(test::ldns_text(ldns_rr_rdf(answers[1], 0)), "ns2.driad.example.");
  EXPECT_EQ(ldns_rr_ttl(answers[1]), 3600U);
  EXPECT_EQ(ldns_pkt_nscount(reply.packet.get()), 0);
}

TEST_F(ResponderTest, ApexAnyGetsTheSoaOnly) {
  const Reply reply = ask(make_query("8.b.d.0.1.0.0.2.ip6.arpa.", rr_type::any));
  EXPECT_EQ(reply.info.kind, AnswerKind::apex);
  ASSERT_NE(reply.packet, nullptr);
  const auto answers = test::records(ldns_pkt_answer(reply.packet.get()));
  ASSERT_EQ(answers.size(), 1U);
  EXPECT_EQ(ldns_rr_get_type(answers[0]), LDNS_RR_TYPE_SOA);
  EXPECT_EQ(ldns_rr_ttl(answers[0]), 20U);
}

TEST_F(ResponderTest, ApexAmtrelayIsNodata) {
  const Bytes query = make_query("51.198.in-addr.arpa.", rr_type::amtrelay);
  const Reply reply = ask(query);
  EXPECT_EQ(reply.info.kind, AnswerKind::nodata);
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(reply.packet.get()), LDNS_RCODE_NOERROR);
  EXPECT_EQ(ldns_pkt_ancount(reply.packet.get()), 0);
  expect_negative_soa(reply, query, "51.198.in-addr.arpa.", 30);
}

TEST(ResponderAddressZone, ApexOfAOneAddressZoneUnderASourceHoldsTheRelaySet) {
  // A zone per address (a /32 delegation): its apex is also a source name.
  zones::SnapshotSpec spec = test::test_spec();
  spec.zones = {{test::wire("12.100.51.198.in-addr.arpa."),
                 test::prefix("198.51.100.12/32"),
                 test::test_soa(30),
                 {test::wire("ns1.driad.example.")},
                 3600},
                {test::wire("13.100.51.198.in-addr.arpa."),
                 test::prefix("198.51.100.13/32"),
                 test::test_soa(30),
                 {test::wire("ns1.driad.example.")},
                 3600}};
  spec.sources = {{test::prefix("198.51.100.12/32"), test::kGroupRfc8777}};
  const auto snapshot = zones::Snapshot::build(spec);
  ASSERT_TRUE(snapshot) << snapshot.error();

  const Reply relays = ask(snapshot->get(), from_hex(kKnotQuery));
  EXPECT_EQ(relays.info.kind, AnswerKind::relay_set);
  EXPECT_EQ(to_hex(relays.wire), kKnotAnswer);

  const Reply soa = ask(snapshot->get(), make_query("12.100.51.198.in-addr.arpa.", rr_type::soa));
  EXPECT_EQ(soa.info.kind, AnswerKind::apex);
  ASSERT_NE(soa.packet, nullptr);
  EXPECT_EQ(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(soa.packet.get()), 0)),
            LDNS_RR_TYPE_SOA);

  // The other zone's apex is no source: NODATA.
  const Bytes query = make_query("13.100.51.198.in-addr.arpa.", rr_type::amtrelay);
  const Reply nodata = ask(snapshot->get(), query);
  EXPECT_EQ(nodata.info.kind, AnswerKind::nodata);
  ASSERT_NE(nodata.packet, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(nodata.packet.get()), LDNS_RCODE_NOERROR);
  EXPECT_EQ(ldns_pkt_ancount(nodata.packet.get()), 0);
  EXPECT_EQ(ldns_pkt_nscount(nodata.packet.get()), 1);
}

TEST_F(ResponderTest, NamesOutsideEveryZoneAreRefused) {
  for (const char* name : {"example.com.", "1.0.0.127.in-addr.arpa.", "198.in-addr.arpa.",
                           "in-addr.arpa.", "1.0.0.2.ip6.arpa.", "."}) {
    const Reply reply = ask(make_query(name, rr_type::amtrelay));
    EXPECT_EQ(reply.info.kind, AnswerKind::refused) << name;
    ASSERT_NE(reply.packet, nullptr);
    EXPECT_EQ(ldns_pkt_get_rcode(reply.packet.get()), LDNS_RCODE_REFUSED) << name;
    EXPECT_FALSE(ldns_pkt_aa(reply.packet.get())) << name;
    EXPECT_EQ(ldns_pkt_ancount(reply.packet.get()), 0) << name;
    EXPECT_EQ(ldns_pkt_nscount(reply.packet.get()), 0) << name;
  }
}

TEST_F(ResponderTest, ZoneTransfersAndUnservedClassesAreRefused) {
  const Reply axfr = ask(make_query("51.198.in-addr.arpa.", rr_type::axfr), Transport::tcp);
  ASSERT_NE(axfr.packet, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(axfr.packet.get()), LDNS_RCODE_REFUSED);
  const Reply hesiod =
      ask(make_query("12.100.51.198.in-addr.arpa.", rr_type::amtrelay, {.qclass = 4}));
  ASSERT_NE(hesiod.packet, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(hesiod.packet.get()), LDNS_RCODE_REFUSED);
  EXPECT_EQ(hesiod.info.kind, AnswerKind::refused);
}

TEST_F(ResponderTest, ChaosTxtIdentifiesTheServer) {
  for (const char* name :
       {"version.bind.", "VERSION.BIND.", "id.server.", "hostname.bind.", "version.server."}) {
    const Reply reply = ask(make_query(name, rr_type::txt, {.qclass = rr_class::ch}));
    EXPECT_EQ(reply.info.kind, AnswerKind::chaos) << name;
    ASSERT_NE(reply.packet, nullptr);
    EXPECT_EQ(ldns_pkt_get_rcode(reply.packet.get()), LDNS_RCODE_NOERROR) << name;
    const auto answers = test::records(ldns_pkt_answer(reply.packet.get()));
    ASSERT_EQ(answers.size(), 1U) << name;
    EXPECT_EQ(ldns_rr_get_type(answers[0]), LDNS_RR_TYPE_TXT);
    EXPECT_EQ(ldns_rr_get_class(answers[0]), LDNS_RR_CLASS_CH);
    EXPECT_EQ(test::ldns_text(ldns_rr_rdf(answers[0], 0)), "\"driad\"");
    EXPECT_EQ(ldns_dname_compare(
                  ldns_rr_owner(answers[0]),
                  ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(reply.packet.get()), 0))),
              0);
  }
}

TEST_F(ResponderTest, ChaosOtherNamesAreRefusedAndOtherTypesEmpty) {
  const Reply unknown = ask(make_query("secret.bind.", rr_type::txt, {.qclass = rr_class::ch}));
  ASSERT_NE(unknown.packet, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(unknown.packet.get()), LDNS_RCODE_REFUSED);
  const Reply a_record = ask(make_query("version.bind.", 1, {.qclass = rr_class::ch}));
  ASSERT_NE(a_record.packet, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(a_record.packet.get()), LDNS_RCODE_NOERROR);
  EXPECT_EQ(ldns_pkt_ancount(a_record.packet.get()), 0);
}

TEST_F(ResponderTest, NotifyOpcodeIsNotimpWithTheHeaderOnly) {
  // Other opcodes' bodies are not read (DSO has no question at all), so the
  // reply is the header alone, opcode and id echoed.
  const Bytes query = make_query("51.198.in-addr.arpa.", rr_type::soa, {.id = 0x0a0b, .opcode = 4});
  const Reply reply = ask(query);
  EXPECT_EQ(reply.info.kind, AnswerKind::error);
  EXPECT_EQ(reply.info.rcode, rcode::notimp);
  EXPECT_EQ(reply.wire.size(), kHeaderSize);
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(reply.packet.get()), LDNS_RCODE_NOTIMPL);
  EXPECT_EQ(ldns_pkt_get_opcode(reply.packet.get()), LDNS_PACKET_NOTIFY);
  EXPECT_EQ(ldns_pkt_id(reply.packet.get()), 0x0a0b);
  EXPECT_EQ(ldns_pkt_qdcount(reply.packet.get()), 0);
  EXPECT_FALSE(ldns_pkt_aa(reply.packet.get()));
}

TEST_F(ResponderTest, ObsoleteMailQtypesAreNotimp) {
  const Reply reply = ask(make_query("12.100.51.198.in-addr.arpa.", rr_type::maila));
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(reply.packet.get()), LDNS_RCODE_NOTIMPL);
}

TEST_F(ResponderTest, MalformedQueriesGetFormerr) {
  // QDCOUNT 0: a header alone comes back.
  const Bytes no_question = {0xab, 0xcd, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0};
  const Reply header_only = ask(no_question);
  EXPECT_EQ(header_only.info.rcode, rcode::formerr);
  EXPECT_EQ(header_only.wire.size(), kHeaderSize);
  ASSERT_NE(header_only.packet, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(header_only.packet.get()), LDNS_RCODE_FORMERR);
  EXPECT_EQ(ldns_pkt_qdcount(header_only.packet.get()), 0);
  EXPECT_TRUE(ldns_pkt_rd(header_only.packet.get()));

  // ANCOUNT 1: the question is echoed.
  Bytes with_answer = make_query("12.100.51.198.in-addr.arpa.", rr_type::amtrelay);
  with_answer[7] = 1;
  const Reply echoed = ask(with_answer);
  EXPECT_EQ(echoed.info.kind, AnswerKind::error);
  ASSERT_NE(echoed.packet, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(echoed.packet.get()), LDNS_RCODE_FORMERR);
  EXPECT_EQ(ldns_pkt_qdcount(echoed.packet.get()), 1);
  EXPECT_EQ(ldns_pkt_ancount(echoed.packet.get()), 0);

  // QTYPE OPT in the question.
  const Reply opt_question = ask(make_query("12.100.51.198.in-addr.arpa.", rr_type::opt));
  ASSERT_NE(opt_question.packet, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(opt_question.packet.get()), LDNS_RCODE_FORMERR);
}

TEST_F(ResponderTest, UnreadableHeadersAreDropped) {
  Bytes response = from_hex(kKnotQuery);
  response[2] |= 0x80;
  EXPECT_EQ(ask(response).info.size, 0U);
  EXPECT_EQ(ask(Bytes{0x12, 0x34, 0x00}).info.size, 0U);
  EXPECT_EQ(ask(response).info.kind, AnswerKind::dropped);
}

TEST_F(ResponderTest, EdnsVersionAboveZeroIsBadvers) {
  const Bytes query =
      make_query("12.100.51.198.in-addr.arpa.", rr_type::amtrelay, {.edns = Edns{.version = 1}});
  const Reply reply = ask(query);
  EXPECT_EQ(reply.info.kind, AnswerKind::error);
  EXPECT_EQ(reply.info.rcode, rcode::badvers);
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(reply.packet.get()), 0);  // the low 4 bits of 16
  EXPECT_TRUE(ldns_pkt_edns(reply.packet.get()));
  EXPECT_EQ(ldns_pkt_edns_extended_rcode(reply.packet.get()), 1);
  EXPECT_EQ(ldns_pkt_edns_version(reply.packet.get()), 0);
  EXPECT_EQ(ldns_pkt_ancount(reply.packet.get()), 0);
  // OPT: owner 00, type 0029, payload 04d0, ext-rcode 01, version 00.
  const std::string tail = to_hex(reply.wire).substr(2 * (reply.wire.size() - 11));
  EXPECT_EQ(tail,
            "00002904d001000000"
            "0000");
}

TEST_F(ResponderTest, OversizedUdpAnswerWithoutEdnsIsTruncated) {
  const Bytes query = make_query("1.102.51.198.in-addr.arpa.", rr_type::amtrelay);
  const Reply reply = ask(query);
  EXPECT_TRUE(reply.info.truncated);
  EXPECT_LE(reply.wire.size(), 512U);
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_TRUE(ldns_pkt_tc(reply.packet.get()));
  EXPECT_TRUE(ldns_pkt_aa(reply.packet.get()));
  EXPECT_EQ(ldns_pkt_get_rcode(reply.packet.get()), LDNS_RCODE_NOERROR);
  EXPECT_EQ(ldns_pkt_qdcount(reply.packet.get()), 1);
  EXPECT_EQ(ldns_pkt_ancount(reply.packet.get()), 0);
  EXPECT_EQ(ldns_pkt_nscount(reply.packet.get()), 0);
  EXPECT_EQ(question_in(reply, query.size() - kHeaderSize),
            Bytes(query.begin() + kHeaderSize, query.end()));
}

TEST_F(ResponderTest, UdpAnswerFitsAFiveHundredTwelveOctetBuffer) {
  const Reply reply =
      dns::ask(snapshot_.get(), make_query("1.103.51.198.in-addr.arpa.", rr_type::amtrelay),
               Transport::udp, 512);
  EXPECT_TRUE(reply.info.truncated);
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_TRUE(ldns_pkt_tc(reply.packet.get()));
}

TEST_F(ResponderTest, TcpCarriesTheFullAnswer) {
  const Reply reply =
      ask(make_query("1.103.51.198.in-addr.arpa.", rr_type::amtrelay), Transport::tcp);
  EXPECT_FALSE(reply.info.truncated);
  EXPECT_GT(reply.wire.size(), 1232U);
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_FALSE(ldns_pkt_tc(reply.packet.get()));
  const auto answers = test::records(ldns_pkt_answer(reply.packet.get()));
  ASSERT_EQ(answers.size(), static_cast<std::size_t>(test::kLargeRelays));
  EXPECT_EQ(to_hex(test::raw_rdata(answers.back())), "0a0220010db8000100000000000000000050");

  // Over TCP a small EDNS payload does not matter.
  const Reply with_edns = ask(
      make_query("1.103.51.198.in-addr.arpa.", rr_type::amtrelay, {.edns = Edns{.payload = 512}}),
      Transport::tcp);
  EXPECT_FALSE(with_edns.info.truncated);
  ASSERT_NE(with_edns.packet, nullptr);
  EXPECT_EQ(ldns_pkt_ancount(with_edns.packet.get()), test::kLargeRelays);
}

// Whether the medium (~950 octets) and large (~1550 octets) answers were
// truncated for a requester payload.
struct PayloadCase {
  std::uint16_t requester_payload;
  bool medium_truncated;
  bool large_truncated;
};

class ResponderPayloadTest : public ResponderTest,
                             public testing::WithParamInterface<PayloadCase> {};

TEST_P(ResponderPayloadTest, RequesterPayloadIsClampedTo512AndTheServerSize) {
  const PayloadCase& c = GetParam();
  const std::size_t limit = std::clamp<std::size_t>(c.requester_payload, 512, 1232);
  for (const auto& [name, want_truncated, count] :
       {std::tuple{"1.102.51.198.in-addr.arpa.", c.medium_truncated, test::kMediumRelays},
        std::tuple{"1.103.51.198.in-addr.arpa.", c.large_truncated, test::kLargeRelays}}) {
    const Reply reply =
        ask(make_query(name, rr_type::amtrelay, {.edns = Edns{.payload = c.requester_payload}}));
    EXPECT_EQ(reply.info.truncated, want_truncated) << name;
    EXPECT_LE(reply.wire.size(), limit) << name;
    ASSERT_NE(reply.packet, nullptr);
    EXPECT_EQ(ldns_pkt_tc(reply.packet.get()), want_truncated) << name;
    EXPECT_EQ(ldns_pkt_ancount(reply.packet.get()), want_truncated ? 0 : count) << name;
    EXPECT_TRUE(ldns_pkt_edns(reply.packet.get())) << "OPT is kept when truncating";
    EXPECT_EQ(ldns_pkt_edns_udp_size(reply.packet.get()), 1232) << "the server's own size";
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, ResponderPayloadTest,
                         testing::Values(PayloadCase{0, true, true}, PayloadCase{100, true, true},
                                         PayloadCase{512, true, true}, PayloadCase{900, true, true},
                                         PayloadCase{1000, false, true},
                                         PayloadCase{1232, false, true},
                                         PayloadCase{4096, false, true},
                                         PayloadCase{65535, false, true}));

TEST(ResponderServerSize, LargerServerSizeLetsTheLargeAnswerThrough) {
  zones::SnapshotSpec spec = test::test_spec();
  spec.edns_udp_size = 4096;
  const auto snapshot = zones::Snapshot::build(spec);
  ASSERT_TRUE(snapshot) << snapshot.error();
  const Reply reply = ask(
      snapshot->get(),
      make_query("1.103.51.198.in-addr.arpa.", rr_type::amtrelay, {.edns = Edns{.payload = 4096}}));
  EXPECT_FALSE(reply.info.truncated);
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_EQ(ldns_pkt_ancount(reply.packet.get()), test::kLargeRelays);
  EXPECT_EQ(ldns_pkt_edns_udp_size(reply.packet.get()), 4096);
}

TEST_F(ResponderTest, NoOptWhenTheQueryHadNone) {
  const Reply reply = ask(make_query("12.100.51.198.in-addr.arpa.", rr_type::amtrelay));
  EXPECT_EQ(read16(&reply.wire[10]), 0);
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_FALSE(ldns_pkt_edns(reply.packet.get()));
  EXPECT_EQ(ldns_pkt_arcount(reply.packet.get()), 0);
}

TEST_F(ResponderTest, OptIsAppendedAndDoIsEchoed) {
  const Reply with_do = ask(make_query("12.100.51.198.in-addr.arpa.", rr_type::amtrelay,
                                       {.edns = Edns{.payload = 4096, .dnssec_ok = true}}));
  EXPECT_EQ(read16(&with_do.wire[10]), 1);
  ASSERT_NE(with_do.packet, nullptr);
  expect_rfc8777_relay_set(with_do, "12.100.51.198.in-addr.arpa.");
  EXPECT_TRUE(ldns_pkt_edns(with_do.packet.get()));
  EXPECT_TRUE(ldns_pkt_edns_do(with_do.packet.get()));
  EXPECT_EQ(ldns_pkt_edns_version(with_do.packet.get()), 0);
  EXPECT_EQ(ldns_pkt_edns_extended_rcode(with_do.packet.get()), 0);
  EXPECT_EQ(to_hex(with_do.wire).substr(2 * (with_do.wire.size() - 11)),
            "00002904d000008000"
            "0000");

  const Reply without_do = ask(
      make_query("7.51.198.in-addr.arpa.", rr_type::amtrelay, {.edns = Edns{.dnssec_ok = false}}));
  ASSERT_NE(without_do.packet, nullptr);
  EXPECT_TRUE(ldns_pkt_edns(without_do.packet.get()));
  EXPECT_FALSE(ldns_pkt_edns_do(without_do.packet.get()));
  EXPECT_EQ(ldns_pkt_get_rcode(without_do.packet.get()), LDNS_RCODE_NXDOMAIN);
  EXPECT_EQ(ldns_pkt_nscount(without_do.packet.get()), 1);
}

TEST_F(ResponderTest, MatchIgnoresCaseAndEchoesTheQuestionAsAsked) {
  const Bytes query = make_query("12.100.51.198.In-AdDr.ARPA.", rr_type::amtrelay);
  const Reply reply = ask(query);
  EXPECT_EQ(reply.info.kind, AnswerKind::relay_set);
  EXPECT_EQ(question_in(reply, query.size() - kHeaderSize),
            Bytes(query.begin() + kHeaderSize, query.end()));
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_EQ(ldns_pkt_ancount(reply.packet.get()), 3);

  const Bytes negative = make_query("7.51.198.IN-ADDR.Arpa.", rr_type::amtrelay);
  const Reply nx = ask(negative);
  EXPECT_EQ(nx.info.kind, AnswerKind::nxdomain);
  EXPECT_EQ(question_in(nx, negative.size() - kHeaderSize),
            Bytes(negative.begin() + kHeaderSize, negative.end()));
  expect_negative_soa(nx, negative, "51.198.in-addr.arpa.", 30);
}

TEST_F(ResponderTest, IdRdAndCdAreCopied) {
  const Reply reply =
      ask(make_query("12.100.51.198.in-addr.arpa.", rr_type::amtrelay,
                     {.id = 0xfffe, .recursion_desired = true, .checking_disabled = true}));
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_EQ(ldns_pkt_id(reply.packet.get()), 0xfffe);
  EXPECT_TRUE(ldns_pkt_rd(reply.packet.get()));
  EXPECT_TRUE(ldns_pkt_cd(reply.packet.get()));
  EXPECT_FALSE(ldns_pkt_ra(reply.packet.get()));
}

TEST_F(ResponderTest, MutatedQueriesGetNoAnswerOrAWellFormedOne) {
  // Bit flips, cuts and extensions of good queries: respond() never reads or
  // writes out of bounds (run under ASan) and anything it sends parses.
  const Bytes seeds[] = {
      from_hex(kKnotQuery),
      make_query("7.51.198.in-addr.arpa.", rr_type::amtrelay,
                 {.edns = Edns{.payload = 4096, .dnssec_ok = true}}),
      make_query(test::ip6_reverse_text("2001:db8:ff00::1"), rr_type::any,
                 {.edns = Edns{.options = from_hex("000a0008 0102030405060708")}}),
      make_query("version.bind.", rr_type::txt, {.qclass = rr_class::ch}),
  };
  std::mt19937 random(8777);
  int answered = 0;
  for (int round = 0; round < 4000; ++round) {
    Bytes query = seeds[static_cast<std::size_t>(round) % std::size(seeds)];
    switch (random() % 3) {
      case 0:
        for (unsigned flips = 1 + random() % 4; flips > 0; --flips) {
          query[random() % query.size()] ^= static_cast<std::uint8_t>(1U << (random() % 8));
        }
        break;
      case 1:
        query.resize(random() % query.size());
        break;
      default:
        for (unsigned extra = 1 + random() % 16; extra > 0; --extra) {
          query.push_back(static_cast<std::uint8_t>(random()));
        }
        query[random() % query.size()] = static_cast<std::uint8_t>(random());
        break;
    }
    const Transport transport = random() % 2 == 0 ? Transport::udp : Transport::tcp;
    Bytes out(transport == Transport::udp ? 4096 : 65535);
    const ResponseInfo info = respond(snapshot_.get(), query, out, transport);
    ASSERT_LE(info.size, out.size());
    if (info.size == 0) continue;
    ++answered;
    ASSERT_GE(info.size, kHeaderSize);
    if (transport == Transport::udp) {
      ASSERT_LE(info.size, 1232U) << to_hex(query);
    }
    const Bytes wire(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(info.size));
    const test::LdnsPacket packet = test::ldns_parse(wire);
    ASSERT_NE(packet, nullptr) << "query " << to_hex(query);
    EXPECT_EQ(ldns_pkt_id(packet.get()), read16(&query[0]));
  }
  EXPECT_GT(answered, 1000);
}

TEST(ResponderNullSnapshot, AnswersServfail) {
  const Bytes query = from_hex(kKnotQuery);
  const Reply reply = ask(nullptr, query);
  EXPECT_EQ(reply.info.kind, AnswerKind::error);
  EXPECT_EQ(reply.info.rcode, rcode::servfail);
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(reply.packet.get()), LDNS_RCODE_SERVFAIL);
  EXPECT_FALSE(ldns_pkt_aa(reply.packet.get()));
  EXPECT_EQ(ldns_pkt_ancount(reply.packet.get()), 0);
  EXPECT_EQ(ldns_pkt_qdcount(reply.packet.get()), 1);
}

}  // namespace
}  // namespace driad::dns
