// TrafficOpsFeed against the real to-sim binary on loopback: one delivery
// per real change, nothing on failures or unchanged data, the empty-list
// guard, the initial topology, retry before the poll interval, prompt stop.
#include "health/traffic_ops_feed.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <vector>

#include "health/traffic_ops_json.hpp"
#include "tests/health/to_sim_process.hpp"

namespace driad::health {
namespace {

using namespace std::chrono_literals;
using testing::Eventually;
using testing::ToSimProcess;
using testing::TrafficOpsFixture;

Topology FixtureTopology() {
  Topology topology;
  topology.servers = parse_servers(TrafficOpsFixture("servers.json")).value();
  topology.cachegroups = parse_cachegroups(TrafficOpsFixture("cachegroups.json")).value();
  topology.mx_gnmi_port = 32767;
  return topology;
}

// Every topology the feed delivered, in order.
class Deliveries {
 public:
  TopologySink sink() {
    return [this](const Topology& topology) {
      std::lock_guard lock(mutex_);
      seen_.push_back(topology);
      changed_.notify_all();
    };
  }
  bool wait_count(std::size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return seen_.size() >= count; });
  }
  std::size_t size() {
    std::lock_guard lock(mutex_);
    return seen_.size();
  }
  Topology at(std::size_t index) {
    std::lock_guard lock(mutex_);
    return seen_.at(index);
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Topology> seen_;
};

class TrafficOpsFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sim = ToSimProcess::Start();
    ASSERT_TRUE(sim) << sim.error();
    sim_ = std::move(*sim);
  }
  TrafficOpsFeedConfig Config() const {
    TrafficOpsFeedConfig config;
    config.settings.url = sim_->url();
    config.settings.user = testing::kSimUser;
    config.settings.password = testing::kSimPassword;
    config.settings.timeout = 2s;
    config.poll_interval = 100ms;
    config.retry_initial = 50ms;
    return config;
  }
  void StartFeed(TrafficOpsFeedConfig config) {
    auto feed = TrafficOpsFeed::create(std::move(config), deliveries_.sink());
    ASSERT_TRUE(feed) << feed.error();
    feed_ = std::move(*feed);
    feed_->start();
  }
  void Mode(const std::string& mode) {
    auto set = sim_->SetMode(mode);
    ASSERT_TRUE(set) << set.error();
  }
  // Waits until the feed has made `more` further successful fetches.
  bool MoreFetches(std::uint64_t more) {
    const auto target = feed_->counters().messages.load() + more;
    return Eventually([&] { return feed_->counters().messages.load() >= target; }, 10s);
  }
  bool MoreFailures(std::uint64_t more) {
    const auto target = feed_->counters().failures.load() + more;
    return Eventually([&] { return feed_->counters().failures.load() >= target; }, 10s);
  }

  std::unique_ptr<ToSimProcess> sim_;
  Deliveries deliveries_;  // outlives feed_ (declared before it)
  std::unique_ptr<TrafficOpsFeed> feed_;
};

TEST_F(TrafficOpsFeedTest, DeliversOnceThenNothingWhileUnchanged) {
  StartFeed(Config());
  ASSERT_TRUE(deliveries_.wait_count(1, 10s));
  EXPECT_EQ(deliveries_.at(0), FixtureTopology());
  ASSERT_TRUE(MoreFetches(3));
  EXPECT_EQ(deliveries_.size(), 1U);
  const auto& counters = feed_->counters();
  EXPECT_EQ(counters.updates, 1U);
  EXPECT_GE(counters.unchanged, 3U);
  EXPECT_TRUE(counters.connected);
  EXPECT_EQ(counters.failures, 0U);
  EXPECT_GT(counters.last_message_ns, 0);
  EXPECT_GT(counters.last_success_unix_ms, 0);
  EXPECT_EQ(sim_->Stat("logins"), 1);  // one session, kept alive
}

TEST_F(TrafficOpsFeedTest, FailuresDeliverNothing) {
  StartFeed(Config());
  ASSERT_TRUE(deliveries_.wait_count(1, 10s));
  for (const char* mode : {"error500", "garbage", "truncated"}) {
    Mode(mode);
    // Truncated data only shows in a 200: make the next answer a new one.
    if (std::string(mode) == "truncated") {
      auto body = nlohmann::json::parse(TrafficOpsFixture("cachegroups.json"));
      body["response"][0]["latitude"] = 40.0;
      ASSERT_TRUE(sim_->Control("PUT", "/_sim/cachegroups", body.dump()));
    }
    ASSERT_TRUE(MoreFailures(2)) << mode;
    EXPECT_FALSE(feed_->counters().connected) << mode;
  }
  EXPECT_EQ(deliveries_.size(), 1U);
  // Back to normal: the changed cachegroup arrives, once.
  Mode("ok");
  ASSERT_TRUE(deliveries_.wait_count(2, 10s));
  EXPECT_EQ(deliveries_.at(1).cachegroups[0].latitude, 40.0);
  ASSERT_TRUE(MoreFetches(2));
  EXPECT_EQ(deliveries_.size(), 2U);
  EXPECT_TRUE(feed_->counters().connected);
}

TEST_F(TrafficOpsFeedTest, HangingRequestsTimeOutAndDeliverNothing) {
  auto config = Config();
  config.settings.timeout = 1s;
  StartFeed(config);
  ASSERT_TRUE(deliveries_.wait_count(1, 10s));
  Mode("hang");
  ASSERT_TRUE(MoreFailures(1));
  EXPECT_EQ(deliveries_.size(), 1U);
}

TEST_F(TrafficOpsFeedTest, EmptyServerListAfterNonEmptyIsRejected) {
  StartFeed(Config());
  ASSERT_TRUE(deliveries_.wait_count(1, 10s));
  ASSERT_TRUE(sim_->Control("PUT", "/_sim/servers", R"({"response": []})"));
  ASSERT_TRUE(Eventually([&] { return feed_->counters().rejects.load() >= 1; }, 10s));
  ASSERT_TRUE(MoreFetches(2));
  EXPECT_EQ(deliveries_.size(), 1U);
  EXPECT_FALSE(deliveries_.at(0).servers.empty());
}

TEST_F(TrafficOpsFeedTest, ChangedTopologyIsDeliveredOnce) {
  StartFeed(Config());
  ASSERT_TRUE(deliveries_.wait_count(1, 10s));
  auto body = nlohmann::json::parse(TrafficOpsFixture("servers.json"));
  body["response"].erase(0);  // mx-amt-use-01 leaves
  ASSERT_TRUE(sim_->Control("PUT", "/_sim/servers", body.dump()));
  ASSERT_TRUE(deliveries_.wait_count(2, 10s));
  ASSERT_TRUE(MoreFetches(3));
  EXPECT_EQ(deliveries_.size(), 2U);
  Topology expected = FixtureTopology();
  expected.servers.erase(expected.servers.begin() + 1);
  EXPECT_EQ(deliveries_.at(1), expected);
  EXPECT_EQ(feed_->counters().updates, 2U);
}

TEST_F(TrafficOpsFeedTest, InitialTopologyIsNotRedelivered) {
  auto config = Config();
  config.initial = FixtureTopology();
  StartFeed(config);
  ASSERT_TRUE(MoreFetches(2));
  EXPECT_EQ(deliveries_.size(), 0U);
  EXPECT_EQ(feed_->counters().updates, 0U);
}

TEST_F(TrafficOpsFeedTest, EmptyTrafficOpsCannotEmptyTheInitialTopology) {
  ASSERT_TRUE(sim_->Control("PUT", "/_sim/servers", R"({"response": []})"));
  auto config = Config();
  config.initial = FixtureTopology();
  StartFeed(config);
  ASSERT_TRUE(Eventually([&] { return feed_->counters().rejects.load() >= 1; }, 10s));
  EXPECT_EQ(deliveries_.size(), 0U);
}

TEST_F(TrafficOpsFeedTest, FailuresAreRetriedBeforeThePollInterval) {
  Mode("error500");
  auto config = Config();
  config.poll_interval = 10min;
  config.retry_initial = 50ms;
  StartFeed(config);
  ASSERT_TRUE(MoreFailures(2));
  Mode("ok");
  // Far sooner than the ten-minute poll interval.
  ASSERT_TRUE(deliveries_.wait_count(1, 20s));
  EXPECT_EQ(deliveries_.at(0), FixtureTopology());
}

TEST_F(TrafficOpsFeedTest, StopReturnsPromptlyDuringAHang) {
  auto config = Config();
  config.settings.timeout = 60s;
  StartFeed(config);
  ASSERT_TRUE(deliveries_.wait_count(1, 10s));
  const auto requests = sim_->Stat("requests");
  Mode("hang");
  // Wait until the feed's next request is being held.
  ASSERT_TRUE(Eventually([&] { return sim_->Stat("requests") > requests; }, 10s));
  const auto started = std::chrono::steady_clock::now();
  feed_->stop();
  // Far from the 60 s request timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_EQ(deliveries_.size(), 1U);
}

}  // namespace
}  // namespace driad::health
