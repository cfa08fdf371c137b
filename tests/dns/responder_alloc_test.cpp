// The hot path allocates nothing: this binary replaces the global operator
// new/delete with counting versions and checks that dns::respond() makes no
// allocation for a relay-set answer, an NXDOMAIN and a FORMERR, nor for answers
// chosen by client views and EDNS Client Subnet; nor do rate limiting and
// truncation (rrl.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "dns/responder.hpp"
#include "dns/rrl.hpp"
#include "tests/dns/dns_test_support.hpp"
#include "tests/dns/test_snapshot.hpp"

namespace {

std::atomic<std::size_t> g_allocations{0};

void* counted_alloc(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

void* counted_aligned_alloc(std::size_t size, std::align_val_t align) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  const auto alignment = static_cast<std::size_t>(align);
  const std::size_t rounded = (size + alignment - 1) / alignment * alignment;
  if (void* p = std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded)) return p;
  throw std::bad_alloc();
}

}  // namespace

// Replacements of the global allocation functions, for this test binary only.
void* operator new(std::size_t size) {
  return counted_alloc(size);
}
void* operator new[](std::size_t size) {
  return counted_alloc(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new(std::size_t size, std::align_val_t align) {
  return counted_aligned_alloc(size, align);
}
void* operator new[](std::size_t size, std::align_val_t align) {
  return counted_aligned_alloc(size, align);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}

namespace driad::dns {
namespace {

using test::Bytes;

class ResponderAllocationTest : public testing::Test {
 protected:
  void SetUp() override {
    auto built = zones::Snapshot::build(test::test_spec());
    ASSERT_TRUE(built) << built.error();
    snapshot_ = *built;
    out_.assign(65535, 0);
  }

  // Allocations made by one respond() call; every input is prepared before.
  std::size_t allocations_of(const Bytes& query, ResponseInfo& info,
                             Transport transport = Transport::udp) {
    const std::size_t before = g_allocations.load();
    info = respond(snapshot_.get(), query, out_, transport);
    return g_allocations.load() - before;
  }

  std::shared_ptr<const zones::Snapshot> snapshot_;
  Bytes out_;
};

class ResponderViewsAllocationTest : public ResponderAllocationTest {
 protected:
  void SetUp() override {
    ResponderAllocationTest::SetUp();
    auto built = zones::Snapshot::build(test::test_views_spec());
    ASSERT_TRUE(built) << built.error();
    snapshot_ = *built;
    // 192.0.2.1: in view A.
    resolver_ = {true, zones::Family::ipv4, zones::Bits128{0xc0000201U}};
  }

  std::size_t allocations_of(const Bytes& query, ResponseInfo& info,
                             Transport transport = Transport::udp) {
    const std::size_t before = g_allocations.load();
    info = respond(snapshot_.get(), query, out_, transport, resolver_);
    return g_allocations.load() - before;
  }

  static Bytes ecs_query(const std::string& name, const Bytes& options) {
    return test::make_query(name, 260, {.edns = test::Edns{.payload = 4096, .options = options}});
  }

  ClientAddress resolver_;
};

TEST_F(ResponderAllocationTest, CountingAllocatorSeesAllocations) {
  // The counter works: otherwise the zero counts below would prove nothing.
  const std::size_t before = g_allocations.load();
  int* volatile allocated = new int(7);  // volatile: the compiler may not elide it
  const std::size_t after = g_allocations.load();
  delete allocated;
  EXPECT_EQ(after - before, 1U);
}

TEST_F(ResponderAllocationTest, RelaySetAnswerAllocatesNothing) {
  const Bytes query =
      test::make_query("12.100.51.198.in-addr.arpa.", 260, {.edns = test::Edns{.payload = 4096}});
  ResponseInfo info;
  EXPECT_EQ(allocations_of(query, info), 0U);
  EXPECT_EQ(info.kind, AnswerKind::relay_set);
  EXPECT_GT(info.size, 100U);
}

TEST_F(ResponderAllocationTest, Ipv6RelaySetOverTcpAllocatesNothing) {
  const Bytes query = test::make_query(test::ip6_reverse_text("2001:db8:ff00::1"), 260);
  ResponseInfo info;
  EXPECT_EQ(allocations_of(query, info, Transport::tcp), 0U);
  EXPECT_EQ(info.kind, AnswerKind::relay_set);
}

TEST_F(ResponderAllocationTest, NxdomainAllocatesNothing) {
  const Bytes query = test::make_query("7.51.198.in-addr.arpa.", 260);
  ResponseInfo info;
  EXPECT_EQ(allocations_of(query, info), 0U);
  EXPECT_EQ(info.kind, AnswerKind::nxdomain);
}

TEST_F(ResponderAllocationTest, FormerrAllocatesNothing) {
  Bytes query = test::make_query("12.100.51.198.in-addr.arpa.", 260);
  query[7] = 1;  // ANCOUNT 1
  ResponseInfo info;
  EXPECT_EQ(allocations_of(query, info), 0U);
  EXPECT_EQ(info.kind, AnswerKind::error);
  EXPECT_EQ(info.rcode, 1);
}

TEST_F(ResponderAllocationTest, TruncatedAnswerAllocatesNothing) {
  const Bytes query = test::make_query("1.103.51.198.in-addr.arpa.", 260);
  ResponseInfo info;
  EXPECT_EQ(allocations_of(query, info), 0U);
  EXPECT_TRUE(info.truncated);
}

TEST_F(ResponderAllocationTest, RateLimitingAndTruncationAllocateNothing) {
  RateLimiter limiter(RrlOptions{}, 1024, 7);  // the table is allocated here, before counting
  const Bytes query = test::make_query("12.100.51.198.in-addr.arpa.", 260);
  ResponseInfo info;
  ASSERT_EQ(allocations_of(query, info), 0U);
  const std::size_t before = g_allocations.load();
  int sent = 0;
  for (std::uint32_t i = 0; i < 5000; ++i) {
    const ClientAddress client{true, zones::Family::ipv4, zones::Bits128{i} << 4};
    sent += limiter.check(client, 1'000'000'000ULL + i) == RrlVerdict::send;
  }
  const std::size_t size = truncate_response(out_, info.size);
  EXPECT_EQ(g_allocations.load() - before, 0U);
  EXPECT_GT(sent, 0);
  EXPECT_EQ(size, query.size());
}

TEST_F(ResponderViewsAllocationTest, EcsViewAnswerAllocatesNothing) {
  // Two ECS options (the longer, view B, wins), echoed with scope 25.
  Bytes options = test::ecs_option(1, 24, 0, {192, 0, 2});
  const Bytes longer = test::ecs_option(1, 25, 0, {192, 0, 2, 128});
  options.insert(options.end(), longer.begin(), longer.end());
  const Bytes query = ecs_query("12.100.51.198.in-addr.arpa.", options);
  ResponseInfo info;
  EXPECT_EQ(allocations_of(query, info), 0U);
  EXPECT_EQ(info.kind, AnswerKind::relay_set);
  // The answer is view B's one relay (192.0.2.2), then the OPT with the echo.
  const Bytes relay = test::from_hex("0a01c0000202");
  EXPECT_TRUE(std::search(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(info.size),
                          relay.begin(),
                          relay.end()) != out_.begin() + static_cast<std::ptrdiff_t>(info.size));
  EXPECT_EQ(test::to_hex({out_.data() + info.size - 12, 12}),
            "000800080001"
            "1919c0000280");
}

TEST_F(ResponderViewsAllocationTest, ResolverViewOverTcpAllocatesNothing) {
  const Bytes query = test::make_query(test::ip6_reverse_text("2001:db8:ff00::1"), 260);
  ResponseInfo info;
  EXPECT_EQ(allocations_of(query, info, Transport::tcp), 0U);
  EXPECT_EQ(info.kind, AnswerKind::relay_set);
}

TEST_F(ResponderViewsAllocationTest, MalformedEcsAndServfailAllocateNothing) {
  ResponseInfo info;
  EXPECT_EQ(
      allocations_of(
          ecs_query("12.100.51.198.in-addr.arpa.", test::ecs_option(1, 24, 24, {192, 0, 2})), info),
      0U);
  EXPECT_EQ(info.rcode, 1);
  EXPECT_EQ(allocations_of(ecs_query("1.104.51.198.in-addr.arpa.",
                                     test::ecs_option(2, 48, 0, test::from_hex("20010db8bbbb"))),
                           info),
            0U);
  EXPECT_EQ(info.rcode, 2);
}

TEST_F(ResponderViewsAllocationTest, TruncatedEcsAnswerAllocatesNothing) {
  const Bytes query = test::make_query(
      "1.103.51.198.in-addr.arpa.", 260,
      {.edns = test::Edns{.payload = 1232, .options = test::ecs_option(1, 24, 0, {10, 1, 2})}});
  ResponseInfo info;
  EXPECT_EQ(allocations_of(query, info), 0U);
  EXPECT_TRUE(info.truncated);
}

}  // namespace
}  // namespace driad::dns
