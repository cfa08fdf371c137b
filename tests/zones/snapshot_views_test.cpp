// Snapshot client views: what build() refuses in client_networks and
// view_answers, the client LPM (client_column), answer_group with and without
// a view table, varies_by_client and unavailable groups.
#include <gtest/gtest.h>

#include <string>

#include "zones/snapshot.hpp"

namespace driad::zones {
namespace {

Prefix p(const char* text) {
  auto parsed = parse_prefix(text);
  EXPECT_TRUE(parsed) << text;
  return parsed ? *parsed : Prefix{};
}

// The column of a bare address.
std::uint32_t column_of(const Snapshot& snapshot, const char* address) {
  const Prefix parsed = p(address);
  return snapshot.client_column(parsed.family, parsed.address);
}

ZoneSpec v4_zone() {
  ZoneSpec zone;
  zone.origin = {2,   '5', '1', 3,   '1', '9', '8', 7,   'i', 'n', '-',
                 'a', 'd', 'd', 'r', 4,   'a', 'r', 'p', 'a', 0};
  zone.prefix = p("198.51.0.0/16");
  zone.soa.mname = {0};
  zone.soa.rname = {0};
  return zone;
}

// Four groups (0 home, 1 east, 2 west, 3 pending), three views (0 east,
// 1 west, 2 elsewhere), and rows:
//   home:    no view -> home, east -> east, west -> west, elsewhere -> home
//   east:    east everywhere
//   west:    west everywhere, but clients in view east get the pending group
//   pending: pending everywhere
SnapshotSpec view_spec() {
  SnapshotSpec spec;
  spec.zones.push_back(v4_zone());
  spec.groups.push_back({"home", {{10, false, policy::RelayType::ipv4, {192, 0, 2, 1}}}, 60});
  spec.groups.push_back({"east", {{10, false, policy::RelayType::ipv4, {192, 0, 2, 2}}}, 60});
  spec.groups.push_back({"west", {{10, false, policy::RelayType::ipv4, {192, 0, 2, 3}}}, 60});
  spec.groups.push_back({"pending", {}, 60, true});
  spec.sources.push_back({p("198.51.100.0/24"), 0});
  spec.ecs = true;
  spec.view_count = 3;
  spec.client_networks = {
      {p("10.0.0.0/8"), 0},         {p("10.1.0.0/16"), 1},   {p("10.1.2.0/24"), 0},
      {p("10.1.2.128/32"), 2},      {p("2001:db8::/32"), 1}, {p("2001:db8:aa::/48"), 0},
      {p("2001:db8:aa:1::/64"), 2}, {p("0.0.0.0/0"), 2},
  };
  spec.view_answers = {
      0, 1, 2, 0,  // home
      1, 1, 1, 1,  // east
      2, 3, 2, 2,  // west
      3, 3, 3, 3,  // pending
  };
  return spec;
}

TEST(SnapshotViews, ViewSpecBuilds) {
  const auto built = Snapshot::build(view_spec());
  ASSERT_TRUE(built) << built.error();
  EXPECT_TRUE((*built)->ecs());
  EXPECT_EQ((*built)->view_count(), 3U);
}

TEST(SnapshotViews, EcsIsOffByDefault) {
  SnapshotSpec spec = view_spec();
  spec.ecs = false;
  const auto built = Snapshot::build(spec);
  ASSERT_TRUE(built) << built.error();
  EXPECT_FALSE((*built)->ecs());
}

TEST(SnapshotViews, ViewIndexOutOfRangeIsRefused) {
  SnapshotSpec spec = view_spec();
  spec.client_networks.push_back({p("192.0.2.0/24"), 3});
  const auto built = Snapshot::build(spec);
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().find("client network 192.0.2.0/24 names view 3 of 3"), std::string::npos)
      << built.error();
}

TEST(SnapshotViews, ClientNetworksWithoutViewsAreRefused) {
  SnapshotSpec spec = view_spec();
  spec.view_count = 0;
  spec.view_answers.clear();
  EXPECT_FALSE(Snapshot::build(spec));
}

TEST(SnapshotViews, DuplicateClientNetworkIsRefused) {
  SnapshotSpec spec = view_spec();
  spec.client_networks.push_back({p("10.1.0.0/16"), 2});
  const auto built = Snapshot::build(spec);
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().find("client networks: prefix 10.1.0.0/16 is given twice"),
            std::string::npos)
      << built.error();
}

TEST(SnapshotViews, ViewAnswersOfTheWrongSizeAreRefused) {
  SnapshotSpec short_table = view_spec();
  short_table.view_answers.pop_back();
  const auto built = Snapshot::build(short_table);
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().find("view_answers holds 15 cells, not 4 groups x 4 columns"),
            std::string::npos)
      << built.error();

  SnapshotSpec long_table = view_spec();
  long_table.view_answers.insert(long_table.view_answers.end(), {0, 0, 0, 0});
  EXPECT_FALSE(Snapshot::build(long_table));

  // The right number of cells for another shape: 4 groups x 4 columns is not 2 x 8.
  SnapshotSpec other_shape = view_spec();
  other_shape.view_count = 7;
  EXPECT_FALSE(Snapshot::build(other_shape));

  SnapshotSpec no_groups = view_spec();
  no_groups.groups.clear();
  no_groups.sources.clear();
  EXPECT_FALSE(Snapshot::build(no_groups));
}

TEST(SnapshotViews, ViewAnswerNamingAMissingGroupIsRefused) {
  SnapshotSpec spec = view_spec();
  spec.view_answers[9] = 4;  // row 2 (west), column 1 (view east)
  const auto built = Snapshot::build(spec);
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().find("view_answers row 2 column 1 names group 4 of 4"), std::string::npos)
      << built.error();
}

TEST(SnapshotViews, ClientColumnIsTheLongestPrefixsViewPlusOne) {
  const auto built = Snapshot::build(view_spec());
  ASSERT_TRUE(built) << built.error();
  const Snapshot& s = **built;
  EXPECT_EQ(column_of(s, "10.9.9.9"), 1U);       // 10/8 -> view 0
  EXPECT_EQ(column_of(s, "10.1.9.9"), 2U);       // 10.1/16 -> view 1
  EXPECT_EQ(column_of(s, "10.1.2.3"), 1U);       // 10.1.2/24 -> view 0
  EXPECT_EQ(column_of(s, "10.1.2.128"), 3U);     // the /32 -> view 2
  EXPECT_EQ(column_of(s, "10.1.2.129"), 1U);     // back in 10.1.2/24
  EXPECT_EQ(column_of(s, "10.1.3.0"), 2U);       // back in 10.1/16
  EXPECT_EQ(column_of(s, "203.0.113.1"), 3U);    // 0/0 -> view 2
  EXPECT_EQ(column_of(s, "2001:db8:1::1"), 2U);  // 2001:db8::/32 -> view 1
  EXPECT_EQ(column_of(s, "2001:db8:aa::1"), 1U);
  EXPECT_EQ(column_of(s, "2001:db8:aa:1::1"), 3U);
  EXPECT_EQ(column_of(s, "2001:db8:aa:2::1"), 1U);
  EXPECT_EQ(column_of(s, "2001:db9::1"), 0U);  // in no view: no ::/0
}

TEST(SnapshotViews, FamiliesDoNotMix) {
  // The IPv4 0.0.0.0/0 does not hold ::a00:1, whose low 32 bits spell 10.0.0.1.
  SnapshotSpec spec = view_spec();
  spec.client_networks = {{p("0.0.0.0/0"), 1}};
  const auto built = Snapshot::build(spec);
  ASSERT_TRUE(built) << built.error();
  EXPECT_EQ(column_of(**built, "10.0.0.1"), 2U);
  EXPECT_EQ(column_of(**built, "::a00:1"), 0U);
}

TEST(SnapshotViews, AnswerGroupReadsTheTable) {
  const auto built = Snapshot::build(view_spec());
  ASSERT_TRUE(built) << built.error();
  const Snapshot& s = **built;
  EXPECT_EQ(s.answer_group(0, 0), 0U);
  EXPECT_EQ(s.answer_group(0, 1), 1U);
  EXPECT_EQ(s.answer_group(0, 2), 2U);
  EXPECT_EQ(s.answer_group(0, 3), 0U);
  for (std::uint32_t column = 0; column < 4; ++column) EXPECT_EQ(s.answer_group(1, column), 1U);
  EXPECT_EQ(s.answer_group(2, 0), 2U);
  EXPECT_EQ(s.answer_group(2, 1), 3U);
  EXPECT_EQ(s.answer_group(2, 2), 2U);
  EXPECT_EQ(s.answer_group(3, 3), 3U);
  // The look-up a query makes: client address -> column -> group.
  EXPECT_EQ(s.answer_group(0, column_of(s, "10.1.9.9")), 2U);
}

TEST(SnapshotViews, WithoutATableEveryClientGetsTheRowsOwnGroup) {
  SnapshotSpec spec = view_spec();
  spec.view_answers.clear();
  const auto built = Snapshot::build(spec);
  ASSERT_TRUE(built) << built.error();
  const Snapshot& s = **built;
  for (std::uint32_t group = 0; group < 4; ++group) {
    for (std::uint32_t column = 0; column < 4; ++column) {
      EXPECT_EQ(s.answer_group(group, column), group) << group << " " << column;
    }
    EXPECT_FALSE(s.varies_by_client(group)) << group;
  }
  // The client look-up still works: views exist, they just change nothing.
  EXPECT_EQ(column_of(s, "10.1.9.9"), 2U);
}

TEST(SnapshotViews, NoViewsAtAll) {
  SnapshotSpec spec = view_spec();
  spec.view_count = 0;
  spec.client_networks.clear();
  spec.view_answers = {0, 1, 2, 3};  // one column: a client in no view
  const auto built = Snapshot::build(spec);
  ASSERT_TRUE(built) << built.error();
  EXPECT_EQ(column_of(**built, "10.1.9.9"), 0U);
  EXPECT_EQ((*built)->answer_group(2, 0), 2U);
  EXPECT_FALSE((*built)->varies_by_client(0));
}

TEST(SnapshotViews, VariesByClientWhenARowsCellsDiffer) {
  const auto built = Snapshot::build(view_spec());
  ASSERT_TRUE(built) << built.error();
  EXPECT_TRUE((*built)->varies_by_client(0));
  EXPECT_FALSE((*built)->varies_by_client(1));
  EXPECT_TRUE((*built)->varies_by_client(2));
  EXPECT_FALSE((*built)->varies_by_client(3));

  // A row whose only difference is its last cell varies too.
  SnapshotSpec spec = view_spec();
  spec.view_answers[7] = 0;  // east row, view elsewhere -> home
  const auto changed = Snapshot::build(spec);
  ASSERT_TRUE(changed) << changed.error();
  EXPECT_TRUE((*changed)->varies_by_client(1));
}

TEST(SnapshotViews, UnavailableGroups) {
  const auto built = Snapshot::build(view_spec());
  ASSERT_TRUE(built) << built.error();
  const Snapshot& s = **built;
  EXPECT_FALSE(s.unavailable(0));
  EXPECT_FALSE(s.unavailable(1));
  EXPECT_FALSE(s.unavailable(2));
  EXPECT_TRUE(s.unavailable(3));
  EXPECT_TRUE(s.unavailable(s.answer_group(2, 1)));
  EXPECT_EQ(s.answer(3).count, 0);
  EXPECT_EQ(s.group_name(3), "pending");
}

TEST(SnapshotViews, ExistingApiIsUnchanged) {
  const auto built = Snapshot::build(view_spec());
  ASSERT_TRUE(built) << built.error();
  const Snapshot& s = **built;
  std::uint32_t group = 9;
  EXPECT_EQ(s.classify(s.zones()[0], p("198.51.100.7/32"), group), NameKind::relay_set);
  EXPECT_EQ(group, 0U);
  EXPECT_EQ(s.answer(0).count, 1);
  EXPECT_EQ(s.group_count(), 4U);
}

}  // namespace
}  // namespace driad::zones
