// ChildProcess (child_process.hpp) with /bin/sh as the child: the ready line,
// the kept lines, the errors, and that a child is gone once it was refused.
#include "tests/support/child_process.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <string>
#include <vector>

namespace driad::test_support {
namespace {

bool Never(const std::string&) {
  return false;
}

TEST(ChildProcess, ReadyLineEndsTheWaitAndTheLinesAreKept) {
  auto child = ChildProcess::Start(
      {"/bin/sh", "-c", "echo one; echo ready; echo later; exec sleep 30"},
      [](const std::string& line) { return line == "ready"; }, 10s);
  ASSERT_TRUE(child) << child.error();
  EXPECT_EQ((*child)->lines(), (std::vector<std::string>{"one", "ready"}));
  EXPECT_EQ((*child)->Stop(), 128 + SIGTERM);
  EXPECT_EQ((*child)->Stop(), -1);  // already stopped
}

TEST(ChildProcess, ExitCodeOfAChildThatHandlesSigterm) {
  auto child = ChildProcess::Start(
      {"sh", "-c", "trap 'exit 3' TERM; echo ready; while :; do sleep 0.05; done"},
      [](const std::string& line) { return line == "ready"; }, 10s);
  ASSERT_TRUE(child) << child.error();
  EXPECT_EQ((*child)->Stop(), 3);
}

TEST(ChildProcess, NoReadyLineIsAnErrorAndTheChildIsStopped) {
  auto child = ChildProcess::Start({"/bin/sh", "-c", "echo $$; exec sleep 30"}, Never, 300ms);
  ASSERT_FALSE(child);
  const std::string& error = child.error();
  EXPECT_NE(error.find("/bin/sh was not ready within 300 ms; its stdout:\n  "), std::string::npos)
      << error;
  const pid_t pid = std::stoi(error.substr(error.rfind(' ') + 1));
  ASSERT_GT(pid, 0);
  EXPECT_EQ(::kill(pid, 0), -1);  // killed and reaped
  EXPECT_EQ(errno, ESRCH);
}

TEST(ChildProcess, ExitBeforeTheReadyLineIsAnError) {
  auto child = ChildProcess::Start({"/bin/sh", "-c", "echo bye"}, Never, 10s);
  ASSERT_FALSE(child);
  EXPECT_NE(child.error().find("its stdout:\n  bye"), std::string::npos) << child.error();
  auto silent = ChildProcess::Start({"/bin/sh", "-c", "exit 0"}, Never, 10s);
  ASSERT_FALSE(silent);
  EXPECT_NE(silent.error().find("its stdout: nothing"), std::string::npos) << silent.error();
}

TEST(ChildProcess, MissingProgramIsAnError) {
  auto child = ChildProcess::Start({"/nonexistent/driad-tool"}, Never, 1s);
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().rfind("posix_spawn /nonexistent/driad-tool: ", 0), 0U) << child.error();
  EXPECT_FALSE(ChildProcess::Start({}, Never, 1s));
}

}  // namespace
}  // namespace driad::test_support
