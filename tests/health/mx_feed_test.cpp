// MxFeed against the real mx-sim binary on loopback (plaintext): sync, state
// changes, tunnel counts, stall/resume, drop/reconnect, backoff, auth, stop.
#include "health/mx_feed.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/health/feed_recorder.hpp"
#include "tests/tools/mx_sim_process.hpp"

namespace driad::health {
namespace {

using namespace std::chrono_literals;
using mxsim::testing::MxSimProcess;
using policy::MxState;
using testing::Recorder;

class MxFeedTest : public ::testing::Test {
 protected:
  void StartSim(const std::vector<std::string>& args = {}) {
    auto started = MxSimProcess::Start(args);
    ASSERT_TRUE(started) << started.error();
    sim_ = std::move(*started);
  }
  void Control(const std::string& command) {
    auto reply = sim_->Control(command);
    ASSERT_TRUE(reply) << command << ": " << reply.error();
  }
  MxFeedConfig Config() const {
    MxFeedConfig config;
    config.name = "mx-test";
    config.target = sim_->gnmi_address();
    config.relay_ip = "192.0.2.1";
    config.stale_after = 600ms;  // heartbeats every 200 ms
    config.sample_interval = 200ms;
    config.backoff_initial = 100ms;
    config.backoff_max = 2s;
    return config;
  }
  void StartFeed(const MxFeedConfig& config) {
    auto feed = MxFeed::create(config, recorder_.sink());
    ASSERT_TRUE(feed) << feed.error();
    feed_ = std::move(*feed);
    feed_->start();
  }
  void StartHealthy(const MxFeedConfig& config) {
    StartFeed(config);
    ASSERT_TRUE(recorder_.wait_state(MxState::healthy, 5s)) << LastDetail();
  }
  std::string LastDetail() {
    const size_t n = recorder_.size();
    return n == 0 ? "(no observation)" : recorder_.at(n - 1).detail;
  }

  std::unique_ptr<MxSimProcess> sim_;
  Recorder recorder_;  // outlives feed_ (declared before it)
  std::unique_ptr<MxFeed> feed_;
};

TEST_F(MxFeedTest, UnknownUntilSyncThenHealthy) {
  StartSim({"--tunnels", "5"});
  StartHealthy(Config());
  const auto all = recorder_.all();
  EXPECT_EQ(all.front().reported, MxState::unknown);
  const auto healthy = std::find_if(all.begin(), all.end(),
                                    [](const auto& o) { return o.reported == MxState::healthy; });
  EXPECT_TRUE(healthy->tunnels_known);
  EXPECT_EQ(healthy->tunnels, 5U);
  EXPECT_TRUE(feed_->counters().connected);
  EXPECT_EQ(feed_->counters().failures, 0U);
  EXPECT_EQ(feed_->counters().rejects, 0U);
  EXPECT_FALSE(feed_->polling());
}

TEST_F(MxFeedTest, OperStatusDownIsUnhealthyWithinOneSecond) {
  StartSim();
  StartHealthy(Config());
  const size_t mark = recorder_.size();
  Control("oper-status DOWN");
  const auto down = recorder_.wait_state(MxState::unhealthy, 1s, mark);
  ASSERT_TRUE(down);
  EXPECT_NE(recorder_.at(*down).detail.find("oper-status DOWN"), std::string::npos);
  Control("oper-status UP");
  EXPECT_TRUE(recorder_.wait_state(MxState::healthy, 1s, *down));
  Control("ud-status DOWN");
  EXPECT_TRUE(recorder_.wait_state(MxState::unhealthy, 1s, recorder_.size()));
}

TEST_F(MxFeedTest, TunnelsBySubinterfaceCount) {
  StartSim();
  StartHealthy(Config());
  Control("tunnels 300");
  EXPECT_TRUE(
      recorder_.wait([](const auto& o) { return o.tunnels_known && o.tunnels == 300; }, 3s));
  Control("tunnels 10");  // 290 subinterfaces deleted
  EXPECT_TRUE(recorder_.wait([](const auto& o) { return o.tunnels_known && o.tunnels == 10; }, 3s,
                             recorder_.size()));
}

TEST_F(MxFeedTest, TunnelsByGenericLeaf) {
  StartSim();
  MxFeedConfig config = Config();
  config.paths.tunnel_count_leaf = "/amt/relay/state/tunnel-count";
  StartHealthy(config);
  Control("tunnels 300");
  EXPECT_TRUE(
      recorder_.wait([](const auto& o) { return o.tunnels_known && o.tunnels == 300; }, 3s));
}

TEST_F(MxFeedTest, AnycastAbsentIsUnhealthy) {
  StartSim();
  StartHealthy(Config());
  Control("anycast absent");
  const auto gone = recorder_.wait_state(MxState::unhealthy, 1s, recorder_.size());
  ASSERT_TRUE(gone);
  EXPECT_NE(recorder_.at(*gone).detail.find("anycast address absent"), std::string::npos);
  Control("anycast present");
  EXPECT_TRUE(recorder_.wait_state(MxState::healthy, 1s, *gone));
}

TEST_F(MxFeedTest, StallStopsMessagesAndResumeRestartsThem) {
  StartSim();
  StartHealthy(Config());
  Control("stall");
  std::this_thread::sleep_for(150ms);  // whatever was in flight lands
  const auto before = feed_->counters().messages.load();
  const size_t observations = recorder_.size();
  std::this_thread::sleep_for(800ms);  // > stale_after: the receiver would call it stale
  EXPECT_EQ(feed_->counters().messages.load(), before);
  EXPECT_EQ(recorder_.size(), observations);
  Control("resume");
  EXPECT_TRUE(recorder_.wait_state(MxState::healthy, 1s, observations));
  EXPECT_GT(feed_->counters().messages.load(), before);
}

TEST_F(MxFeedTest, DropIsUnhealthyThenReconnectsQuickly) {
  StartSim();
  StartHealthy(Config());
  for (int round = 1; round <= 2; ++round) {
    const size_t mark = recorder_.size();
    Control("drop");
    const auto lost = recorder_.wait_state(MxState::unhealthy, 1s, mark);
    ASSERT_TRUE(lost) << "round " << round;
    EXPECT_NE(recorder_.at(*lost).detail.find("UNAVAILABLE"), std::string::npos);
    // Backoff was reset by the first message: the retry comes after ~100 ms
    // every time, not after a delay that grew.
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(recorder_.wait_state(MxState::healthy, 2s, *lost)) << "round " << round;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
    EXPECT_EQ(feed_->counters().failures.load(), static_cast<std::uint64_t>(round));
  }
}

TEST_F(MxFeedTest, RefusedSubscribesBackOffThenRecover) {
  StartSim();
  StartHealthy(Config());
  Control("refuse on");
  const size_t mark = recorder_.size();
  Control("drop");
  std::this_thread::sleep_for(3s);
  EXPECT_FALSE(feed_->counters().connected);
  // 100, 200, 400, 800, 1600 ms (±20 %): about five tries in 3 s, not hundreds.
  const auto failures = feed_->counters().failures.load();
  EXPECT_GE(failures, 3U);
  EXPECT_LE(failures, 8U);
  std::vector<Clock::time_point> times;
  for (const auto& o : recorder_.all()) {
    if (o.reported == MxState::unhealthy) times.push_back(o.received);
  }
  ASSERT_GE(times.size(), 4U);
  EXPECT_GT(times[3] - times[2], (times[1] - times[0]) * 2);  // growing delays
  EXPECT_FALSE(recorder_.wait_state(MxState::healthy, 0ms, mark));
  Control("refuse off");
  EXPECT_TRUE(recorder_.wait_state(MxState::healthy, 4s, mark));
}

TEST_F(MxFeedTest, WrongPasswordNeverHealthy) {
  StartSim({"--username", "driad", "--password", "right"});
  MxFeedConfig config = Config();
  config.credentials = {"driad", "wrong"};
  StartFeed(config);
  const auto refused = recorder_.wait(
      [](const auto& o) { return o.detail.find("UNAUTHENTICATED") != std::string::npos; }, 3s);
  ASSERT_TRUE(refused) << LastDetail();
  EXPECT_EQ(recorder_.at(*refused).reported, MxState::unhealthy);
  std::this_thread::sleep_for(500ms);
  EXPECT_FALSE(recorder_.wait_state(MxState::healthy, 0ms));
  EXPECT_GE(feed_->counters().failures.load(), 1U);
}

TEST_F(MxFeedTest, RightPasswordHealthy) {
  StartSim({"--username", "driad", "--password", "right"});
  MxFeedConfig config = Config();
  config.credentials = {"driad", "right"};
  StartHealthy(config);
}

TEST_F(MxFeedTest, JuniperHeaderAndLegacyLeavesIgnored) {
  StartSim({"--juniper-header", "--legacy-leaves", "--tunnels", "3"});
  StartHealthy(Config());
  EXPECT_TRUE(recorder_.wait([](const auto& o) { return o.tunnels_known && o.tunnels == 3; }, 1s));
  EXPECT_EQ(feed_->counters().rejects.load(), 0U);
}

TEST_F(MxFeedTest, ByteRateFromOutOctets) {
  StartSim();
  StartHealthy(Config());
  Control("rate 8000000");
  EXPECT_TRUE(recorder_.wait(
      [](const auto& o) { return o.out_octets_rate_bps > 7e6 && o.out_octets_rate_bps < 9e6; }, 3s))
      << recorder_.at(recorder_.size() - 1).out_octets_rate_bps;
}

TEST_F(MxFeedTest, StopIsBoundedWhileStreamingAndWhileBackingOff) {
  StartSim();
  StartHealthy(Config());
  auto start = std::chrono::steady_clock::now();
  feed_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);

  MxFeedConfig config = Config();
  config.backoff_initial = 5s;  // stop() must not wait the delay out
  Control("refuse on");
  StartFeed(config);
  ASSERT_TRUE(recorder_.wait(
      [](const auto& o) { return o.detail.find("UNAVAILABLE") != std::string::npos; }, 3s));
  start = std::chrono::steady_clock::now();
  feed_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(MxFeedCreate, RejectsBadConfig) {
  MxFeedConfig config;
  config.target = "127.0.0.1:1";
  auto no_relay = MxFeed::create(config, [](const MxObservation&) {});
  ASSERT_FALSE(no_relay);
  EXPECT_EQ(no_relay.error(), "mx feed mx: no relay_ip to build the anycast path from");
  config.relay_ip = "192.0.2.1";
  config.tls = MxTlsConfig{"/nonexistent/ca.crt", "", "", ""};
  auto no_ca = MxFeed::create(config, [](const MxObservation&) {});
  ASSERT_FALSE(no_ca);
  EXPECT_NE(no_ca.error().find("tls ca_file '/nonexistent/ca.crt': cannot open"),
            std::string::npos);
}

}  // namespace
}  // namespace driad::health
