// The hot path allocates nothing: this binary replaces the global operator
// new/delete with counting versions and checks that dns::respond() makes no
// allocation for a relay-set answer, an NXDOMAIN and a FORMERR.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "dns/responder.hpp"
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

}  // namespace
}  // namespace driad::dns
