// decide() over time with a fake clock: hysteresis, fast down / slow up, the
// degraded TTL after a change, fail static and recovery, and a flapping MX.
#include <gtest/gtest.h>

#include "policy/decide.hpp"
#include "tests/policy/policy_test_support.hpp"

namespace driad::policy {
namespace {

using test::at;
using test::PolicyRun;

// Starts with a proven MX, long enough ago that the settling window is over.
PolicyRun settled_mx_first(PolicyParams params = {}) {
  PolicyRun run(test::two_gateway_group(), params);
  run.mx_long_healthy(0.5).decide_at(0);
  EXPECT_EQ(run.decide_at(100).kind, DecisionKind::mx_first);
  EXPECT_EQ(run.last().ttl, 60U);
  return run;
}

TEST(DecideTransitions, SpillFromHighWatermarkUntilUnderLowWatermark) {
  PolicyRun run = settled_mx_first();
  EXPECT_EQ(run.load(0.84).decide_at(101).kind, DecisionKind::mx_first);
  EXPECT_EQ(run.load(0.85).decide_at(102).kind, DecisionKind::spill);
  EXPECT_EQ(run.load(0.80).decide_at(103).kind, DecisionKind::spill);
  EXPECT_EQ(run.load(0.70).decide_at(104).kind, DecisionKind::spill);  // not yet under
  EXPECT_EQ(run.load(0.84).decide_at(105).kind, DecisionKind::spill);
  EXPECT_EQ(run.load(0.69).decide_at(106).kind, DecisionKind::mx_first);
  EXPECT_EQ(run.load(0.80).decide_at(107).kind, DecisionKind::mx_first);  // between: stays
}

TEST(DecideTransitions, GatewayFirstModeHasTheSameHysteresis) {
  PolicyParams params;
  params.overload_mode = OverloadMode::gateway_first;
  PolicyRun run = settled_mx_first(params);
  EXPECT_EQ(run.load(0.9).decide_at(101).kind, DecisionKind::gateway_first);
  EXPECT_EQ(run.load(0.75).decide_at(102).kind, DecisionKind::gateway_first);
  EXPECT_EQ(run.load(0.5).decide_at(103).kind, DecisionKind::mx_first);
}

TEST(DecideTransitions, OverloadIsRememberedWhileTheMxIsDown) {
  PolicyRun run = settled_mx_first();
  EXPECT_EQ(run.load(0.9).decide_at(101).kind, DecisionKind::spill);
  // Down: the load it reports now means nothing.
  EXPECT_EQ(run.mx(MxState::unhealthy, 102, 0.0).decide_at(102).kind, DecisionKind::gateway_only);
  EXPECT_TRUE(run.last().overloaded);
  // Back and proven, still between the watermarks: spill again, not MX first.
  run.mx(MxState::healthy, 103, 0.75);
  EXPECT_EQ(run.decide_at(113).kind, DecisionKind::spill);
}

TEST(DecideTransitions, MxFaultTakesEffectAtOnce) {
  for (const MxState fault : {MxState::unhealthy, MxState::stale, MxState::unknown}) {
    SCOPED_TRACE(to_string(fault));
    PolicyRun run = settled_mx_first();
    EXPECT_EQ(run.mx(fault, 100.001).decide_at(100.001).kind, DecisionKind::gateway_only);
  }
}

TEST(DecideTransitions, MxRecoveryWaitsForHoldUp) {
  PolicyRun run = settled_mx_first();
  run.mx(MxState::unhealthy, 101).decide_at(101);
  run.mx(MxState::healthy, 120);
  EXPECT_EQ(run.decide_at(120).kind, DecisionKind::gateway_only);
  EXPECT_EQ(run.last().reason, Reason::mx_holding_up);
  EXPECT_EQ(run.decide_at(129.9).kind, DecisionKind::gateway_only);
  EXPECT_EQ(run.decide_at(130).kind, DecisionKind::mx_first);
}

TEST(DecideTransitions, FlapDuringHoldUpRestartsTheWait) {
  PolicyRun run = settled_mx_first();
  run.mx(MxState::unhealthy, 101).decide_at(101);
  run.mx(MxState::healthy, 110).decide_at(110);
  run.mx(MxState::unhealthy, 118).decide_at(118);  // 8 s into the hold-up
  run.mx(MxState::healthy, 119).decide_at(119);
  EXPECT_EQ(run.decide_at(128).kind, DecisionKind::gateway_only);  // would be 20 s after 110
  EXPECT_EQ(run.decide_at(128.99).kind, DecisionKind::gateway_only);
  EXPECT_EQ(run.decide_at(129).kind, DecisionKind::mx_first);
}

TEST(DecideTransitions, FlappingMxNeverReturnsToMxFirstThenReturnsAfterHoldUp) {
  PolicyRun run = settled_mx_first();
  // Up and down every second for 60 s, decided every 100 ms.
  for (int tenth = 1; tenth <= 600; ++tenth) {
    const double now = 100 + tenth / 10.0;
    const MxState state = (tenth / 10) % 2 == 0 ? MxState::unhealthy : MxState::healthy;
    const Decision& d = run.mx(state, now).decide_at(now);
    ASSERT_EQ(d.kind, DecisionKind::gateway_only) << "at " << now << " s";
  }
  // The answer stayed put, so it settled: normal TTL despite the flapping MX.
  EXPECT_EQ(run.last().ttl, 60U);
  // Then it stays up from 160 s on: back after hold_up_s and not before.
  run.mx(MxState::healthy, 160);
  EXPECT_EQ(run.decide_at(169.9).kind, DecisionKind::gateway_only);
  EXPECT_EQ(run.decide_at(170).kind, DecisionKind::mx_first);
}

TEST(DecideTransitions, DegradedTtlAfterAChangeThenNormalTtl) {
  PolicyRun run = settled_mx_first();
  run.mx(MxState::unhealthy, 200);
  EXPECT_EQ(run.decide_at(200).ttl, 5U);
  EXPECT_EQ(run.decide_at(209.9).ttl, 5U);
  EXPECT_EQ(run.decide_at(210).ttl, 60U);
  EXPECT_EQ(run.last().kind, DecisionKind::gateway_only);
}

TEST(DecideTransitions, FirstDecisionIsDegradedUntilItSettles) {
  PolicyRun run;
  run.mx(MxState::unknown, 0);
  EXPECT_EQ(run.decide_at(0).ttl, 5U);
  EXPECT_EQ(run.decide_at(10).ttl, 60U);
}

TEST(DecideTransitions, AReasonChangeAloneDoesNotRestartTheDegradedWindow) {
  PolicyRun run = settled_mx_first();
  run.mx(MxState::unhealthy, 200).decide_at(200);
  run.mx(MxState::stale, 205);
  EXPECT_EQ(run.decide_at(205).reason, Reason::mx_stale);
  EXPECT_EQ(run.decide_at(210).ttl, 60U);
}

TEST(DecideTransitions, GatewayChangeRestartsTheDegradedWindow) {
  PolicyRun run = settled_mx_first();
  run.gateway(1, GatewayState::unhealthy);
  EXPECT_EQ(run.decide_at(200).ttl, 5U);
  EXPECT_EQ(run.last().relays.size(), 2U);
  EXPECT_EQ(run.decide_at(210).ttl, 60U);
}

TEST(DecideTransitions, FailStaticStaysDegradedThenRecovers) {
  PolicyRun run = settled_mx_first();
  run.mx(MxState::unhealthy, 200).decide_at(200);
  run.decide_at(230);  // settled on gateway only
  run.all_gateways(GatewayState::unhealthy);
  const Decision& failed = run.decide_at(240);
  EXPECT_EQ(failed.kind, DecisionKind::fail_static);
  EXPECT_EQ(failed.relays.size(), 2U);  // the two gateways, as last served
  EXPECT_EQ(run.decide_at(1000).ttl, 5U);
  EXPECT_EQ(run.last().relays.size(), 2U);
  EXPECT_FALSE(run.last().review_at.has_value());
  // A gateway comes back: gateway only, degraded while it settles.
  run.gateway(0, GatewayState::healthy);
  EXPECT_EQ(run.decide_at(1001).kind, DecisionKind::gateway_only);
  EXPECT_EQ(run.last().ttl, 5U);
  EXPECT_EQ(run.decide_at(1011).ttl, 60U);
}

TEST(DecideTransitions, EveryGatewayDownMovesToMxOnlyAtOnceAndBack) {
  PolicyRun run = settled_mx_first();
  run.all_gateways(GatewayState::unhealthy);
  EXPECT_EQ(run.decide_at(200).kind, DecisionKind::mx_only);
  run.gateway(1, GatewayState::healthy);
  EXPECT_EQ(run.decide_at(201).kind, DecisionKind::mx_first);
}

TEST(DecideTransitions, ReviewAtNamesTheNextTimedChange) {
  PolicyRun run = settled_mx_first();
  EXPECT_FALSE(run.last().review_at.has_value());
  run.mx(MxState::unhealthy, 200).decide_at(200);
  EXPECT_EQ(run.last().review_at, at(210));  // end of the degraded TTL
  run.mx(MxState::healthy, 203).decide_at(203);
  EXPECT_EQ(run.last().review_at, at(210));  // earlier of settling (210) and proof (213)
  run.decide_at(211);
  EXPECT_EQ(run.last().review_at, at(213));  // the MX is proven then
}

TEST(DecideTransitions, ZeroHoldUpMeansNoWaitAndNoDegradedWindow) {
  PolicyParams params;
  params.hold_up_s = 0;
  PolicyRun run(test::two_gateway_group(), params);
  run.mx(MxState::healthy, 5);
  EXPECT_EQ(run.decide_at(5).kind, DecisionKind::mx_first);
  EXPECT_EQ(run.last().ttl, 60U);
}

}  // namespace
}  // namespace driad::policy
