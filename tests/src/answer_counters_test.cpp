// AnswerCounters: which per-worker answer counter each (relay group,
// decision) gets, kept across snapshots, shared as "_other" when all are taken.
#include "src/answer_counters.hpp"

#include <gtest/gtest.h>

#include "config/config.hpp"
#include "src/live_groups.hpp"
#include "src/snapshot_spec.hpp"

namespace driad::app {
namespace {

using namespace std::chrono_literals;

constexpr const char* kConfig = R"({
  "listen": ["127.0.0.1:5353"],
  "zones": [{ "origin": "100.51.198.in-addr.arpa.",
              "soa": { "mname": "ns1.example.", "rname": "h.example." }, "ns": ["ns1.example."] }],
  "sources": [{ "prefix": "198.51.100.0/24", "relay_group": "east" },
              { "prefix": "198.51.100.128/25", "relay_group": "west" }],
  "relay_groups": [
    { "name": "west", "relays": ["10 0 1 203.0.113.15"] },
    { "name": "east",
      "mx": { "relay": "192.0.2.1", "gnmi_target": "127.0.0.1:32767", "max_tunnels": 100 },
      "gateways": [ { "relay": "192.0.2.12" } ] }
  ],
  "policy": { "hold_up_s": 10 }
})";

const policy::Time kStart = policy::Time{} + 1000s;

std::uint16_t counter_of(const zones::SnapshotSpec& spec, const std::string& name) {
  for (const auto& group : spec.groups)
    if (group.name == name) return group.answer_counter;
  ADD_FAILURE() << "no group " << name;
  return 0;
}

TEST(AnswerCounters, EachGroupAndDecisionGetsItsOwnCounterForGood) {
  const auto config = config::parse_config(kConfig, "test.json");
  ASSERT_TRUE(config);
  LiveGroups live(*config);
  live.evaluate(kStart);  // east: gateway_only (the MX is not known yet)
  AnswerCounters counters(16);

  auto first = snapshot_spec(*config, 1, &live);
  counters.assign(first, &live);
  const std::uint16_t east = counter_of(first, "east");
  const std::uint16_t west = counter_of(first, "west");
  EXPECT_NE(east, 0);
  EXPECT_NE(west, 0);
  EXPECT_NE(east, west);
  EXPECT_EQ(counters.labels()[east].group, "east");
  EXPECT_EQ(counters.labels()[east].decision, "gateway_only");
  EXPECT_EQ(counters.labels()[west].decision, "static");
  EXPECT_EQ(counters.labels()[0].group, "_other");

  // The MX comes up: east's answers now count under mx_first; west keeps its counter.
  health::MxObservation mx;
  mx.reported = policy::MxState::healthy;
  mx.received = kStart;
  live.observe_mx(0, mx);
  live.evaluate(kStart);
  mx.received = kStart + 10s;
  live.observe_mx(0, mx);
  live.evaluate(kStart + 10s);
  ASSERT_EQ(live.decision("east")->kind, policy::DecisionKind::mx_first);
  auto second = snapshot_spec(*config, 2, &live);
  counters.assign(second, &live);
  const std::uint16_t east_mx = counter_of(second, "east");
  EXPECT_NE(east_mx, east);
  EXPECT_EQ(counters.labels()[east_mx].decision, "mx_first");
  EXPECT_EQ(counter_of(second, "west"), west);
  // Back to an earlier pair: its old counter, not a new one.
  EXPECT_EQ(counters.counter("east", "gateway_only"), east);
  EXPECT_EQ(counters.labels().size(), 4U);
}

TEST(AnswerCounters, WhenAllAreTakenNewPairsShareCounterZero) {
  AnswerCounters counters(3);
  EXPECT_EQ(counters.counter("a", "static"), 1);
  EXPECT_EQ(counters.counter("b", "static"), 2);
  EXPECT_EQ(counters.counter("c", "static"), 0);
  EXPECT_EQ(counters.counter("a", "static"), 1);
  EXPECT_EQ(counters.labels().size(), 3U);
}

TEST(AnswerCounters, AGroupNotKnownYetGetsNone) {
  zones::SnapshotSpec spec;
  zones::GroupAnswerSpec pending;
  pending.name = "cg-later";
  pending.unavailable = true;
  spec.groups.push_back(pending);
  AnswerCounters counters(8);
  counters.assign(spec, nullptr);
  EXPECT_EQ(spec.groups[0].answer_counter, 0);
  EXPECT_EQ(counters.labels().size(), 1U);
}

}  // namespace
}  // namespace driad::app
