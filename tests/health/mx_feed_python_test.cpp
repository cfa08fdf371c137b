// MxFeed against a gNMI server from another codebase: a small Python grpcio
// server (gnmi_python_server.py) with stubs generated at test time. It sends
// values in encodings mx-sim never uses, full paths without a prefix, and a
// Juniper-style extension; with --refuse-stream it forces the POLL fallback.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "health/mx_feed.hpp"
#include "tests/health/feed_recorder.hpp"

extern char** environ;

namespace driad::health {
namespace {

using namespace std::chrono_literals;
using policy::MxState;

// The Python server as a child process; killed and reaped by the destructor.
class PythonServer {
 public:
  explicit PythonServer(bool refuse_stream) {
    char pattern[] = "/tmp/driad-gnmi-py-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) return;
    workdir_ = pattern;
    std::vector<std::string> args = {
        DRIAD_PYTHON3, std::string(DRIAD_SOURCE_DIR) + "/tests/health/gnmi_python_server.py",
        DRIAD_SOURCE_DIR, workdir_};
    if (refuse_stream) args.emplace_back("--refuse-stream");
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    if (::posix_spawn(&pid_, DRIAD_PYTHON3, &actions, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    out_ = fds[0];
    // "port N", within 20 s (stub generation included).
    std::string line;
    const auto until = std::chrono::steady_clock::now() + 20s;
    while (pid_ > 0 && std::chrono::steady_clock::now() < until) {
      pollfd waiting{out_, POLLIN, 0};
      if (::poll(&waiting, 1, 100) <= 0) continue;
      char c = 0;
      if (::read(out_, &c, 1) != 1) break;
      if (c != '\n') {
        line.push_back(c);
        continue;
      }
      if (line.starts_with("port ")) port_ = std::stoi(line.substr(5));
      break;
    }
  }
  ~PythonServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) ::close(out_);
    std::error_code ignored;
    if (!workdir_.empty()) std::filesystem::remove_all(workdir_, ignored);
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int port_ = 0;
  std::string workdir_;
};

class MxFeedPythonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string check =
        std::string(DRIAD_PYTHON3) + " -c 'import grpc, grpc_tools.protoc' >/dev/null 2>&1";
    if (std::system(check.c_str()) != 0) {
      GTEST_SKIP() << "python3-grpcio / python3-grpc-tools not installed";
    }
  }
  void Start(bool refuse_stream) {
    server_ = std::make_unique<PythonServer>(refuse_stream);
    ASSERT_GT(server_->port(), 0) << "the Python gNMI server did not start";
    MxFeedConfig config;
    config.name = "mx-python";
    config.target = "127.0.0.1:" + std::to_string(server_->port());
    config.relay_ip = "192.0.2.1";
    config.stale_after = 600ms;  // POLL every 200 ms
    auto feed = MxFeed::create(config, recorder_.sink());
    ASSERT_TRUE(feed) << feed.error();
    feed_ = std::move(*feed);
    feed_->start();
  }

  std::unique_ptr<PythonServer> server_;
  testing::Recorder recorder_;
  std::unique_ptr<MxFeed> feed_;
};

TEST_F(MxFeedPythonTest, StreamInitialSyncThenUpdate) {
  Start(/*refuse_stream=*/false);
  const auto healthy = recorder_.wait_state(MxState::healthy, 10s);
  ASSERT_TRUE(healthy);
  EXPECT_EQ(recorder_.at(0).reported, MxState::unknown);
  EXPECT_TRUE(recorder_.at(*healthy).tunnels_known);
  EXPECT_EQ(recorder_.at(*healthy).tunnels, 2U);
  EXPECT_TRUE(recorder_.wait([](const auto& o) { return o.tunnels == 3; }, 2s, *healthy));
  EXPECT_EQ(feed_->counters().rejects.load(), 0U);
  EXPECT_FALSE(feed_->polling());
}

TEST_F(MxFeedPythonTest, RefusedStreamFallsBackToPoll) {
  Start(/*refuse_stream=*/true);
  const auto healthy = recorder_.wait_state(MxState::healthy, 10s);
  ASSERT_TRUE(healthy);
  EXPECT_TRUE(feed_->polling());
  // Each poll round reports one more tunnel: polls keep coming.
  const auto first = recorder_.at(*healthy).tunnels;
  EXPECT_TRUE(recorder_.wait([first](const auto& o) { return o.tunnels >= first + 2; }, 3s));
}

}  // namespace
}  // namespace driad::health
