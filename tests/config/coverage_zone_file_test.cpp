// The Coverage Zone File reader: the fixture, and each way a file is rejected
// whole (Traffic Router keeps the previous file then).
#include "config/coverage_zone_file.hpp"

#include <string>

#include <gtest/gtest.h>

namespace driad::config {
namespace {

std::string rejection(const std::string& text) {
  auto parsed = parse_coverage_zones(text, "czf.json");
  EXPECT_FALSE(parsed) << text;
  return parsed ? std::string() : parsed.error();
}

TEST(CoverageZoneFile, ReadsTheFixture) {
  auto parsed = load_coverage_zone_file(std::string(DRIAD_FIXTURES_DIR) + "/trafficops/czf.json");
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(parsed->revision, "2025-06-02T09:00:00Z");
  ASSERT_EQ(parsed->zones.size(), 2U);
  const CoverageZone& east = parsed->zones[0];
  EXPECT_EQ(east.cachegroup, "amt-us-east");
  ASSERT_EQ(east.networks.size(), 3U);
  EXPECT_EQ(zones::to_string(east.networks[0]), "100.64.0.0/16");
  EXPECT_EQ(zones::to_string(east.networks[1]), "198.18.0.0/17");
  EXPECT_EQ(zones::to_string(east.networks[2]), "2001:db8:1000::/40");
  ASSERT_TRUE(east.coordinates);
  EXPECT_DOUBLE_EQ(east.coordinates->latitude, 39.0438);
  EXPECT_DOUBLE_EQ(east.coordinates->longitude, -77.4874);
  EXPECT_EQ(parsed->zones[1].cachegroup, "amt-us-west");
  EXPECT_EQ(zones::to_string(parsed->zones[1].networks[1]), "198.18.128.0/17");
}

TEST(CoverageZoneFile, CoordinatesAreOptional) {
  auto parsed =
      parse_coverage_zones(R"({"coverageZones":{"a":{"network":["10.0.0.0/8"]}}})", "czf.json");
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_FALSE(parsed->zones[0].coordinates);
}

TEST(CoverageZoneFile, RejectsTheWholeFile) {
  EXPECT_EQ(rejection(R"({"coverageZones":{"a":{"network":["10.0.0.0/8"]},)"
                      R"("b":{"network":["10.0.0.0/8"]}}})"),
            "czf.json: /coverageZones/b/network/0: 10.0.0.0/8 is also /coverageZones/a/network/0");
  EXPECT_EQ(rejection(R"({"coverageZones":{"a":{"network":["10.0.0.0/33"]}}})"),
            "czf.json: /coverageZones/a/network/0: '10.0.0.0/33' has a prefix length that is not "
            "0-32");
  EXPECT_EQ(rejection(R"({"coverageZones":{"a":{"network":["10.1.0.0/8"]}}})"),
            "czf.json: /coverageZones/a/network/0: '10.1.0.0/8' has host bits set beyond /8");
  EXPECT_EQ(rejection(R"({"coverageZones":{"a":{"network":["2001:db8::/32"]}}})"),
            "czf.json: /coverageZones/a/network/0: '2001:db8::/32' is not an IPv4 network");
  EXPECT_EQ(rejection(R"({"coverageZones":{"a":{"network6":["10.0.0.0/8"]}}})"),
            "czf.json: /coverageZones/a/network6/0: '10.0.0.0/8' is not an IPv6 network");
  EXPECT_EQ(rejection(R"({"coverageZones":{"a/b":{"network":[7]}}})"),
            "czf.json: /coverageZones/a~1b/network/0: must be a CIDR string");
  EXPECT_EQ(rejection(R"({"coverageZones":{"a":{"network":"10.0.0.0/8"}}})"),
            "czf.json: /coverageZones/a/network: must be an array of CIDR strings");
  EXPECT_EQ(rejection(R"({"coverageZones":{"a":{"coordinates":{"latitude":91,"longitude":0}}}})"),
            "czf.json: /coverageZones/a/coordinates: latitude 91 is out of range");
  EXPECT_EQ(rejection(R"({"coverageZones":{"a":{"coordinates":{"latitude":1}}}})"),
            "czf.json: /coverageZones/a/coordinates: longitude must be a number");
  EXPECT_EQ(rejection(R"({"coverageZones":[]})"),
            "czf.json: /coverageZones: must be an object of cachegroup name to networks");
  EXPECT_EQ(rejection("[]"), "czf.json: /: must be an object");
  EXPECT_NE(rejection(R"({"coverageZones":{"a":)").find("czf.json: not valid JSON"),
            std::string::npos);
}

TEST(CoverageZoneFile, MissingFileNamesIt) {
  auto parsed = load_coverage_zone_file("/nonexistent/czf.json");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error(), "/nonexistent/czf.json: cannot be read: No such file or directory");
}

}  // namespace
}  // namespace driad::config
