// SourceList: copies share one storage and one table, a change to a shared
// list copies it first (the copy keeps what it had), the table and the
// fingerprint are derived once, and check_inside() remembers its zones.
#include "zones/source_list.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace driad::zones {
namespace {

Prefix p(const char* text) {
  auto parsed = parse_prefix(text);
  EXPECT_TRUE(parsed) << text;
  return parsed ? *parsed : Prefix{};
}

SourceList two_sources() {
  return {{p("198.51.100.0/24"), 0}, {p("2001:db8:ff00::/40"), 1}};
}

std::uint32_t at(const PrefixTable& table, const char* address) {
  const Prefix a = p(address);
  return table.lookup(a.family, a.address);
}

TEST(SourceList, ReadsLikeAVector) {
  const SourceList list = two_sources();
  ASSERT_EQ(list.size(), 2U);
  EXPECT_FALSE(list.empty());
  EXPECT_EQ(list[1].prefix, p("2001:db8:ff00::/40"));
  EXPECT_EQ(list[1].group, 1U);
  std::vector<SourceSpec> seen(list.begin(), list.end());
  EXPECT_EQ(seen.size(), 2U);
  EXPECT_EQ(list.group_bound(), 2U);
}

TEST(SourceList, EmptyListHasAnEmptyTable) {
  const SourceList list;
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.begin(), list.end());
  EXPECT_EQ(list.group_bound(), 0U);
  const auto table = list.table();
  ASSERT_TRUE(table);
  EXPECT_EQ((*table)->interval_count(), 0U);
  EXPECT_TRUE(list.check_inside({}));
}

TEST(SourceList, CopiesShareOneTable) {
  const SourceList list = two_sources();
  const SourceList copy = list;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_TRUE(copy.shares(list));
  const auto first = list.table();
  const auto again = copy.table();
  ASSERT_TRUE(first);
  ASSERT_TRUE(again);
  EXPECT_EQ(first->get(), again->get()) << "built once, then shared";
  EXPECT_EQ(at(**first, "198.51.100.7"), 0U);
  EXPECT_EQ(at(**first, "2001:db8:ff12::1"), 1U);
  EXPECT_EQ(at(**first, "198.51.101.7"), PrefixTable::kNoValue);
}

TEST(SourceList, ChangingASharedListLeavesTheOtherCopyAlone) {
  const SourceList list = two_sources();
  const auto table = list.table();
  ASSERT_TRUE(table);
  SourceList changed = list;
  changed.push_back({p("198.51.101.0/24"), 4});
  EXPECT_FALSE(changed.shares(list));
  EXPECT_EQ(list.size(), 2U);
  EXPECT_EQ(changed.size(), 3U);
  EXPECT_EQ(changed.group_bound(), 5U);
  EXPECT_EQ(list.group_bound(), 2U);
  const auto changed_table = changed.table();
  ASSERT_TRUE(changed_table);
  EXPECT_NE(changed_table->get(), table->get());
  EXPECT_EQ(at(**changed_table, "198.51.101.1"), 4U);
  EXPECT_EQ(at(**list.table(), "198.51.101.1"), PrefixTable::kNoValue);
  EXPECT_EQ(list.table()->get(), table->get());
  SourceList reserved = list;
  reserved.reserve(10);
  EXPECT_FALSE(reserved.shares(list));
  EXPECT_EQ(reserved, list) << "same contents, storage of its own";
}

TEST(SourceList, ChangingAnUnsharedListDropsWhatWasDerived) {
  SourceList list = two_sources();
  const auto before = list.fingerprint();
  ASSERT_TRUE(list.table());
  EXPECT_EQ(at(**list.table(), "198.51.100.1"), 0U);
  list.clear();
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.group_bound(), 0U);
  list.push_back({p("198.51.100.0/24"), 3});
  EXPECT_EQ(at(**list.table(), "198.51.100.1"), 3U) << "a table of the new contents";
  EXPECT_NE(list.fingerprint(), before);
}

TEST(SourceList, DuplicatePrefixFailsTheTableEveryTime) {
  const SourceList list = {{p("198.51.100.0/24"), 0}, {p("198.51.100.0/24"), 1}};
  const auto table = list.table();
  ASSERT_FALSE(table);
  EXPECT_NE(table.error().find("198.51.100.0/24 is given twice"), std::string::npos)
      << table.error();
  EXPECT_FALSE(list.table());
}

TEST(SourceList, FingerprintFollowsContentNotStorage) {
  const SourceList a = two_sources();
  const SourceList b = two_sources();
  EXPECT_FALSE(a.shares(b));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.fingerprint(), b.fingerprint());
  const SourceList other_group = {{p("198.51.100.0/24"), 1}, {p("2001:db8:ff00::/40"), 1}};
  EXPECT_NE(a.fingerprint(), other_group.fingerprint());
  EXPECT_NE(a, other_group);
  const SourceList other_length = {{p("198.51.100.0/25"), 0}, {p("2001:db8:ff00::/40"), 1}};
  EXPECT_NE(a.fingerprint(), other_length.fingerprint());
}

TEST(SourceList, CheckInsideNamesTheSourceOutside) {
  const SourceList list = two_sources();
  EXPECT_TRUE(list.check_inside({p("198.51.0.0/16"), p("2001:db8::/32")}));
  EXPECT_TRUE(list.check_inside({p("198.51.0.0/16"), p("2001:db8::/32")})) << "remembered";
  const auto outside = list.check_inside({p("198.51.0.0/16")});
  ASSERT_FALSE(outside);
  EXPECT_NE(outside.error().find("2001:db8:ff00::/40 lies outside every zone"), std::string::npos)
      << outside.error();
  EXPECT_TRUE(list.check_inside({p("198.51.0.0/16"), p("2001:db8::/32")}));
}

TEST(SourceList, CopiesOnSeveralThreadsGetTheSameTable) {
  std::vector<SourceSpec> many;
  for (std::uint32_t i = 0; i < 5000; ++i) {
    Prefix prefix = p("10.0.0.0/32");
    prefix.address += i * 4;
    many.push_back({prefix, i % 7});
  }
  const SourceList list(std::move(many));
  std::vector<const PrefixTable*> seen(4, nullptr);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < seen.size(); ++t) {
    threads.emplace_back([copy = list, &seen, t] {
      const auto table = copy.table();
      if (table) seen[t] = table->get();
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_NE(seen[0], nullptr);
  for (const PrefixTable* table : seen) EXPECT_EQ(table, seen[0]);
  EXPECT_EQ(at(*seen[0], "10.0.0.8"), 2U);
}

}  // namespace
}  // namespace driad::zones
