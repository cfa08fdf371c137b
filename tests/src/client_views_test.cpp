// The (source group, client view) table: own cachegroup, fallbacks, closest,
// fail static, and rows that never map (static and not-yet-known groups),
// checked through the built Snapshot's look-ups as the query path uses them.
#include "src/client_views.hpp"

#include <gtest/gtest.h>

namespace driad::app {
namespace {

using policy::MappingStep;

constexpr std::uint32_t kStatic = 0;
constexpr std::uint32_t kEast = 1;
constexpr std::uint32_t kWest = 2;
constexpr std::uint32_t kPending = 3;

zones::Prefix prefix(const char* text) {
  return *zones::parse_prefix(text);
}

zones::SnapshotSpec spec_with_groups() {
  zones::SnapshotSpec spec;
  zones::ZoneSpec zone;
  zone.origin = {3, '1', '0', '0', 7, 'i', 'n', '-', 'a', 'd', 'd', 'r', 4, 'a', 'r', 'p', 'a', 0};
  zone.prefix = prefix("100.0.0.0/8");
  spec.zones.push_back(zone);
  for (const char* name : {"static", "amt-us-east", "amt-us-west", "pending"}) {
    zones::GroupAnswerSpec group;
    group.name = name;
    spec.groups.push_back(group);
  }
  spec.groups[kPending].unavailable = true;
  spec.sources.push_back({prefix("100.1.0.0/16"), kEast});
  return spec;
}

config::CoverageZones coverage() {
  config::CoverageZones zones;
  zones.zones.push_back({"amt-us-east",
                         {prefix("10.0.0.0/8"), prefix("2001:db8:1000::/40")},
                         policy::Coordinates{39.0438, -77.4874}});
  zones.zones.push_back(
      {"amt-us-west", {prefix("11.0.0.0/8")}, policy::Coordinates{37.3394, -121.895}});
  // A coverage zone whose cachegroup has no relays, near Chicago.
  zones.zones.push_back({"edge-chicago", {prefix("12.0.0.0/8")}, policy::Coordinates{41.9, -87.6}});
  return zones;
}

std::vector<health::Cachegroup> cachegroups() {
  health::Cachegroup east{"amt-us-east", 39.0438, -77.4874, {"amt-us-west"}, true};
  health::Cachegroup west{"amt-us-west", 37.3394, -121.895, {"amt-us-east"}, true};
  return {east, west};
}

std::vector<AnswerRow> rows(bool east_up, bool west_up) {
  return {{false, false}, {true, east_up}, {true, west_up}, {false, false}};
}

// The groups served for a source of `row` to clients in no view, then in each view.
std::vector<std::uint32_t> row_answers(const ClientViews& views, std::uint32_t row) {
  const std::size_t columns = views.view_names.size() + 1;
  std::vector<std::uint32_t> out;
  for (std::size_t c = 0; c < columns; ++c) out.push_back(views.cells[row * columns + c].group);
  return out;
}

TEST(ClientViews, EachViewGetsItsOwnCachegroup) {
  zones::SnapshotSpec spec = spec_with_groups();
  const config::CoverageZones zones = coverage();
  const ClientViews views = add_client_views(spec, rows(true, true), &zones, cachegroups());
  EXPECT_EQ(views.view_names,
            (std::vector<std::string>{"amt-us-east", "amt-us-west", "edge-chicago"}));
  EXPECT_EQ(spec.view_count, 3U);
  EXPECT_EQ(spec.client_networks.size(), 4U);
  // edge-chicago has no relays: the closest available cachegroup (Ashburn).
  EXPECT_EQ(row_answers(views, kEast), (std::vector<std::uint32_t>{kEast, kEast, kWest, kEast}));
  EXPECT_EQ(views.cells[1 * 4 + 3].step, MappingStep::closest);
  EXPECT_EQ(row_answers(views, kWest), (std::vector<std::uint32_t>{kWest, kEast, kWest, kEast}));
  // Static and not-yet-known groups answer for themselves to every client.
  EXPECT_EQ(row_answers(views, kStatic), (std::vector<std::uint32_t>(4, kStatic)));
  EXPECT_EQ(row_answers(views, kPending), (std::vector<std::uint32_t>(4, kPending)));

  // The snapshot's look-ups give the same cells.
  auto snapshot = zones::Snapshot::build(spec);
  ASSERT_TRUE(snapshot) << snapshot.error();
  const zones::Snapshot& built = **snapshot;
  const auto v4 = [](const char* text) { return zones::parse_address(text)->address; };
  const std::uint32_t in_west = built.client_column(zones::Family::ipv4, v4("11.2.3.4"));
  const std::uint32_t in_east6 =
      built.client_column(zones::Family::ipv6, zones::parse_address("2001:db8:1000::7")->address);
  const std::uint32_t nowhere = built.client_column(zones::Family::ipv4, v4("192.0.2.1"));
  EXPECT_EQ(built.answer_group(kEast, in_west), kWest);
  EXPECT_EQ(built.answer_group(kWest, in_east6), kEast);
  EXPECT_EQ(built.answer_group(kWest, nowhere), kWest);
  EXPECT_TRUE(built.varies_by_client(kEast));
  EXPECT_FALSE(built.varies_by_client(kStatic));
  EXPECT_TRUE(built.unavailable(kPending));
}

TEST(ClientViews, FallbackBeforeClosestAndFailStaticLast) {
  zones::SnapshotSpec spec = spec_with_groups();
  const config::CoverageZones zones = coverage();
  ClientViews views = add_client_views(spec, rows(false, true), &zones, cachegroups());
  EXPECT_EQ(row_answers(views, kEast), (std::vector<std::uint32_t>{kWest, kWest, kWest, kWest}));
  EXPECT_EQ(views.cells[1 * 4 + 0].step, MappingStep::fallback);
  EXPECT_EQ(views.cells[1 * 4 + 3].step, MappingStep::closest);

  // Nothing available anywhere: every client fails static on its own start
  // group's answer, or the source's when the start has no relays.
  views = add_client_views(spec, rows(false, false), &zones, cachegroups());
  EXPECT_EQ(row_answers(views, kEast), (std::vector<std::uint32_t>{kEast, kEast, kWest, kEast}));
  EXPECT_EQ(views.cells[1 * 4 + 2].step, MappingStep::none);
  EXPECT_EQ(row_answers(views, kWest), (std::vector<std::uint32_t>{kWest, kEast, kWest, kWest}));
}

TEST(ClientViews, NoCoverageZonesStillFallsBack) {
  zones::SnapshotSpec spec = spec_with_groups();
  ClientViews views = add_client_views(spec, rows(true, true), nullptr, cachegroups());
  EXPECT_EQ(spec.view_count, 0U);
  EXPECT_TRUE(spec.client_networks.empty());
  EXPECT_EQ(spec.view_answers, (std::vector<std::uint32_t>{kStatic, kEast, kWest, kPending}));

  views = add_client_views(spec, rows(false, true), nullptr, cachegroups());
  EXPECT_EQ(spec.view_answers, (std::vector<std::uint32_t>{kStatic, kWest, kWest, kPending}));
  // Without Traffic Ops there are no fallbacks or coordinates: own group only.
  views = add_client_views(spec, rows(false, true), nullptr, {});
  EXPECT_EQ(spec.view_answers, (std::vector<std::uint32_t>{kStatic, kEast, kWest, kPending}));
  EXPECT_EQ(views.cells[kEast].step, MappingStep::none);
  EXPECT_TRUE(zones::Snapshot::build(spec));
}

TEST(ClientViews, FallbackToClosestOffStopsAfterTheList) {
  zones::SnapshotSpec spec = spec_with_groups();
  const config::CoverageZones zones = coverage();
  auto groups = cachegroups();
  groups[0].fallbacks.clear();
  groups[0].fallback_to_closest = false;
  const ClientViews views = add_client_views(spec, rows(false, true), &zones, groups);
  // East's own clients fail static on East; the Chicago zone still finds West.
  EXPECT_EQ(row_answers(views, kEast), (std::vector<std::uint32_t>{kEast, kEast, kWest, kWest}));
}

}  // namespace
}  // namespace driad::app
