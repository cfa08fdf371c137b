// Response rate limiting with a fake clock: the rate and the burst, slip every
// Nth limited response, prefixes grouped for IPv4 and IPv6, the table's
// eviction; truncate_response() on real responses (read again by ldns); the
// amplification cap; the per-client TCP connection count.
#include <arpa/inet.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "dns/client_connections.hpp"
#include "dns/message.hpp"
#include "dns/responder.hpp"
#include "dns/rrl.hpp"
#include "tests/dns/dns_test_support.hpp"
#include "tests/dns/ldns_support.hpp"
#include "tests/dns/test_snapshot.hpp"

namespace driad::dns {
namespace {

using test::Bytes;

constexpr std::uint64_t kMs = 1'000'000;  // ns
constexpr std::uint64_t kSecond = 1000 * kMs;
constexpr std::uint64_t kStart = 1000 * kSecond;  // an arbitrary monotonic time
constexpr std::uint64_t kSeed = 42;

ClientAddress v4(const char* text) {
  in_addr address{};
  EXPECT_EQ(inet_pton(AF_INET, text, &address), 1) << text;
  return {true, zones::Family::ipv4, zones::Bits128{ntohl(address.s_addr)}};
}

ClientAddress v6(const char* text) {
  std::uint8_t octets[16] = {};
  EXPECT_EQ(inet_pton(AF_INET6, text, octets), 1) << text;
  ClientAddress client{true, zones::Family::ipv6, 0};
  for (const std::uint8_t octet : octets) client.address = client.address << 8 | octet;
  return client;
}

RrlOptions options(std::uint32_t rate, std::uint32_t slip = 0, std::uint32_t window_s = 1) {
  RrlOptions out;
  out.responses_per_second = rate;
  out.slip = slip;
  out.window_s = window_s;
  return out;
}

// How many of `count` responses to `client` at `now` are sent (not limited).
int sent_of(RateLimiter& limiter, const ClientAddress& client, std::uint64_t now, int count) {
  int sent = 0;
  for (int i = 0; i < count; ++i) sent += limiter.check(client, now) == RrlVerdict::send;
  return sent;
}

TEST(RateLimiterTest, ABurstOfTheRateThenOneResponsePerInterval) {
  RateLimiter limiter(options(10), RateLimiter::kDefaultSlots, kSeed);
  const ClientAddress client = v4("192.0.2.1");
  EXPECT_EQ(sent_of(limiter, client, kStart, 25), 10);
  // 10/s: one token every 100 ms, none before.
  EXPECT_EQ(sent_of(limiter, client, kStart + 99 * kMs, 5), 0);
  EXPECT_EQ(sent_of(limiter, client, kStart + 100 * kMs, 5), 1);
  EXPECT_EQ(sent_of(limiter, client, kStart + 350 * kMs, 5), 2);  // the 200 and 300 ms tokens
  // A client that keeps to the rate is always answered.
  for (std::uint64_t t = 400; t < 5000; t += 100)
    EXPECT_EQ(sent_of(limiter, client, kStart + t * kMs, 1), 1) << t;
  // After a quiet second the whole burst is back, and no more.
  EXPECT_EQ(sent_of(limiter, client, kStart + 7 * kSecond, 25), 10);
}

TEST(RateLimiterTest, TheWindowSetsTheBurst) {
  RateLimiter limiter(options(10, 0, 3), RateLimiter::kDefaultSlots, kSeed);
  const ClientAddress client = v4("192.0.2.1");
  EXPECT_EQ(sent_of(limiter, client, kStart, 100), 30);
  EXPECT_EQ(sent_of(limiter, client, kStart + 1 * kSecond, 100), 10);  // the rate is still 10/s
}

TEST(RateLimiterTest, LimitedResponsesTakeNoToken) {
  // A flood does not push the bucket further into debt: the next token
  // comes one interval after the last sent response, however many were limited.
  RateLimiter limiter(options(1), RateLimiter::kDefaultSlots, kSeed);
  const ClientAddress client = v4("192.0.2.1");
  EXPECT_EQ(sent_of(limiter, client, kStart, 1), 1);
  EXPECT_EQ(sent_of(limiter, client, kStart + 500 * kMs, 10000), 0);
  EXPECT_EQ(sent_of(limiter, client, kStart + 1 * kSecond, 1), 1);
}

TEST(RateLimiterTest, SlipSendsEveryNthLimitedResponseTruncated) {
  for (const std::uint32_t slip : {0U, 1U, 2U, 3U}) {
    RateLimiter limiter(options(5, slip), RateLimiter::kDefaultSlots, kSeed);
    const ClientAddress client = v6("2001:db8::1");
    std::vector<RrlVerdict> verdicts;
    for (int i = 0; i < 11; ++i) verdicts.push_back(limiter.check(client, kStart));
    int sent = 0;
    int slipped = 0;
    int dropped = 0;
    for (std::size_t i = 0; i < verdicts.size(); ++i) {
      sent += verdicts[i] == RrlVerdict::send;
      slipped += verdicts[i] == RrlVerdict::slip;
      dropped += verdicts[i] == RrlVerdict::drop;
      if (i < 5) continue;
      // The 6th response is the first limited one: with slip N, limited
      // responses N, 2N, ... go out truncated.
      const std::size_t limited = i - 4;
      const RrlVerdict expected =
          slip != 0 && limited % slip == 0 ? RrlVerdict::slip : RrlVerdict::drop;
      EXPECT_EQ(verdicts[i], expected) << "slip " << slip << ", limited response " << limited;
    }
    EXPECT_EQ(sent, 5) << "slip " << slip;
    EXPECT_EQ(slipped + dropped, 6) << "slip " << slip;
  }
}

TEST(RateLimiterTest, Ipv4ClientsShareTheirPrefixBucket) {
  RateLimiter limiter(options(4), RateLimiter::kDefaultSlots, kSeed);
  EXPECT_EQ(sent_of(limiter, v4("198.51.100.1"), kStart, 2), 2);
  EXPECT_EQ(sent_of(limiter, v4("198.51.100.254"), kStart, 5), 2);  // same /24: what is left
  EXPECT_EQ(sent_of(limiter, v4("198.51.101.1"), kStart, 5), 4);    // the next /24: its own

  RrlOptions hosts = options(4);
  hosts.ipv4_prefix = 32;
  RateLimiter per_host(hosts, RateLimiter::kDefaultSlots, kSeed);
  EXPECT_EQ(sent_of(per_host, v4("198.51.100.1"), kStart, 5), 4);
  EXPECT_EQ(sent_of(per_host, v4("198.51.100.2"), kStart, 5), 4);
}

TEST(RateLimiterTest, Ipv6ClientsShareTheirPrefixBucket) {
  RateLimiter limiter(options(4), RateLimiter::kDefaultSlots, kSeed);
  // /56: 2001:db8:0:ab00::/56 holds ab00-abff in the fourth group.
  EXPECT_EQ(sent_of(limiter, v6("2001:db8:0:ab00::1"), kStart, 3), 3);
  EXPECT_EQ(sent_of(limiter, v6("2001:db8:0:abff:ffff::9"), kStart, 5), 1);
  EXPECT_EQ(sent_of(limiter, v6("2001:db8:0:ac00::1"), kStart, 5), 4);
  // The same bits as an IPv4 address are another family: another bucket.
  EXPECT_EQ(sent_of(limiter, v4("0.0.0.0"), kStart, 5), 4);
  EXPECT_EQ(sent_of(limiter, v6("::"), kStart, 5), 4);

  RrlOptions wide = options(4);
  wide.ipv6_prefix = 48;
  RateLimiter per_48(wide, RateLimiter::kDefaultSlots, kSeed);
  EXPECT_EQ(sent_of(per_48, v6("2001:db8:0:ab00::1"), kStart, 3), 3);
  EXPECT_EQ(sent_of(per_48, v6("2001:db8:0:ff00::1"), kStart, 5), 1);
}

TEST(RateLimiterTest, PrefixesAreCutToTheConfiguredLength) {
  EXPECT_EQ(rrl_prefix(v4("198.51.100.77"), 24, 56), rrl_prefix(v4("198.51.100.0"), 24, 56));
  EXPECT_EQ(rrl_prefix(v4("198.51.100.77"), 24, 56).bits, zones::Bits128{0xc6336400U});
  EXPECT_EQ(rrl_prefix(v4("198.51.100.77"), 8, 56).bits, zones::Bits128{0xc6000000U});
  EXPECT_EQ(rrl_prefix(v6("2001:db8:1:23ff::1"), 24, 56),
            rrl_prefix(v6("2001:db8:1:2300::"), 24, 56));
  EXPECT_EQ(rrl_prefix(v6("2001:db8::1"), 24, 128), rrl_prefix(v6("2001:db8::1"), 24, 128));
  EXPECT_FALSE(rrl_prefix(v6("2001:db8::1"), 24, 128) == rrl_prefix(v6("2001:db8::2"), 24, 128));
  EXPECT_EQ(rrl_prefix(ClientAddress{}, 24, 56), RrlPrefix{});  // no peer address: one key
}

TEST(RateLimiterTest, EvictsTheBucketLeastInDebt) {
  // One set of four slots; 1 response/s, burst 1.
  RateLimiter limiter(options(1), 4, kSeed);
  ASSERT_EQ(limiter.slots(), 4U);
  const ClientAddress a = v4("192.0.2.1");
  const ClientAddress b = v4("192.0.3.1");
  const ClientAddress c = v4("192.0.4.1");
  const ClientAddress d = v4("192.0.5.1");
  EXPECT_EQ(sent_of(limiter, a, kStart, 2), 1);  // due again at 1.0 s
  EXPECT_EQ(sent_of(limiter, b, kStart, 1), 1);
  EXPECT_EQ(sent_of(limiter, c, kStart, 1), 1);
  EXPECT_EQ(sent_of(limiter, d, kStart + 900 * kMs, 1), 1);  // due again at 1.9 s
  // At 1.5 s three new prefixes take the slots of a, b and c, whose buckets
  // are full again (nothing is lost); d, still in debt, keeps its slot.
  const std::uint64_t t = kStart + 1500 * kMs;
  EXPECT_EQ(sent_of(limiter, v4("10.0.0.1"), t, 1), 1);
  EXPECT_EQ(sent_of(limiter, v4("10.0.1.1"), t, 1), 1);
  EXPECT_EQ(sent_of(limiter, v4("10.0.2.1"), t, 1), 1);
  EXPECT_EQ(sent_of(limiter, d, t, 1), 0);
  // Under more pressure the least indebted slot goes, d's (due 1.9 s, the
  // others 2.5 s): d starts again with a full bucket.
  EXPECT_EQ(sent_of(limiter, v4("10.0.3.1"), t, 1), 1);
  EXPECT_EQ(sent_of(limiter, d, t, 2), 1);
}

TEST(RateLimiterTest, ManyPrefixesInTheDefaultTable) {
  // 20,000 prefixes each send their burst; the first ones are still limited
  // (their slots survived), as a flood from many /24s finds them.
  RateLimiter limiter(options(2), RateLimiter::kDefaultSlots, kSeed);
  for (std::uint32_t i = 0; i < 20'000; ++i) {
    const ClientAddress client{true, zones::Family::ipv4, zones::Bits128{0x0a000000U + (i << 8)}};
    ASSERT_EQ(sent_of(limiter, client, kStart, 3), 2) << i;
  }
  int limited = 0;
  for (std::uint32_t i = 0; i < 100; ++i) {
    const ClientAddress client{true, zones::Family::ipv4, zones::Bits128{0x0a000000U + (i << 8)}};
    limited += sent_of(limiter, client, kStart + 10 * kMs, 1) == 0;
  }
  EXPECT_GE(limited, 97);  // ~1% share a set with four later prefixes
}

TEST(RateLimiterTest, AmplificationCap) {
  RrlOptions capped = options(10);
  capped.max_amplification = 3;
  const RateLimiter limiter(capped, 4, kSeed);
  EXPECT_FALSE(limiter.too_large(40, 120));
  EXPECT_TRUE(limiter.too_large(40, 121));
  capped.max_amplification = 0;
  const RateLimiter uncapped(capped, 4, kSeed);
  EXPECT_FALSE(uncapped.too_large(20, 4096));
}

class TruncateTest : public testing::Test {
 protected:
  void SetUp() override {
    auto built = zones::Snapshot::build(test::test_views_spec());
    ASSERT_TRUE(built) << built.error();
    snapshot_ = *built;
  }

  Bytes answer(const Bytes& query) {
    Bytes out(65535);
    const ResponseInfo info = respond(snapshot_.get(), query, out, Transport::udp);
    out.resize(info.size);
    return out;
  }

  std::shared_ptr<const zones::Snapshot> snapshot_;
};

TEST_F(TruncateTest, KeepsHeaderQuestionAndOpt) {
  // A relay set with an ECS option echoed: the OPT (and the echo) stay.
  const Bytes ecs = test::ecs_option(1, 24, 0, {192, 0, 2});
  const Bytes query = test::make_query("12.100.51.198.in-addr.arpa.", 260,
                                       {.id = 0x4242,
                                        .recursion_desired = true,
                                        .edns = test::Edns{.payload = 4096, .options = ecs}});
  Bytes response = answer(query);
  ASSERT_GT(response.size(), kHeaderSize);
  ASSERT_EQ(read16(&response[6]), 1);                              // view A's one relay
  const Bytes opt_tail(response.end() - 11 - 11, response.end());  // OPT with a 7-octet ECS

  response.resize(truncate_response(response, response.size()));
  const std::size_t question = query.size() - 11 - ecs.size() - kHeaderSize;
  ASSERT_EQ(response.size(), kHeaderSize + question + 11 + 11);
  EXPECT_EQ(Bytes(response.begin() + kHeaderSize, response.begin() + kHeaderSize + question),
            Bytes(query.begin() + kHeaderSize, query.begin() + kHeaderSize + question));
  EXPECT_EQ(Bytes(response.end() - 22, response.end()), opt_tail);
  const test::LdnsPacket packet = test::ldns_parse(response);
  ASSERT_TRUE(packet);
  EXPECT_EQ(ldns_pkt_id(packet.get()), 0x4242);
  EXPECT_TRUE(ldns_pkt_tc(packet.get()));
  EXPECT_TRUE(ldns_pkt_aa(packet.get()));
  EXPECT_TRUE(ldns_pkt_rd(packet.get()));
  EXPECT_EQ(ldns_pkt_ancount(packet.get()), 0);
  EXPECT_EQ(ldns_pkt_nscount(packet.get()), 0);
  EXPECT_EQ(ldns_pkt_edns_udp_size(packet.get()), 1232);
}

TEST_F(TruncateTest, NegativeAnswerWithoutEdns) {
  // NXDOMAIN with the SOA (its owner compressed) in authority, no OPT.
  const Bytes query = test::make_query("7.51.198.in-addr.arpa.", 260);
  Bytes response = answer(query);
  ASSERT_GT(response.size(), query.size());
  response.resize(truncate_response(response, response.size()));
  ASSERT_EQ(response.size(), query.size());
  const test::LdnsPacket packet = test::ldns_parse(response);
  ASSERT_TRUE(packet);
  EXPECT_TRUE(ldns_pkt_tc(packet.get()));
  EXPECT_EQ(ldns_pkt_get_rcode(packet.get()), LDNS_RCODE_NXDOMAIN);
  EXPECT_EQ(ldns_pkt_qdcount(packet.get()), 1);
  EXPECT_EQ(ldns_pkt_nscount(packet.get()), 0);
  EXPECT_EQ(ldns_pkt_arcount(packet.get()), 0);
}

TEST_F(TruncateTest, UnreadableResponsesAreCutToTheHeader) {
  Bytes header_only = test::from_hex("abcd 8400 0000 0001 0000 0000");  // AN 1, nothing there
  EXPECT_EQ(truncate_response(header_only, header_only.size()), kHeaderSize);
  EXPECT_EQ(test::to_hex(header_only), "abcd86000000000000000000");
  Bytes short_question = test::from_hex("abcd 8400 0001 0000 0000 0000 03 61 62");
  EXPECT_EQ(truncate_response(short_question, short_question.size()), kHeaderSize);
  EXPECT_EQ(short_question[5], 0);  // QDCOUNT 0: the question could not be kept
  Bytes tiny = test::from_hex("abcd 84");
  EXPECT_EQ(truncate_response(tiny, tiny.size()), 3U);  // not even a header: left alone
}

TEST(ClientConnectionsTest, CountsEachAddressUpToTheLimit) {
  ClientConnections count(3, kSeed);
  const ClientAddress a = v4("127.0.0.2");
  const ClientAddress b = v6("::1");
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(count.acquire(a)) << i;
  EXPECT_FALSE(count.acquire(a));
  EXPECT_FALSE(count.acquire(a));  // a refusal takes nothing
  EXPECT_TRUE(count.acquire(b));
  count.release(a);
  EXPECT_TRUE(count.acquire(a));
  EXPECT_FALSE(count.acquire(a));
  for (int i = 0; i < 3; ++i) count.release(a);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(count.acquire(a)) << i;
}

TEST(ClientConnectionsTest, FullAddressesDoNotCrowdOthersOut) {
  // The default caps: 64 addresses with 16 connections each fill the 1024.
  // Thousands of other addresses still get in: a refusal needs both of an
  // address's counters shared with full ones.
  ClientConnections count(16, kSeed);
  for (std::uint32_t i = 0; i < 64; ++i) {
    const ClientAddress client{true, zones::Family::ipv4, zones::Bits128{0x0a000000U + i}};
    for (int n = 0; n < 16; ++n) ASSERT_TRUE(count.acquire(client)) << i;
    ASSERT_FALSE(count.acquire(client)) << i;
  }
  int refused = 0;
  for (std::uint32_t i = 0; i < 20'000; ++i) {
    const ClientAddress client{true, zones::Family::ipv6, zones::Bits128{0x20010db8U} << 96 | i};
    refused += !count.acquire(client);
  }
  EXPECT_LE(refused, 2);
}

TEST(ClientConnectionsTest, ZeroMeansNoLimit) {
  ClientConnections count(0);
  for (int i = 0; i < 100'000; ++i) ASSERT_TRUE(count.acquire(v4("127.0.0.2")));
  count.release(v4("127.0.0.2"));
}

}  // namespace
}  // namespace driad::dns
