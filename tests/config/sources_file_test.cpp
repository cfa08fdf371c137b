// The compact sources file: parse_sources_text on good and bad lines (every
// error named by file and line), the error limit, and `sources_file` in a
// config: relative to the config's directory, joined to `sources`, and checked
// like JSON sources (inside a zone, given once, a known relay group).
#include "config/sources_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"

namespace driad::config {
namespace {

using nlohmann::json;

zones::Prefix p(const char* text) {
  auto parsed = zones::parse_prefix(text);
  EXPECT_TRUE(parsed) << text;
  return parsed ? *parsed : zones::Prefix{};
}

std::string listing(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors) out += "\n  " + e;
  return out.empty() ? " (none)" : out;
}

bool contains(const std::vector<std::string>& errors, const std::string& error) {
  return std::find(errors.begin(), errors.end(), error) != errors.end();
}

struct Parsed {
  SourceCollector sources;
  std::vector<std::string> errors;
};

Parsed parse(std::string_view text, std::size_t limit = 100) {
  Parsed out;
  SourceErrors errors(out.errors, limit);
  parse_sources_text(text, "sources.txt", out.sources, errors);
  errors.close("sources.txt");
  return out;
}

TEST(SourcesFile, ReadsPrefixesGroupsCommentsAndBlankLines) {
  const Parsed parsed = parse(
      "# sources of the east coast\n"
      "198.51.100.0/24 east\n"
      "\n"
      "   \t\n"
      "198.51.100.128/25\twest   # the west half\r\n"
      "2001:db8:ff00::/40 east\n"
      "  2001:db8::1 west\n"
      "198.51.101.7 east");  // a bare address, and no newline at the end
  ASSERT_TRUE(parsed.errors.empty()) << listing(parsed.errors);
  const auto& entries = parsed.sources.entries;
  ASSERT_EQ(entries.size(), 5U);
  EXPECT_EQ(entries[0].prefix, p("198.51.100.0/24"));
  EXPECT_EQ(entries[1].prefix, p("198.51.100.128/25"));
  EXPECT_EQ(entries[2].prefix, p("2001:db8:ff00::/40"));
  EXPECT_EQ(entries[3].prefix, p("2001:db8::1/128"));
  EXPECT_EQ(entries[4].prefix, p("198.51.101.7/32"));
  EXPECT_EQ(parsed.sources.wheres, (std::vector<std::uint32_t>{2, 5, 6, 7, 8}));
  // Interned: one index per name, in order of first use.
  EXPECT_EQ(parsed.sources.names, (std::vector<std::string>{"east", "west"}));
  EXPECT_EQ(entries[0].group, 0U);
  EXPECT_EQ(entries[1].group, 1U);
  EXPECT_EQ(entries[2].group, 0U);
  EXPECT_EQ(entries[3].group, 1U);
}

TEST(SourcesFile, EmptyTextAndOnlyCommentsHoldNothing) {
  EXPECT_TRUE(parse("").sources.entries.empty());
  const Parsed comments = parse("# nothing\n\n#198.51.100.0/24 east\n");
  EXPECT_TRUE(comments.sources.entries.empty());
  EXPECT_TRUE(comments.errors.empty()) << listing(comments.errors);
}

struct BadLine {
  std::string line;
  std::string error;  // after "sources.txt:3: "
};

class SourcesFileBadLine : public testing::TestWithParam<BadLine> {};

TEST_P(SourcesFileBadLine, IsNamedByFileAndLine) {
  const Parsed parsed =
      parse("# header\n198.51.100.0/24 east\n" + GetParam().line + "\n198.51.100.128/25 west\n");
  ASSERT_EQ(parsed.errors.size(), 1U) << listing(parsed.errors);
  EXPECT_EQ(parsed.errors[0], "sources.txt:3: " + GetParam().error);
  // The good lines around it are read all the same.
  ASSERT_EQ(parsed.sources.entries.size(), 2U);
  EXPECT_EQ(parsed.sources.wheres, (std::vector<std::uint32_t>{2, 4}));
}

INSTANTIATE_TEST_SUITE_P(
    Every, SourcesFileBadLine,
    testing::Values(
        BadLine{"198.51.100.0/33 east", "'198.51.100.0/33' has a prefix length that is not 0-32"},
        BadLine{"2001:db8::/129 east", "'2001:db8::/129' has a prefix length that is not 0-128"},
        BadLine{"198.51.100.1/24 east", "'198.51.100.1/24' has host bits set beyond /24"},
        BadLine{"198.51.100/24 east", "'198.51.100' is not an IPv4 or IPv6 address"},
        BadLine{"east 198.51.100.0/24", "'east' is not an IPv4 or IPv6 address"},
        BadLine{"198.51.100.0/24",
                "'198.51.100.0/24' has no relay group (a line is 'prefix "
                "relay_group')"},
        BadLine{"198.51.100.0/24 # east",
                "'198.51.100.0/24' has no relay group (a line is 'prefix relay_group')"},
        BadLine{"198.51.100.0/24 east west",
                "'west' follows the relay group (a line is 'prefix relay_group')"}));

TEST(SourcesFile, ErrorsBeyondTheLimitAreCounted) {
  std::string text;
  for (int i = 0; i < 5; ++i) text += "not-a-prefix east\n";
  const Parsed parsed = parse(text, 2);
  ASSERT_EQ(parsed.errors.size(), 3U) << listing(parsed.errors);
  EXPECT_EQ(parsed.errors[0].rfind("sources.txt:1: ", 0), 0U) << parsed.errors[0];
  EXPECT_EQ(parsed.errors[1].rfind("sources.txt:2: ", 0), 0U) << parsed.errors[1];
  EXPECT_EQ(parsed.errors[2], "sources.txt: 3 more errors in the sources, not listed");
}

// --- `sources_file` in a config -------------------------------------------

json base_config() {
  return json::parse(R"({
    "listen": ["127.0.0.1:5353"],
    "zones": [
      { "origin": "100.51.198.in-addr.arpa.",
        "soa": { "mname": "ns1.driad.example.", "rname": "hostmaster.driad.example." },
        "ns": ["ns1.driad.example."] },
      { "origin": "8.b.d.0.1.0.0.2.ip6.arpa.",
        "soa": { "mname": "ns1.driad.example.", "rname": "hostmaster.driad.example." },
        "ns": ["ns1.driad.example."] }
    ],
    "sources": [ { "prefix": "198.51.100.0/25", "relay_group": "west" } ],
    "sources_file": "sources.txt",
    "relay_groups": [
      { "name": "east", "relays": ["10 0 1 203.0.113.15"] },
      { "name": "west", "relays": ["10 0 1 203.0.113.16"] }
    ]
  })");
}

// A directory of its own for the config and its sources file; removed after.
class SourcesFileConfig : public testing::Test {
 protected:
  void SetUp() override {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    dir_ =
        std::filesystem::path(testing::TempDir()) / (std::string("driad_sources_") + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) const {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  tl::expected<Config, ConfigErrors> load(const json& config, const std::string& sources) {
    const std::string sources_path = write("sources.txt", sources);
    sources_path_ = sources_path;
    return load_config_file(write("driad.json", config.dump(2)));
  }

  std::filesystem::path dir_;
  std::string sources_path_;
};

TEST_F(SourcesFileConfig, RelativePathIsReadFromTheConfigsDirectory) {
  // The working directory is not the config's: the file is found all the same.
  const auto config = load(base_config(),
                           "198.51.100.128/25 east\n"
                           "2001:db8:ff00::/40 west # v6\n");
  ASSERT_TRUE(config) << listing(config.error());
  EXPECT_EQ(config->sources_file, sources_path_);
  ASSERT_EQ(config->sources.size(), 3U);
  // The JSON `sources` first, then the file's.
  EXPECT_EQ(config->sources[0].prefix, p("198.51.100.0/25"));
  EXPECT_EQ(config->sources[1].prefix, p("198.51.100.128/25"));
  EXPECT_EQ(config->sources[2].prefix, p("2001:db8:ff00::/40"));
  // Groups numbered as the relay groups, whatever order the sources use.
  EXPECT_EQ(config->source_groups, (std::vector<std::string>{"east", "west"}));
  EXPECT_EQ(config->sources[0].group, 1U);
  EXPECT_EQ(config->sources[1].group, 0U);
  EXPECT_EQ(config->sources[2].group, 1U);
}

TEST_F(SourcesFileConfig, AbsolutePathAndNoSourcesArray) {
  json text = base_config();
  text.erase("sources");
  text["sources_file"] = write("elsewhere.txt", "198.51.100.0/24 east\n");
  const auto config = load(text, "");
  ASSERT_TRUE(config) << listing(config.error());
  ASSERT_EQ(config->sources.size(), 1U);
  EXPECT_EQ(config->sources_file, (dir_ / "elsewhere.txt").string());
}

TEST_F(SourcesFileConfig, NeitherSourcesNorFileIsAnError) {
  json text = base_config();
  text.erase("sources");
  text.erase("sources_file");
  const auto config = load(text, "");
  ASSERT_FALSE(config);
  const std::string path = (dir_ / "driad.json").string();
  ASSERT_EQ(config.error().size(), 1U) << listing(config.error());
  EXPECT_EQ(config.error()[0].rfind(path + ": /sources: is required", 0), 0U) << config.error()[0];
}

TEST_F(SourcesFileConfig, MissingFileIsNamed) {
  json text = base_config();
  text["sources_file"] = "no-such-sources.txt";
  const auto config = load(text, "");
  ASSERT_FALSE(config);
  const std::string missing = (dir_ / "no-such-sources.txt").string();
  ASSERT_EQ(config.error().size(), 1U) << listing(config.error());
  EXPECT_EQ(config.error()[0], (dir_ / "driad.json").string() + ": /sources_file: " + missing +
                                   ": cannot be read: No such file or directory");
}

TEST_F(SourcesFileConfig, OnlyARegularFileIsRead) {
  for (const std::string& path : {std::string("/dev/zero"), dir_.string()}) {
    json text = base_config();
    text["sources_file"] = path;
    const auto config = load(text, "");
    ASSERT_FALSE(config) << path;
    ASSERT_EQ(config.error().size(), 1U) << listing(config.error());
    EXPECT_EQ(config.error()[0], (dir_ / "driad.json").string() + ": /sources_file: " + path +
                                     ": is not a regular file");
  }
}

TEST_F(SourcesFileConfig, CrossChecksNameTheLine) {
  const auto config = load(base_config(),
                           "198.51.100.128/25 east\n"     // 1
                           "203.0.113.0/24 east\n"        // 2: outside every zone
                           "198.51.100.192/26 eats\n"     // 3: unknown group
                           "# a comment\n"                // 4
                           "198.51.100.0/25 east\n"       // 5: also /sources/0
                           "198.51.100.128/25 west\n"     // 6: also line 1
                           "2001:db8:ff00::/40 west\n");  // 7
  ASSERT_FALSE(config);
  const auto& errors = config.error();
  const std::string& at = sources_path_;
  EXPECT_TRUE(contains(errors, at + ":2: 203.0.113.0/24 lies outside every zone"))
      << listing(errors);
  EXPECT_TRUE(contains(errors, at + ":3: 'eats' is not a relay group")) << listing(errors);
  EXPECT_TRUE(contains(errors, at + ":5: 198.51.100.0/25 is also /sources/0")) << listing(errors);
  EXPECT_TRUE(contains(errors, at + ":6: 198.51.100.128/25 is also " + at + ":1"))
      << listing(errors);
  EXPECT_EQ(errors.size(), 4U) << listing(errors);
}

TEST_F(SourcesFileConfig, JsonSourceDuplicatingAFileLineKeepsItsPointer) {
  json text = base_config();
  text["sources"].push_back({{"prefix", "198.51.100.128/25"}, {"relay_group", "east"}});
  const auto config = load(text, "198.51.100.128/25 west\n");
  ASSERT_FALSE(config);
  ASSERT_EQ(config.error().size(), 1U) << listing(config.error());
  // The JSON sources come first, so the file's line is the second use.
  EXPECT_EQ(config.error()[0], sources_path_ + ":1: 198.51.100.128/25 is also /sources/1");
}

TEST_F(SourcesFileConfig, UnknownGroupsAreCachegroupsWithTrafficOps) {
  json text = base_config();
  text["traffic_ops"] = {{"url", "https://to.example.net"}, {"cdn", "mcast"}};
  const auto config = load(text,
                           "198.51.100.128/26 cg-2\n"
                           "198.51.100.192/26 cg-1\n"
                           "2001:db8:ff00::/40 cg-2\n");
  ASSERT_TRUE(config) << listing(config.error());
  // The relay groups, then the names only sources use, in order of first use.
  EXPECT_EQ(config->source_groups, (std::vector<std::string>{"east", "west", "cg-2", "cg-1"}));
  ASSERT_EQ(config->sources.size(), 4U);
  EXPECT_EQ(config->sources[0].group, 1U);
  EXPECT_EQ(config->sources[1].group, 2U);
  EXPECT_EQ(config->sources[2].group, 3U);
  EXPECT_EQ(config->sources[3].group, 2U);
}

TEST_F(SourcesFileConfig, BadLinesAreAllReportedUpToTheLimit) {
  std::string sources;
  for (int i = 0; i < 150; ++i) sources += "198.51.100.0/33 east\n";
  const auto config = load(base_config(), sources);
  ASSERT_FALSE(config);
  const auto& errors = config.error();
  ASSERT_EQ(errors.size(), 101U);
  EXPECT_EQ(errors[0],
            sources_path_ + ":1: '198.51.100.0/33' has a prefix length that is not 0-32");
  EXPECT_EQ(errors[99].rfind(sources_path_ + ":100: ", 0), 0U) << errors[99];
  EXPECT_EQ(errors[100],
            (dir_ / "driad.json").string() + ": 50 more errors in the sources, not listed");
}

TEST_F(SourcesFileConfig, TheLoadedListCarriesItsTable) {
  const auto config = load(base_config(), "198.51.100.128/25 east\n");
  ASSERT_TRUE(config) << listing(config.error());
  const auto table = config->sources.table();
  ASSERT_TRUE(table);
  const zones::Prefix address = p("198.51.100.200");
  EXPECT_EQ((*table)->lookup(address.family, address.address), 0U);  // "east"
  const Config copy = *config;
  EXPECT_TRUE(copy.sources.shares(config->sources)) << "a copy of a Config shares its sources";
  EXPECT_EQ(copy.sources.table()->get(), table->get());
}

}  // namespace
}  // namespace driad::config
