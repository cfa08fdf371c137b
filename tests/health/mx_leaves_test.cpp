// MxLeaves: notifications (prefix + path, deletes, legacy leaves, every value
// encoding) turned into the MX verdict, tunnel count and byte rate.
#include "health/mx_leaves.hpp"

#include <gtest/gtest.h>

#include "health/gnmi_path.hpp"
#include "health/mx_feed_config.hpp"

namespace driad::health {
namespace {

constexpr const char* kLo0 = "/interfaces/interface[name=lo0]";
constexpr const char* kUd = "/interfaces/interface[name=ud-0/0/0]";

gnmi::Path path(const std::string& text) {
  return parse_path(text).value();
}

class Notification {
 public:
  explicit Notification(const std::string& prefix, std::int64_t timestamp_ns = 0) {
    *n_.mutable_prefix() = path(prefix);
    n_.set_timestamp(timestamp_ns);
  }
  Notification& text(const std::string& relative, const std::string& value) {
    auto& update = *n_.add_update();
    *update.mutable_path() = path(relative);
    update.mutable_val()->set_string_val(value);
    return *this;
  }
  Notification& json(const std::string& relative, const std::string& value) {
    auto& update = *n_.add_update();
    *update.mutable_path() = path(relative);
    update.mutable_val()->set_json_val(value);
    return *this;
  }
  Notification& number(const std::string& relative, std::uint64_t value) {
    auto& update = *n_.add_update();
    *update.mutable_path() = path(relative);
    update.mutable_val()->set_uint_val(value);
    return *this;
  }
  Notification& remove(const std::string& relative) {
    *n_.add_delete_() = path(relative);
    return *this;
  }
  operator const gnmi::Notification&() const { return n_; }  // NOLINT: test sugar

 private:
  gnmi::Notification n_;
};

MxWatchedPaths watched(bool generic_leaf = false) {
  MxFeedConfig config;
  config.relay_ip = "192.0.2.1";
  if (generic_leaf) config.paths.tunnel_count_leaf = "/amt/relay/state/tunnel-count";
  return resolve_paths(config).value();
}

const std::string kAnycast =
    "subinterfaces/subinterface[index=0]/ipv4/addresses/address[ip=192.0.2.1]/state/ip";

// Everything healthy, as mx-sim's initial values group them.
void healthy(MxLeaves& leaves, Clock::time_point now = {}) {
  leaves.apply(Notification(kLo0).text("state/oper-status", "UP").text(kAnycast, "192.0.2.1"), now);
  leaves.apply(Notification(kUd).text("state/oper-status", "UP"), now);
}

TEST(MxLeaves, HealthyNeedsInterfaceAnycastAndDevice) {
  MxLeaves leaves(watched());
  EXPECT_EQ(leaves.verdict().state, policy::MxState::unhealthy);
  healthy(leaves);
  EXPECT_EQ(leaves.verdict().state, policy::MxState::healthy) << leaves.verdict().detail;

  leaves.apply(Notification(kUd).json("state/oper-status", R"("DOWN")"), {});
  EXPECT_EQ(leaves.verdict().state, policy::MxState::unhealthy);
  EXPECT_NE(leaves.verdict().detail.find("tunnel device oper-status DOWN"), std::string::npos);
  leaves.apply(Notification(kUd).json("state/oper-status", R"("UP")"), {});
  EXPECT_EQ(leaves.verdict().state, policy::MxState::healthy);

  leaves.apply(Notification(kLo0).text("state/oper-status", "LOWER_LAYER_DOWN"), {});
  EXPECT_EQ(leaves.verdict().detail,
            "relay interface oper-status LOWER_LAYER_DOWN "
            "(/interfaces/interface[name=lo0]/state/oper-status)");
}

TEST(MxLeaves, AnycastDeleteMeansGone) {
  MxLeaves leaves(watched());
  healthy(leaves);
  // A delete of any node above the leaf removes it too.
  leaves.apply(Notification(kLo0).remove("subinterfaces/subinterface[index=0]/ipv4/addresses"), {});
  EXPECT_EQ(leaves.verdict().state, policy::MxState::unhealthy);
  EXPECT_NE(leaves.verdict().detail.find("anycast address absent"), std::string::npos);
}

TEST(MxLeaves, MissingDeviceStatusIsNotRequired) {
  MxLeaves leaves(watched());
  leaves.apply(Notification(kLo0).text("state/oper-status", "UP").text(kAnycast, "192.0.2.1"), {});
  EXPECT_EQ(leaves.verdict().state, policy::MxState::healthy);
  EXPECT_NE(leaves.verdict().detail.find("not required"), std::string::npos);
}

TEST(MxLeaves, CountsSubinterfaceKeysAndAppliesDeletes) {
  MxLeaves leaves(watched());
  healthy(leaves);
  EXPECT_EQ(leaves.tunnels(), 0U);
  for (int i = 1; i <= 3; ++i) {
    const std::string entry = "subinterfaces/subinterface[index=" + std::to_string(i) + "]";
    leaves.apply(Notification(kUd)
                     .number(entry + "/state/index", static_cast<std::uint64_t>(i))
                     .text(entry + "/state/oper-status", "UP"),
                 {});
  }
  EXPECT_EQ(leaves.tunnels(), 3U);
  leaves.apply(Notification(kUd).remove("subinterfaces/subinterface[index=3]"), {});
  EXPECT_EQ(leaves.tunnels(), 2U);
  // Deleting one leaf of an entry keeps the entry; deleting both removes it.
  leaves.apply(Notification(kUd).remove("subinterfaces/subinterface[index=2]/state/index"), {});
  EXPECT_EQ(leaves.tunnels(), 2U);
  leaves.apply(Notification(kUd).remove("subinterfaces/subinterface[index=2]/state/oper-status"),
               {});
  EXPECT_EQ(leaves.tunnels(), 1U);
  leaves.apply(Notification(kUd).remove("subinterfaces"), {});
  EXPECT_EQ(leaves.tunnels(), 0U);
}

TEST(MxLeaves, GenericTunnelLeaf) {
  MxLeaves leaves(watched(/*generic_leaf=*/true));
  EXPECT_FALSE(leaves.tunnels());
  leaves.apply(Notification("/amt/relay").json("state/tunnel-count", R"("300")"), {});
  EXPECT_EQ(leaves.tunnels(), 300U);
  leaves.apply(Notification("/amt").remove("relay"), {});
  EXPECT_FALSE(leaves.tunnels());
  // With the generic leaf, subinterfaces are not counted.
  leaves.apply(Notification(kUd).number("subinterfaces/subinterface[index=1]/state/index", 1), {});
  EXPECT_FALSE(leaves.tunnels());
}

TEST(MxLeaves, IgnoresLegacyLeavesAndCountsRejects) {
  MxLeaves leaves(watched());
  healthy(leaves);
  EXPECT_EQ(
      leaves.apply(Notification(kLo0).number("__timestamp__", 5).text("state/__x__", "y"), {}), 0);
  gnmi::Notification bad = Notification(kUd);
  auto& update = *bad.add_update();
  *update.mutable_path() = path("state/counters/out-octets");
  update.mutable_val()->set_string_val("lots");
  EXPECT_EQ(leaves.apply(bad, {}), 1);
  EXPECT_EQ(leaves.verdict().state, policy::MxState::healthy);
}

TEST(MxLeaves, ByteRateFromTimestampsThenReceiveTime) {
  MxLeaves leaves(watched());
  constexpr std::int64_t kSecond = 1'000'000'000;
  leaves.apply(Notification(kUd, 10 * kSecond).number("state/counters/out-octets", 1000), {});
  leaves.apply(Notification(kUd, 12 * kSecond).number("state/counters/out-octets", 251000), {});
  EXPECT_DOUBLE_EQ(leaves.out_octets_rate_bps(), 1e6);  // 250000 bytes in 2 s
  // Out of order: ignored.
  leaves.apply(Notification(kUd, 11 * kSecond).number("state/counters/out-octets", 2000), {});
  EXPECT_DOUBLE_EQ(leaves.out_octets_rate_bps(), 1e6);
  // Counter reset: new baseline, rate kept until the next sample.
  leaves.apply(Notification(kUd, 13 * kSecond).number("state/counters/out-octets", 10), {});
  EXPECT_DOUBLE_EQ(leaves.out_octets_rate_bps(), 1e6);
  leaves.apply(Notification(kUd, 14 * kSecond).number("state/counters/out-octets", 1010), {});
  EXPECT_DOUBLE_EQ(leaves.out_octets_rate_bps(), 8000);

  MxLeaves untimed(watched());
  const Clock::time_point t0{std::chrono::seconds(100)};
  untimed.apply(Notification(kUd).number("state/counters/out-octets", 0), t0);
  untimed.apply(Notification(kUd).number("state/counters/out-octets", 500),
                t0 + std::chrono::milliseconds(500));
  EXPECT_DOUBLE_EQ(untimed.out_octets_rate_bps(), 8000);
}

TEST(MxLeaves, ResetForgetsLeaves) {
  MxLeaves leaves(watched());
  healthy(leaves);
  leaves.reset();
  EXPECT_EQ(leaves.verdict().state, policy::MxState::unhealthy);
}

TEST(MxFeedConfig, DefaultsAndErrors) {
  EXPECT_EQ(default_anycast_path("2001:db8::1"),
            "/interfaces/interface[name=lo0]/subinterfaces/subinterface[index=0]/ipv6/addresses/"
            "address[ip=2001:db8::1]/state/ip");
  MxFeedConfig config;
  config.relay_ip = "192.0.2.1";
  config.paths.ud_status = "/interfaces/interface[name=ud-0/0/0/state";
  auto resolved = resolve_paths(config);
  ASSERT_FALSE(resolved);
  EXPECT_EQ(resolved.error(),
            "ud_status '/interfaces/interface[name=ud-0/0/0/state': column 22: unterminated key "
            "'name' (missing ']')");
  config.stale_after = std::chrono::seconds(30);
  EXPECT_EQ(heartbeat_interval(config), std::chrono::seconds(10));
}

}  // namespace
}  // namespace driad::health
