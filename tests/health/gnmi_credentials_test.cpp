// read_gnmi_credentials: variables, _FILE twins, and the errors between them.
#include "health/gnmi_credentials.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

namespace driad::health {
namespace {

EnvLookup fake(const std::map<std::string, std::string>& env) {
  return [env](const char* name) -> const char* {
    const auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
}

TEST(GnmiCredentials, FromVariables) {
  auto got = read_gnmi_credentials(fake({{"GNMI_USERNAME", "driad"}, {"GNMI_PASSWORD", "s3"}}));
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->username, "driad");
  EXPECT_EQ(got->password, "s3");
}

TEST(GnmiCredentials, FromFilesWithoutTrailingNewline) {
  char name[] = "/tmp/driad-gnmi-password-XXXXXX";
  const int fd = ::mkstemp(name);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::ofstream(name) << "pa ss\n";
  auto got = read_gnmi_credentials(fake({{"GNMI_USERNAME", "u"}, {"GNMI_PASSWORD_FILE", name}}));
  ::unlink(name);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->password, "pa ss");
}

TEST(GnmiCredentials, UnsetMeansEmpty) {
  auto got = read_gnmi_credentials(fake({}));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->username, "");
  EXPECT_EQ(got->password, "");
}

TEST(GnmiCredentials, Errors) {
  auto both = read_gnmi_credentials(fake({{"GNMI_PASSWORD", "a"}, {"GNMI_PASSWORD_FILE", "/x"}}));
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error(), "both GNMI_PASSWORD and GNMI_PASSWORD_FILE are set; set only one");
  auto missing = read_gnmi_credentials(fake({{"GNMI_USERNAME_FILE", "/nonexistent/user"}}));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("GNMI_USERNAME_FILE=/nonexistent/user: cannot open"),
            std::string::npos)
      << missing.error();
}

TEST(GnmiCredentials, ProcessEnvironment) {
  ::setenv("GNMI_USERNAME", "env-user", 1);
  ::unsetenv("GNMI_USERNAME_FILE");
  ::unsetenv("GNMI_PASSWORD");
  ::unsetenv("GNMI_PASSWORD_FILE");
  auto got = read_gnmi_credentials();
  ::unsetenv("GNMI_USERNAME");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->username, "env-user");
}

}  // namespace
}  // namespace driad::health
