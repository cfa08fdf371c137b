// read_traffic_ops_credentials: variables, _FILE twins, the errors between
// them, and the real process environment.
#include "health/traffic_ops_credentials.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <string>

namespace driad::health {
namespace {

EnvLookup fake(const std::map<std::string, std::string>& env) {
  return [env](const char* name) -> const char* {
    const auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
}

// A temporary file holding `text`, removed with the object.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    const int fd = ::mkstemp(name_);
    EXPECT_GE(fd, 0);
    if (fd >= 0) ::close(fd);
    std::ofstream(name_, std::ios::binary) << text;
  }
  ~TempFile() { ::unlink(name_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const char* name() const { return name_; }

 private:
  char name_[40] = "/tmp/driad-to-secret-XXXXXX";
};

// Sets (or, with nullptr, unsets) a variable for the scope, restoring it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

TEST(TrafficOpsCredentials, FromVariables) {
  auto got = read_traffic_ops_credentials(fake({{"TO_USER", "amt-driad"}, {"TO_PASSWORD", "pw"}}));
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->user, "amt-driad");
  EXPECT_EQ(got->password, "pw");
}

TEST(TrafficOpsCredentials, FromFilesWithoutTrailingNewline) {
  TempFile user("amt-driad\n");
  TempFile password("pa ss\r\n\n");
  auto got = read_traffic_ops_credentials(
      fake({{"TO_USER_FILE", user.name()}, {"TO_PASSWORD_FILE", password.name()}}));
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->user, "amt-driad");
  EXPECT_EQ(got->password, "pa ss");
}

TEST(TrafficOpsCredentials, UnsetMeansEmpty) {
  auto got = read_traffic_ops_credentials(fake({}));
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->user, "");
  EXPECT_EQ(got->password, "");
}

TEST(TrafficOpsCredentials, Errors) {
  auto both = read_traffic_ops_credentials(fake({{"TO_USER", "a"}, {"TO_USER_FILE", "/x"}}));
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error(), "both TO_USER and TO_USER_FILE are set; set only one");
  auto missing = read_traffic_ops_credentials(
      fake({{"TO_USER", "u"}, {"TO_PASSWORD_FILE", "/nonexistent/to-password"}}));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(),
            "TO_PASSWORD_FILE=/nonexistent/to-password: cannot open: No such file or directory");
}

TEST(TrafficOpsCredentials, ProcessEnvironment) {
  TempFile password("from-file\n");
  const char* outside = std::getenv("TO_PASSWORD_FILE");
  const std::optional<std::string> before =
      outside == nullptr ? std::nullopt : std::optional<std::string>(outside);
  {
    ScopedEnv user("TO_USER", "env-user");
    ScopedEnv user_file("TO_USER_FILE", nullptr);
    ScopedEnv direct("TO_PASSWORD", nullptr);
    ScopedEnv file("TO_PASSWORD_FILE", password.name());
    auto got = read_traffic_ops_credentials();
    ASSERT_TRUE(got) << got.error();
    EXPECT_EQ(got->user, "env-user");
    EXPECT_EQ(got->password, "from-file");
  }
  // Restored as it was.
  const char* after = std::getenv("TO_PASSWORD_FILE");
  EXPECT_EQ(after == nullptr ? std::nullopt : std::optional<std::string>(after), before);
}

}  // namespace
}  // namespace driad::health
