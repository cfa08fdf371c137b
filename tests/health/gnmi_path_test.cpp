// gNMI path strings: parse, print, round trip, and errors that say where.
#include "health/gnmi_path.hpp"

#include <gtest/gtest.h>

namespace driad::health {
namespace {

TEST(GnmiPath, SlashInsideKeyIsNotASeparator) {
  auto path = parse_path("/interfaces/interface[name=et-0/0/0]/state/oper-status");
  ASSERT_TRUE(path) << path.error();
  ASSERT_EQ(path->elem_size(), 4);
  EXPECT_EQ(path->elem(1).name(), "interface");
  EXPECT_EQ(path->elem(1).key().at("name"), "et-0/0/0");
  EXPECT_EQ(path->elem(3).name(), "oper-status");
}

TEST(GnmiPath, SeveralKeysAndEscapes) {
  auto path = parse_path(R"(/a/b[x=1][y=v\]w\\z[=/]/c)");
  ASSERT_TRUE(path) << path.error();
  ASSERT_EQ(path->elem_size(), 3);
  EXPECT_EQ(path->elem(1).key().at("x"), "1");
  EXPECT_EQ(path->elem(1).key().at("y"), R"(v]w\z[=/)");
  EXPECT_EQ(path_to_string(*path), R"(/a/b[x=1][y=v\]w\\z[=/]/c)");
}

TEST(GnmiPath, RoundTripSortsKeys) {
  auto path = parse_path("components/component[name=Routing Engine0][b=2]/state");
  ASSERT_TRUE(path) << path.error();
  EXPECT_EQ(path_to_string(*path), "/components/component[b=2][name=Routing Engine0]/state");
  auto again = parse_path(path_to_string(*path));
  ASSERT_TRUE(again);
  EXPECT_TRUE(same_path(*path, *again));
}

TEST(GnmiPath, RootIsEmpty) {
  auto path = parse_path("/");
  ASSERT_TRUE(path);
  EXPECT_EQ(path->elem_size(), 0);
  EXPECT_EQ(path_to_string(*path), "/");
}

struct BadPath {
  const char* text;
  const char* error;
};

class GnmiPathErrors : public ::testing::TestWithParam<BadPath> {};

TEST_P(GnmiPathErrors, SayWhatAndWhere) {
  auto path = parse_path(GetParam().text);
  ASSERT_FALSE(path) << GetParam().text;
  EXPECT_EQ(path.error(), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    All, GnmiPathErrors,
    ::testing::Values(BadPath{"", "column 1: empty path (the root is \"/\")"},
                      BadPath{"/a//b", "column 4: empty element name"},
                      BadPath{"/a/b/", "column 6: trailing '/'"},
                      BadPath{"/a[name=x", "column 3: unterminated key 'name' (missing ']')"},
                      BadPath{"/a[name]", "column 3: key without '=' in element 'a'"},
                      BadPath{"/a[=x]", "column 4: empty key name in element 'a'"},
                      BadPath{"/a[k=1][k=2]", "column 8: duplicate key 'k' in element 'a'"},
                      BadPath{R"(/a[k=\n])",
                              "column 6: bad escape in key 'k' (only \\] and \\\\ "
                              "are escapes)"},
                      BadPath{"/a[k=1]x", "column 8: expected '/' or '[' after element 'a'"},
                      BadPath{"/a]b", "column 3: unexpected ']' in element name"}));

TEST(GnmiPath, JoinAndPrefix) {
  auto prefix = parse_path("/interfaces/interface[name=ud-0/0/0]");
  auto relative = parse_path("subinterfaces/subinterface[index=3]/state/index");
  ASSERT_TRUE(prefix && relative);
  prefix->set_target("mx1");
  const gnmi::Path full = join_path(*prefix, *relative);
  EXPECT_EQ(full.target(), "mx1");
  EXPECT_EQ(path_to_string(full),
            "/interfaces/interface[name=ud-0/0/0]/subinterfaces/subinterface[index=3]/state/index");
  auto container = parse_path("/interfaces/interface[name=ud-0/0/0]/subinterfaces");
  auto other = parse_path("/interfaces/interface[name=ud-0/0/1]/subinterfaces");
  ASSERT_TRUE(container && other);
  EXPECT_TRUE(path_starts_with(full, *container));
  EXPECT_FALSE(path_starts_with(full, *other));
  EXPECT_FALSE(path_starts_with(*container, full));
  EXPECT_FALSE(same_path(full, *container));
}

}  // namespace
}  // namespace driad::health
