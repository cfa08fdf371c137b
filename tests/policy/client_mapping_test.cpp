// Traffic Router's mapping order (trafficops-facts.md): own cachegroup, its
// fallbacks in order, then the closest available one by great-circle distance.
#include "policy/client_mapping.hpp"

#include <gtest/gtest.h>

namespace driad::policy {
namespace {

// Coordinates of the fixture cachegroups and two more for the closest step.
constexpr Coordinates kAshburn{39.0438, -77.4874};
constexpr Coordinates kSanJose{37.3394, -121.895};
constexpr Coordinates kChicago{41.8781, -87.6298};
constexpr Coordinates kLondon{51.5074, -0.1278};

std::vector<CachegroupSite> us_sites() {
  return {
      {"amt-us-east", kAshburn, {"amt-us-west"}, true, true},
      {"amt-us-west", kSanJose, {"amt-us-east"}, true, true},
      {"amt-us-central", kChicago, {}, true, true},
      {"amt-eu-west", kLondon, {}, true, true},
  };
}

TEST(GreatCircle, KnownDistances) {
  EXPECT_DOUBLE_EQ(great_circle_km(kAshburn, kAshburn), 0.0);
  // Ashburn to San Jose is about 3,860 km; London to Ashburn about 5,900 km.
  EXPECT_NEAR(great_circle_km(kAshburn, kSanJose), 3860, 30);
  EXPECT_NEAR(great_circle_km(kLondon, kAshburn), 5900, 50);
  EXPECT_DOUBLE_EQ(great_circle_km(kAshburn, kSanJose), great_circle_km(kSanJose, kAshburn));
  // Antipodes: half the circumference, no NaN from rounding past 1.
  EXPECT_NEAR(great_circle_km({0, 0}, {0, 180}), 3.14159265 * 6371, 1);
}

TEST(ChooseCachegroup, OwnWhenAvailable) {
  const auto sites = us_sites();
  const MappingChoice choice = choose_cachegroup(sites, "amt-us-east", kAshburn);
  EXPECT_EQ(choice.step, MappingStep::own);
  EXPECT_EQ(sites[choice.site].name, "amt-us-east");
}

TEST(ChooseCachegroup, FallbacksInOrderBeforeClosest) {
  auto sites = us_sites();
  sites[0].available = false;
  // Chicago is closer to Ashburn than San Jose, but the fallback list wins.
  MappingChoice choice = choose_cachegroup(sites, "amt-us-east", kAshburn);
  EXPECT_EQ(choice.step, MappingStep::fallback);
  EXPECT_EQ(sites[choice.site].name, "amt-us-west");

  sites[0].fallbacks = {"no-such-group", "amt-eu-west", "amt-us-west"};
  choice = choose_cachegroup(sites, "amt-us-east", kAshburn);
  EXPECT_EQ(choice.step, MappingStep::fallback);
  EXPECT_EQ(sites[choice.site].name, "amt-eu-west");
}

TEST(ChooseCachegroup, ClosestAfterUnavailableFallbacks) {
  auto sites = us_sites();
  sites[0].available = false;
  sites[1].available = false;
  const MappingChoice choice = choose_cachegroup(sites, "amt-us-east", kAshburn);
  EXPECT_EQ(choice.step, MappingStep::closest);
  EXPECT_EQ(sites[choice.site].name, "amt-us-central");
}

TEST(ChooseCachegroup, ClosestFromTheClientsCoordinatesNotTheSites) {
  auto sites = us_sites();
  sites[0].available = false;
  sites[1].available = false;
  // A coverage zone in London mapped to amt-us-east: closest to London.
  const MappingChoice choice = choose_cachegroup(sites, "amt-us-east", kLondon);
  EXPECT_EQ(choice.step, MappingStep::closest);
  EXPECT_EQ(sites[choice.site].name, "amt-eu-west");
}

TEST(ChooseCachegroup, SiteCoordinatesWhenNoOrigin) {
  auto sites = us_sites();
  sites[1].available = false;
  sites[1].fallbacks.clear();
  const MappingChoice choice = choose_cachegroup(sites, "amt-us-west", std::nullopt);
  EXPECT_EQ(choice.step, MappingStep::closest);
  EXPECT_EQ(sites[choice.site].name, "amt-us-central");  // closest to San Jose of the rest
}

TEST(ChooseCachegroup, NoClosestStepWhenDisabledOrNowhere) {
  auto sites = us_sites();
  sites[0].available = false;
  sites[0].fallbacks.clear();
  sites[0].fallback_to_closest = false;
  EXPECT_EQ(choose_cachegroup(sites, "amt-us-east", kAshburn).step, MappingStep::none);

  sites[0].fallback_to_closest = true;
  sites[0].coordinates.reset();
  EXPECT_EQ(choose_cachegroup(sites, "amt-us-east", std::nullopt).step, MappingStep::none);
}

TEST(ChooseCachegroup, SitesWithoutCoordinatesAreNeverClosest) {
  std::vector<CachegroupSite> sites = {
      {"down", kAshburn, {}, true, false},
      {"nowhere", std::nullopt, {}, true, true},
      {"far", kLondon, {}, true, true},
  };
  const MappingChoice choice = choose_cachegroup(sites, "down", std::nullopt);
  EXPECT_EQ(choice.step, MappingStep::closest);
  EXPECT_EQ(sites[choice.site].name, "far");
}

TEST(ChooseCachegroup, UnknownStartGoesStraightToClosest) {
  const auto sites = us_sites();
  // A coverage zone naming a cachegroup that has no relays at all.
  const MappingChoice choice = choose_cachegroup(sites, "edge-denver", Coordinates{39.7, -105.0});
  EXPECT_EQ(choice.step, MappingStep::closest);
  EXPECT_EQ(sites[choice.site].name, "amt-us-central");
  EXPECT_EQ(choose_cachegroup(sites, "edge-denver", std::nullopt).step, MappingStep::none);
}

TEST(ChooseCachegroup, NothingAvailable) {
  auto sites = us_sites();
  for (auto& site : sites) site.available = false;
  EXPECT_EQ(choose_cachegroup(sites, "amt-us-east", kAshburn).step, MappingStep::none);
  EXPECT_EQ(choose_cachegroup({}, "amt-us-east", kAshburn).step, MappingStep::none);
  EXPECT_EQ(to_string(MappingStep::none), "none");
  EXPECT_EQ(to_string(MappingStep::closest), "closest");
}

}  // namespace
}  // namespace driad::policy
