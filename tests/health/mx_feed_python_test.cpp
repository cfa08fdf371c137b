// MxFeed against a gNMI server from another codebase: a small Python grpcio
// server (gnmi_python_server.py) with stubs generated at test time. It sends
// values in encodings mx-sim never uses, full paths without a prefix, and a
// Juniper-style extension; with --refuse-stream it forces the POLL fallback.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "health/mx_feed.hpp"
#include "tests/health/feed_recorder.hpp"
#include "tests/support/child_process.hpp"

namespace driad::health {
namespace {

using namespace std::chrono_literals;
using policy::MxState;

// The Python server as a child process, stopped by the destructor before its
// work folder goes.
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
    // "port N", within 20 s (stub generation included).
    auto child = test_support::ChildProcess::Start(
        std::move(args), [](const std::string& line) { return line.starts_with("port "); }, 20s);
    if (!child) {
      ADD_FAILURE() << child.error();
      return;
    }
    process_ = std::move(*child);
    port_ = std::stoi(process_->lines().back().substr(5));
  }
  ~PythonServer() {
    process_.reset();
    std::error_code ignored;
    if (!workdir_.empty()) std::filesystem::remove_all(workdir_, ignored);
  }
  int port() const { return port_; }

 private:
  std::unique_ptr<test_support::ChildProcess> process_;
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
