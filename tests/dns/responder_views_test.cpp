// dns::respond with client views and EDNS Client Subnet (RFC 7871): the view
// chosen by the resolver address or the ECS address, the ECS echo and its
// scope byte for byte, FORMERR for malformed options, SERVFAIL for groups not
// known yet, and the longer OPT in the UDP size limit. Every response is read a
// second time by ldns.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/message.hpp"
#include "dns/responder.hpp"
#include "tests/dns/dns_test_support.hpp"
#include "tests/dns/ldns_support.hpp"
#include "tests/dns/test_snapshot.hpp"

namespace driad::dns {
namespace {

using test::Bytes;
using test::ecs_option;
using test::Edns;
using test::from_hex;
using test::make_query;
using test::to_hex;

constexpr const char* kRfc8777Name = "12.100.51.198.in-addr.arpa.";
constexpr const char* kNoneName = "9.101.51.198.in-addr.arpa.";
constexpr const char* kPendingName = "1.104.51.198.in-addr.arpa.";
constexpr const char* kWestName = "1.105.51.198.in-addr.arpa.";
constexpr const char* kMediumName = "1.102.51.198.in-addr.arpa.";

// The RDATA (hex) of each group's answer.
const std::vector<std::string> kRfc8777 = {"0a01cb00710f", "0a0220010db8000000000000000000000015",
                                           "808309616d7472656c617973076578616d706c6503636f6d00"};
const std::vector<std::string> kViewA = {"0a01c0000201"};
const std::vector<std::string> kViewB = {"0a01c0000202"};
const std::vector<std::string> kWest = {"0a01c0000203"};

ClientAddress client(const char* text) {
  const auto address = zones::parse_address(text);
  EXPECT_TRUE(address) << text;
  if (!address) return {};
  return {true, address->family, address->address};
}

struct Reply {
  ResponseInfo info;
  Bytes wire;
  test::LdnsPacket packet;  // ldns's reading; null when nothing was sent
};

Reply ask(const zones::Snapshot* snapshot, const Bytes& query, const ClientAddress& from,
          Transport transport = Transport::udp) {
  Reply reply;
  Bytes out(65535);
  reply.info = respond(snapshot, query, out, transport, from);
  reply.wire.assign(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(reply.info.size));
  if (reply.info.size == 0) return reply;
  reply.packet = test::ldns_parse(reply.wire);
  if (reply.packet) {
    EXPECT_EQ(ldns_pkt_id(reply.packet.get()), read16(&query[0]));
    EXPECT_EQ(ldns_pkt_qdcount(reply.packet.get()), read16(&reply.wire[4]));
    EXPECT_EQ(ldns_pkt_ancount(reply.packet.get()), read16(&reply.wire[6]));
    // ldns takes the OPT out of the additional section: ARCOUNT 1 is the OPT.
    EXPECT_EQ(ldns_pkt_edns(reply.packet.get()), read16(&reply.wire[10]) == 1);
  }
  return reply;
}

// A query for `name` (AMTRELAY unless said) carrying `options` in its OPT.
Bytes query_with(const std::string& name, const Bytes& options,
                 std::uint16_t qtype = rr_type::amtrelay, std::uint16_t payload = 1232) {
  return make_query(name, qtype, {.edns = Edns{.payload = payload, .options = options}});
}

Bytes join(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

std::vector<std::string> answer_rdata(const Reply& reply) {
  std::vector<std::string> out;
  if (!reply.packet) return out;
  for (const ldns_rr* rr : test::records(ldns_pkt_answer(reply.packet.get()))) {
    out.push_back(to_hex(test::raw_rdata(rr)));
  }
  return out;
}

// The OPT record driad wrote, as hex: it is the last record of every reply.
std::string opt_hex(const Reply& reply, std::size_t rdlength) {
  const std::size_t size = 11 + rdlength;
  if (reply.wire.size() < kHeaderSize + size) return "";
  return to_hex(Bytes(reply.wire.end() - static_cast<std::ptrdiff_t>(size), reply.wire.end()));
}

// The OPT record of a reply: our payload 1232, the upper RCODE bits, version
// 0, DO clear, RDATA `rdata_hex`.
std::string expected_opt(const std::string& rdata_hex, std::uint8_t extended_rcode = 0) {
  const std::size_t rdlength = rdata_hex.size() / 2;
  const Bytes length{static_cast<std::uint8_t>(rdlength >> 8), static_cast<std::uint8_t>(rdlength)};
  // owner 00, TYPE 0029, CLASS 04d0 (1232); TTL: extended RCODE, version 00, DO|Z 0000.
  return "00002904d0" + to_hex(Bytes{extended_rcode}) + "000000" + to_hex(length) + rdata_hex;
}

// Checks the echoed ECS option byte for byte in driad's wire and as ldns reads
// it: FAMILY, SOURCE PREFIX-LENGTH, SCOPE PREFIX-LENGTH, ADDRESS.
void expect_ecs_echo(const Reply& reply, std::uint16_t family, std::uint8_t source,
                     std::uint8_t scope, const std::string& address_hex) {
  const Bytes option = ecs_option(family, source, scope, from_hex(address_hex));
  EXPECT_EQ(opt_hex(reply, option.size()), expected_opt(to_hex(option)));
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_TRUE(ldns_pkt_edns(reply.packet.get()));
  ldns_edns_option_list* options = ldns_pkt_edns_get_option_list(reply.packet.get());
  ASSERT_NE(options, nullptr);
  ASSERT_EQ(ldns_edns_option_list_get_count(options), 1U);
  const ldns_edns_option* ecs = ldns_edns_option_list_get_option(options, 0);
  EXPECT_EQ(ldns_edns_get_code(ecs), LDNS_EDNS_CLIENT_SUBNET);
  const Bytes data(ldns_edns_get_data(ecs), ldns_edns_get_data(ecs) + ldns_edns_get_size(ecs));
  EXPECT_EQ(to_hex(data), to_hex(Bytes(option.begin() + 4, option.end())));
}

// An OPT with nothing in its RDATA.
void expect_no_ecs_echo(const Reply& reply, std::uint8_t extended_rcode = 0) {
  EXPECT_EQ(opt_hex(reply, 0), expected_opt("", extended_rcode));
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_TRUE(ldns_pkt_edns(reply.packet.get()));
  const ldns_rdf* data = ldns_pkt_edns_data(reply.packet.get());
  EXPECT_TRUE(data == nullptr || ldns_rdf_size(data) == 0);
}

void expect_servfail(const Reply& reply) {
  EXPECT_EQ(reply.info.kind, AnswerKind::error);
  EXPECT_EQ(reply.info.rcode, rcode::servfail);
  ASSERT_NE(reply.packet, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(reply.packet.get()), LDNS_RCODE_SERVFAIL);
  EXPECT_FALSE(ldns_pkt_aa(reply.packet.get()));
  EXPECT_EQ(ldns_pkt_qdcount(reply.packet.get()), 1);
  EXPECT_EQ(ldns_pkt_ancount(reply.packet.get()), 0);
  EXPECT_EQ(ldns_pkt_nscount(reply.packet.get()), 0);
}

class ResponderViewsTest : public testing::Test {
 protected:
  void SetUp() override {
    auto built = zones::Snapshot::build(test::test_views_spec());
    ASSERT_TRUE(built) << built.error();
    snapshot_ = *built;
    zones::SnapshotSpec off = test::test_views_spec();
    off.ecs = false;
    auto built_off = zones::Snapshot::build(off);
    ASSERT_TRUE(built_off) << built_off.error();
    ecs_off_ = *built_off;
  }

  Reply ask(const Bytes& query, const ClientAddress& from = {},
            Transport transport = Transport::udp) {
    return dns::ask(snapshot_.get(), query, from, transport);
  }

  std::vector<std::string> relays_for(const std::string& name, const ClientAddress& from,
                                      Transport transport = Transport::udp) {
    const Reply reply = ask(make_query(name, rr_type::amtrelay), from, transport);
    EXPECT_EQ(reply.info.kind, AnswerKind::relay_set) << name;
    if (reply.packet) {
      EXPECT_EQ(ldns_pkt_get_rcode(reply.packet.get()), LDNS_RCODE_NOERROR);
      EXPECT_TRUE(ldns_pkt_aa(reply.packet.get()));
    }
    return answer_rdata(reply);
  }

  std::shared_ptr<const zones::Snapshot> snapshot_;
  std::shared_ptr<const zones::Snapshot> ecs_off_;
};

TEST_F(ResponderViewsTest, ResolverAddressPicksTheView) {
  EXPECT_EQ(relays_for(kRfc8777Name, client("192.0.2.1")), kViewA);
  EXPECT_EQ(relays_for(kRfc8777Name, client("192.0.2.200")), kViewB);  // the /25 inside A's /24
  EXPECT_EQ(relays_for(kRfc8777Name, client("203.0.113.1")), kRfc8777);
  EXPECT_EQ(relays_for(kRfc8777Name, ClientAddress{}), kRfc8777);
  EXPECT_EQ(relays_for(kRfc8777Name, client("10.2.0.1")), kViewA);
  EXPECT_EQ(relays_for(kRfc8777Name, client("10.1.0.1")), kViewB);
  EXPECT_EQ(relays_for(kRfc8777Name, client("2001:db8:bbbb::1")), kViewB);
  EXPECT_EQ(relays_for(kRfc8777Name, client("2001:db8:cccc::1")), kRfc8777);
  // The source's family does not matter, only its group's row.
  const std::string v6_name = test::ip6_reverse_text("2001:db8:ff00::1");
  EXPECT_EQ(relays_for(v6_name, client("2001:db8:aaaa::1")), kViewA);
  EXPECT_EQ(relays_for(v6_name, client("192.0.2.129"), Transport::tcp), kViewB);
  // A row that does not vary ignores the client.
  EXPECT_EQ(relays_for(kNoneName, client("192.0.2.1")), std::vector<std::string>{"0000"});
  EXPECT_EQ(relays_for(kWestName, client("192.0.2.1")), kWest);
  EXPECT_EQ(relays_for(kWestName, client("203.0.113.1")), kWest);
}

// The answer counter reported is the served group's (the view's), not the source's.
TEST(ResponderAnswerCounter, IsTheServedGroupsCounter) {
  zones::SnapshotSpec spec = test::test_views_spec();
  for (std::size_t g = 0; g < spec.groups.size(); ++g)
    spec.groups[g].answer_counter = static_cast<std::uint16_t>(100 + g);
  auto built = zones::Snapshot::build(spec);
  ASSERT_TRUE(built) << built.error();
  const Bytes query = make_query(kRfc8777Name, rr_type::amtrelay);
  EXPECT_EQ(dns::ask(built->get(), query, client("203.0.113.1")).info.answer_counter,
            100 + test::kGroupRfc8777);
  EXPECT_EQ(dns::ask(built->get(), query, client("192.0.2.1")).info.answer_counter,
            100 + test::kGroupViewA);
  EXPECT_EQ(dns::ask(built->get(), query, client("192.0.2.200")).info.answer_counter,
            100 + test::kGroupViewB);
}

TEST_F(ResponderViewsTest, AnyAtARelayNameFollowsTheView) {
  const Reply reply = ask(make_query(kRfc8777Name, rr_type::any), client("192.0.2.200"));
  EXPECT_EQ(reply.info.kind, AnswerKind::relay_set);
  EXPECT_EQ(answer_rdata(reply), kViewB);
}

TEST_F(ResponderViewsTest, EcsAddressPicksTheViewOverTheResolver) {
  const ClientAddress in_a = client("192.0.2.1");
  const Reply v4 = ask(query_with(kRfc8777Name, ecs_option(1, 25, 0, {192, 0, 2, 128})), in_a);
  EXPECT_EQ(answer_rdata(v4), kViewB);
  expect_ecs_echo(v4, 1, 25, 25, "c0000280");

  const Reply v6 =
      ask(query_with(kRfc8777Name, ecs_option(2, 48, 0, from_hex("20010db8bbbb"))), in_a);
  EXPECT_EQ(answer_rdata(v6), kViewB);
  expect_ecs_echo(v6, 2, 48, 48, "20010db8bbbb");

  // An ECS address in no view gets the row's own answer, even from a resolver
  // in a view; the answer still depends on the client.
  const Reply nowhere = ask(query_with(kRfc8777Name, ecs_option(1, 24, 0, {203, 0, 113})), in_a);
  EXPECT_EQ(answer_rdata(nowhere), kRfc8777);
  expect_ecs_echo(nowhere, 1, 24, 24, "cb0071");

  // A prefix shorter than a view's network is looked up by its first address.
  const Reply short_prefix = ask(query_with(kRfc8777Name, ecs_option(1, 7, 0, {10})), {});
  EXPECT_EQ(answer_rdata(short_prefix), kViewA);  // 10.0.0.0 is in 10.0.0.0/8
  expect_ecs_echo(short_prefix, 1, 7, 7, "0a");

  // Over TCP the same.
  const Reply tcp =
      ask(query_with(kRfc8777Name, ecs_option(1, 24, 0, {10, 1, 7})), in_a, Transport::tcp);
  EXPECT_EQ(answer_rdata(tcp), kViewB);
  expect_ecs_echo(tcp, 1, 24, 24, "0a0107");
}

TEST_F(ResponderViewsTest, LongestOfSeveralEcsOptionsWins) {
  const Bytes in_a = ecs_option(1, 24, 0, {192, 0, 2});
  const Bytes in_b = ecs_option(1, 25, 0, {192, 0, 2, 128});
  const Bytes cookie = from_hex("000a0008 0102030405060708");

  const Reply longer_last = ask(query_with(kRfc8777Name, join({in_a, cookie, in_b})));
  EXPECT_EQ(answer_rdata(longer_last), kViewB);
  expect_ecs_echo(longer_last, 1, 25, 25, "c0000280");

  const Reply longer_first = ask(query_with(kRfc8777Name, join({in_b, in_a})));
  EXPECT_EQ(answer_rdata(longer_first), kViewB);
  expect_ecs_echo(longer_first, 1, 25, 25, "c0000280");

  // Lengths compare across families: the IPv6 /48 beats the IPv4 /25.
  const Bytes v6_in_a = ecs_option(2, 48, 0, from_hex("20010db8aaaa"));
  const Reply across = ask(query_with(kRfc8777Name, join({in_b, v6_in_a})));
  EXPECT_EQ(answer_rdata(across), kViewA);
  expect_ecs_echo(across, 2, 48, 48, "20010db8aaaa");

  // Equal lengths: the first one counts.
  const Reply tie = ask(query_with(
      kRfc8777Name, join({ecs_option(1, 16, 0, {10, 1}), ecs_option(1, 16, 0, {10, 2})})));
  EXPECT_EQ(answer_rdata(tie), kViewB);
  expect_ecs_echo(tie, 1, 16, 16, "0a01");
}

TEST_F(ResponderViewsTest, SourcePrefixZeroUsesTheResolverAddress) {
  const Reply v4 = ask(query_with(kRfc8777Name, ecs_option(1, 0, 0, {})), client("192.0.2.200"));
  EXPECT_EQ(answer_rdata(v4), kViewB);
  expect_ecs_echo(v4, 1, 0, 0, "");

  const Reply v6 = ask(query_with(kRfc8777Name, ecs_option(2, 0, 0, {})), client("192.0.2.1"));
  EXPECT_EQ(answer_rdata(v6), kViewA);
  expect_ecs_echo(v6, 2, 0, 0, "");

  const Reply unknown = ask(query_with(kRfc8777Name, ecs_option(1, 0, 0, {})), {});
  EXPECT_EQ(answer_rdata(unknown), kRfc8777);
  expect_ecs_echo(unknown, 1, 0, 0, "");
}

TEST_F(ResponderViewsTest, ScopeIsZeroWhenTheAnswerDoesNotDependOnTheClient) {
  const Bytes ecs = ecs_option(1, 25, 0, {192, 0, 2, 128});
  struct Case {
    std::string name;
    std::uint16_t qtype;
    AnswerKind kind;
  };
  const Case cases[] = {
      {kNoneName, rr_type::amtrelay, AnswerKind::relay_set},
      {kWestName, rr_type::amtrelay, AnswerKind::relay_set},
      {"7.51.198.in-addr.arpa.", rr_type::amtrelay, AnswerKind::nxdomain},
      {"100.51.198.in-addr.arpa.", rr_type::amtrelay, AnswerKind::nodata},
      {kRfc8777Name, 1, AnswerKind::nodata},  // another type at a relay name
      {"51.198.in-addr.arpa.", rr_type::soa, AnswerKind::apex},
      {"51.198.in-addr.arpa.", rr_type::amtrelay, AnswerKind::nodata},
      {"example.com.", rr_type::amtrelay, AnswerKind::refused},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name + " type " + std::to_string(c.qtype));
    // The exception: the west row varies (view B gets SERVFAIL), so even a
    // client in view A, which gets the row's own answer, is told the scope.
    const Reply reply = ask(
        query_with(c.name, c.name == kWestName ? ecs_option(1, 24, 0, {10, 2, 0}) : ecs, c.qtype),
        client("192.0.2.1"));
    EXPECT_EQ(reply.info.kind, c.kind);
    if (c.name == kWestName) {
      // A row that varies gets the source prefix as scope whatever the view.
      expect_ecs_echo(reply, 1, 24, 24, "0a0200");
    } else {
      expect_ecs_echo(reply, 1, 25, 0, "c0000280");
    }
  }
}

TEST_F(ResponderViewsTest, EcsOffIgnoresTheOption) {
  // The resolver's view counts, and nothing is echoed.
  const Reply reply =
      dns::ask(ecs_off_.get(), query_with(kRfc8777Name, ecs_option(1, 25, 0, {192, 0, 2, 128})),
               client("192.0.2.1"));
  EXPECT_EQ(answer_rdata(reply), kViewA);
  expect_no_ecs_echo(reply);

  // A malformed option is not looked at.
  for (const Bytes& bad : {ecs_option(3, 8, 0, {10}), ecs_option(1, 24, 24, {192, 0, 2}),
                           from_hex("0008 0002 0001")}) {
    const Reply ignored =
        dns::ask(ecs_off_.get(), query_with(kRfc8777Name, bad), client("192.0.2.200"));
    EXPECT_EQ(ignored.info.kind, AnswerKind::relay_set) << to_hex(bad);
    EXPECT_EQ(ignored.info.rcode, rcode::noerror);
    EXPECT_EQ(answer_rdata(ignored), kViewB);
    expect_no_ecs_echo(ignored);
  }
}

TEST_F(ResponderViewsTest, MalformedEcsIsFormerr) {
  const Bytes good = ecs_option(1, 24, 0, {192, 0, 2});
  const Bytes cases[] = {
      ecs_option(0, 0, 0, {}),                             // family 0
      ecs_option(3, 8, 0, {10}),                           // family 3
      ecs_option(1, 33, 0, {10, 0, 0, 0, 0}),              // IPv4 source beyond 32
      ecs_option(2, 129, 0, Bytes(17, 0)),                 // IPv6 source beyond 128
      ecs_option(1, 24, 24, {192, 0, 2}),                  // scope set in a query
      ecs_option(1, 24, 0, {192, 0, 2, 0}),                // address too long
      ecs_option(1, 24, 0, {192, 0}),                      // address too short
      ecs_option(1, 0, 0, {0}),                            // an address with source 0
      ecs_option(1, 23, 0, {192, 0, 3}),                   // a bit beyond /23
      ecs_option(2, 33, 0, from_hex("20010db8c0")),        // a bit beyond /33
      ecs_option(1, 32, 0, {192, 0, 2}),                   // /32 in three octets
      from_hex("0008 0003 000118"),                        // shorter than its fixed part
      from_hex("0008 0000"),                               // empty
      join({good, ecs_option(1, 24, 0, {192, 0, 2, 1})}),  // one good, one bad
      join({ecs_option(1, 8, 24, {10}), good}),            // one bad, one good
  };
  for (const Bytes& options : cases) {
    SCOPED_TRACE(to_hex(options));
    const Reply reply = ask(query_with(kRfc8777Name, options), client("192.0.2.1"));
    EXPECT_EQ(reply.info.kind, AnswerKind::error);
    EXPECT_EQ(reply.info.rcode, rcode::formerr);
    ASSERT_NE(reply.packet, nullptr);
    EXPECT_EQ(ldns_pkt_get_rcode(reply.packet.get()), LDNS_RCODE_FORMERR);
    EXPECT_EQ(ldns_pkt_qdcount(reply.packet.get()), 1);
    EXPECT_EQ(ldns_pkt_ancount(reply.packet.get()), 0);
    expect_no_ecs_echo(reply);
  }
}

TEST_F(ResponderViewsTest, BadversComesBeforeEcs) {
  // A version 1 OPT's options are not ours to read: BADVERS, nothing echoed.
  const Bytes query =
      make_query(kRfc8777Name, rr_type::amtrelay,
                 {.edns = Edns{.version = 1, .options = ecs_option(3, 8, 8, {10})}});
  const Reply reply = ask(query, client("192.0.2.1"));
  EXPECT_EQ(reply.info.rcode, rcode::badvers);
  expect_no_ecs_echo(reply, 1);
}

TEST_F(ResponderViewsTest, OptionRunningPastTheOptRdataIsFormerrWhateverEcsSays) {
  // The ECS option claims 8 octets of data; the RDATA holds 7 after its header.
  const Bytes options = from_hex("0008 0008 0001 18 00 c00002");
  for (const zones::Snapshot* snapshot : {snapshot_.get(), ecs_off_.get()}) {
    const Reply reply = dns::ask(snapshot, query_with(kRfc8777Name, options), {});
    EXPECT_EQ(reply.info.rcode, rcode::formerr);
    ASSERT_NE(reply.packet, nullptr);
    EXPECT_EQ(ldns_pkt_get_rcode(reply.packet.get()), LDNS_RCODE_FORMERR);
    EXPECT_EQ(ldns_pkt_ancount(reply.packet.get()), 0);
  }
}

TEST_F(ResponderViewsTest, UnavailableGroupIsServfail) {
  // The pending row is unavailable for everyone: with EDNS, the OPT stays.
  for (const ClientAddress& from : {ClientAddress{}, client("192.0.2.1"), client("10.1.0.1")}) {
    const Reply plain = ask(make_query(kPendingName, rr_type::amtrelay), from);
    expect_servfail(plain);
    EXPECT_FALSE(plain.packet && ldns_pkt_edns(plain.packet.get()));
    const Reply any = ask(make_query(kPendingName, rr_type::any), from);
    expect_servfail(any);
  }
  const Reply with_ecs =
      ask(query_with(kPendingName, ecs_option(1, 24, 0, {192, 0, 2})), client("192.0.2.1"));
  expect_servfail(with_ecs);
  expect_ecs_echo(with_ecs, 1, 24, 0, "c00002");  // the same for every client: scope 0

  // The west row sends view B to the pending group: SERVFAIL only there.
  const Reply in_b =
      ask(query_with(kWestName, ecs_option(1, 25, 0, {192, 0, 2, 128})), client("192.0.2.1"));
  expect_servfail(in_b);
  expect_ecs_echo(in_b, 1, 25, 25, "c0000280");
  expect_servfail(ask(make_query(kWestName, rr_type::amtrelay), client("10.1.2.3")));
  EXPECT_EQ(relays_for(kWestName, client("10.2.2.3")), kWest);

  // Other names in the zone are unaffected.
  const Reply nodata = ask(make_query("104.51.198.in-addr.arpa.", rr_type::amtrelay));
  EXPECT_EQ(nodata.info.kind, AnswerKind::nodata);
}

TEST_F(ResponderViewsTest, UdpSizeLimitCountsTheEcsOption) {
  // The medium answer (~950 octets) with a 22-octet OPT (11 + 8 + 3): find its
  // exact size over TCP, then ask over UDP with a payload one short of it.
  const Bytes ecs = ecs_option(1, 24, 0, {192, 0, 2});
  const Reply full = ask(query_with(kMediumName, ecs), {}, Transport::tcp);
  ASSERT_FALSE(full.info.truncated);
  const std::size_t size = full.wire.size();
  ASSERT_GT(size, 512U);
  ASSERT_LT(size, 1232U);
  expect_ecs_echo(full, 1, 24, 0, "c00002");

  const auto payload = static_cast<std::uint16_t>(size);
  const Reply fits = ask(query_with(kMediumName, ecs, rr_type::amtrelay, payload));
  EXPECT_FALSE(fits.info.truncated);
  EXPECT_EQ(fits.wire, full.wire);

  const Reply cut = ask(query_with(kMediumName, ecs, rr_type::amtrelay, payload - 1));
  EXPECT_TRUE(cut.info.truncated);
  EXPECT_LE(cut.wire.size(), size - 1);
  ASSERT_NE(cut.packet, nullptr);
  EXPECT_TRUE(ldns_pkt_tc(cut.packet.get()));
  EXPECT_EQ(ldns_pkt_ancount(cut.packet.get()), 0);
  EXPECT_EQ(ldns_pkt_edns_udp_size(cut.packet.get()), 1232);
  // The echo stays in the truncated reply (the OPT must be in every reply).
  expect_ecs_echo(cut, 1, 24, 0, "c00002");

  // Without the echo (ECS off), 11 octets fewer fit the same payload.
  const Reply off =
      dns::ask(ecs_off_.get(), query_with(kMediumName, ecs, rr_type::amtrelay, payload - 1), {});
  EXPECT_FALSE(off.info.truncated);
  EXPECT_EQ(off.wire.size(), size - 11);
  expect_no_ecs_echo(off);

  // An IPv6 /128 echo is the longest OPT: 11 + 8 + 16 octets.
  const Bytes v6 = ecs_option(2, 128, 0, from_hex("20010db8000000000000000000000001"));
  const Reply v6_full = ask(query_with(kMediumName, v6), {}, Transport::tcp);
  EXPECT_EQ(v6_full.wire.size(), size + 13);
  const Reply v6_cut = ask(query_with(kMediumName, v6, rr_type::amtrelay, payload));
  EXPECT_TRUE(v6_cut.info.truncated);
  expect_ecs_echo(v6_cut, 2, 128, 0, "20010db8000000000000000000000001");
}

TEST_F(ResponderViewsTest, MutatedEcsQueriesGetNoAnswerOrAWellFormedOne) {
  // Bit flips, cuts and extensions of queries with ECS options: nothing is read
  // or written out of bounds (run under ASan) and every reply parses.
  const Bytes seeds[] = {
      query_with(kRfc8777Name, ecs_option(1, 25, 0, {192, 0, 2, 128})),
      query_with(kWestName,
                 join({ecs_option(2, 48, 0, from_hex("20010db8bbbb")), ecs_option(1, 0, 0, {})})),
      query_with(kMediumName, ecs_option(2, 128, 0, Bytes(16, 0x20)), rr_type::amtrelay, 960),
  };
  std::uint32_t state = 7871;
  auto next = [&state] {
    state = state * 1103515245U + 12345U;
    return state >> 8;
  };
  int answered = 0;
  for (int round = 0; round < 3000; ++round) {
    Bytes query = seeds[static_cast<std::size_t>(round) % std::size(seeds)];
    switch (next() % 3) {
      case 0:
        for (unsigned flips = 1 + next() % 4; flips > 0; --flips)
          query[next() % query.size()] ^= static_cast<std::uint8_t>(1U << (next() % 8));
        break;
      case 1:
        query.resize(next() % query.size());
        break;
      default:
        for (unsigned extra = 1 + next() % 16; extra > 0; --extra)
          query.push_back(static_cast<std::uint8_t>(next()));
        break;
    }
    Bytes out(1232);
    const ResponseInfo info = respond(snapshot_.get(), query, out, Transport::udp,
                                      client(round % 2 == 0 ? "192.0.2.1" : "2001:db8:bbbb::1"));
    ASSERT_LE(info.size, out.size());
    if (info.size == 0) continue;
    ++answered;
    const Bytes wire(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(info.size));
    ASSERT_NE(test::ldns_parse(wire), nullptr) << "query " << to_hex(query);
  }
  EXPECT_GT(answered, 1000);
}

TEST(ResponderViewsAddressZone, ApexOfAOneAddressZoneFollowsTheViews) {
  zones::SnapshotSpec spec = test::test_views_spec();
  spec.zones = {{test::wire("12.100.51.198.in-addr.arpa."),
                 test::prefix("198.51.100.12/32"),
                 test::test_soa(30),
                 {test::wire("ns1.driad.example.")},
                 3600}};
  spec.sources = {{test::prefix("198.51.100.12/32"), test::kGroupRfc8777}};
  const auto snapshot = zones::Snapshot::build(spec);
  ASSERT_TRUE(snapshot) << snapshot.error();
  const Reply reply =
      ask(snapshot->get(), query_with(kRfc8777Name, ecs_option(1, 25, 0, {192, 0, 2, 128})), {});
  EXPECT_EQ(reply.info.kind, AnswerKind::relay_set);
  EXPECT_EQ(answer_rdata(reply), kViewB);
  expect_ecs_echo(reply, 1, 25, 25, "c0000280");
  // The SOA at that apex does not depend on the client.
  const Reply soa =
      ask(snapshot->get(),
          query_with(kRfc8777Name, ecs_option(1, 25, 0, {192, 0, 2, 128}), rr_type::soa), {});
  EXPECT_EQ(soa.info.kind, AnswerKind::apex);
  expect_ecs_echo(soa, 1, 25, 0, "c0000280");
}

}  // namespace
}  // namespace driad::dns
