// --user parsing; the drop itself is tested on a running driadd (as root) in
// tests/integration/test_lifecycle.py.
#include "src/privileges.hpp"

#include <gtest/gtest.h>

namespace driad::app {
namespace {

TEST(RunAs, UserOrUserAndGroup) {
  const auto user = parse_run_as("driad");
  ASSERT_TRUE(user) << user.error();
  EXPECT_EQ(user->user, "driad");
  EXPECT_EQ(user->group, "");
  const auto both = parse_run_as("driad:nogroup");
  ASSERT_TRUE(both) << both.error();
  EXPECT_EQ(both->user, "driad");
  EXPECT_EQ(both->group, "nogroup");
}

TEST(RunAs, RefusesWhatIsNotAName) {
  for (const char* bad : {"", ":", "driad:", ":driad", "dri ad", "a:b:c", "x;rm"}) {
    EXPECT_FALSE(parse_run_as(bad)) << bad;
  }
  EXPECT_EQ(parse_run_as("a b").error(), "--user: 'a b' is not USER or USER:GROUP");
}

TEST(PrivilegedPortHint, NamesBothWays) {
  const std::string hint = privileged_port_hint();
  EXPECT_NE(hint.find("--user"), std::string::npos);
  EXPECT_NE(hint.find("CAP_NET_BIND_SERVICE"), std::string::npos);
}

}  // namespace
}  // namespace driad::app
