// The topology cache file: round trip, atomic replacement, and every error
// naming the file.
#include "health/topology_cache.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

namespace driad::health {
namespace {

namespace fs = std::filesystem;

Topology sample() {
  Topology topology;
  topology.servers = {
      {"amtgw-use-01", "amt-us-east", RelayRole::gateway, "ONLINE", "192.0.2.11",
       "2001:db8:100::11", ""},
      {"mx-amt-use-01", "amt-us-east", RelayRole::mx, "ADMIN_DOWN", "192.0.2.1", "",
       "198.51.100.10"},
      {"mx-amt-usw-01", "amt-us-west", RelayRole::mx, "ONLINE", "", "2001:db8:200::1",
       "2001:db8:ffff::20"},
  };
  topology.cachegroups = {
      {"amt-us-east", 39.0438, -77.4874, {"amt-us-west", "amt-eu"}, true},
      {"amt-us-west", std::nullopt, std::nullopt, {}, false},
  };
  topology.mx_gnmi_port = 32767;
  return topology;
}

class TopologyCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char name[] = "/tmp/driad-topology-cache-XXXXXX";
    ASSERT_NE(::mkdtemp(name), nullptr);
    dir_ = name;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::permissions(dir_, fs::perms::owner_all, ignored);
    fs::remove_all(dir_, ignored);
  }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

TEST_F(TopologyCacheTest, RoundTripWithoutTemporaryLeftBehind) {
  const std::string file = path("topology.json");
  ASSERT_TRUE(save_topology_cache(file, sample()));
  auto loaded = load_topology_cache(file);
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(*loaded, sample());

  // A second save replaces the first whole.
  Topology smaller = sample();
  smaller.servers.pop_back();
  smaller.mx_gnmi_port.reset();
  ASSERT_TRUE(save_topology_cache(file, smaller));
  loaded = load_topology_cache(file);
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(*loaded, smaller);
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"topology.json"});
}

TEST_F(TopologyCacheTest, EmptyTopologyRoundTrips) {
  ASSERT_TRUE(save_topology_cache(path("empty.json"), Topology{}));
  auto loaded = load_topology_cache(path("empty.json"));
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(*loaded, Topology{});
}

TEST_F(TopologyCacheTest, FormatIsVersioned) {
  const auto root = nlohmann::json::parse(topology_to_json(sample()));
  EXPECT_EQ(root.at("version"), 1);
  EXPECT_EQ(root.at("mx_gnmi_port"), 32767);
  EXPECT_EQ(root.at("servers").at(1).at("role"), "mx");
  EXPECT_TRUE(root.at("cachegroups").at(1).at("latitude").is_null());
}

TEST_F(TopologyCacheTest, UnwritableDirectoryIsAnError) {
  // Works as root too: the "directory" is a regular file.
  write("plain-file", "x");
  const std::string file = path("plain-file") + "/topology.json";
  auto saved = save_topology_cache(file, sample());
  ASSERT_FALSE(saved);
  EXPECT_EQ(saved.error(), "topology cache " + file + ".tmp: cannot create: Not a directory");

  if (::geteuid() != 0) {
    fs::create_directory(dir_ / "read-only");
    fs::permissions(dir_ / "read-only", fs::perms::owner_read | fs::perms::owner_exec);
    const std::string denied = path("read-only") + "/topology.json";
    saved = save_topology_cache(denied, sample());
    ASSERT_FALSE(saved);
    EXPECT_EQ(saved.error(), "topology cache " + denied + ".tmp: cannot create: Permission denied");
  }
}

TEST_F(TopologyCacheTest, MissingFileIsAnErrorNamingIt) {
  const std::string file = path("absent.json");
  auto loaded = load_topology_cache(file);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error(), "topology cache " + file + ": cannot open: No such file or directory");
}

TEST_F(TopologyCacheTest, CorruptFilesAreErrorsNamingThem) {
  const std::string text = topology_to_json(sample());
  write("truncated.json", text.substr(0, text.size() - 10));
  auto loaded = load_topology_cache(path("truncated.json"));
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().rfind("topology cache " + path("truncated.json") + ": not JSON: ", 0),
            0U)
      << loaded.error();

  auto root = nlohmann::json::parse(text);
  root["version"] = 2;
  write("future.json", root.dump());
  loaded = load_topology_cache(path("future.json"));
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error(),
            "topology cache " + path("future.json") + ": /version: 2, this driad reads version 1");

  root = nlohmann::json::parse(text);
  root["servers"][1]["role"] = "router";
  write("role.json", root.dump());
  loaded = load_topology_cache(path("role.json"));
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error(),
            "topology cache " + path("role.json") + ": /servers/1/role: not mx or gateway");

  root = nlohmann::json::parse(text);
  root["servers"][0]["service_ipv4"] = "2001:db8::1";
  write("family.json", root.dump());
  loaded = load_topology_cache(path("family.json"));
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error(), "topology cache " + path("family.json") +
                                ": /servers/0/service_ipv4: not an IPv4 address: \"2001:db8::1\"");

  write("empty.json", "");
  loaded = load_topology_cache(path("empty.json"));
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().find(path("empty.json") + ": not JSON"), std::string::npos)
      << loaded.error();
}

}  // namespace
}  // namespace driad::health
