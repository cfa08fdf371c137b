// One test per row of design.md's policy table: given steady inputs, which
// relays decide() advertises, in which order and at which precedences.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "policy/decide.hpp"
#include "policy/relay_text.hpp"
#include "tests/policy/policy_test_support.hpp"

namespace driad::policy {
namespace {

using test::kGateway1;
using test::kGateway2;
using test::kMx;
using test::PolicyRun;
using test::with_precedence;

// Relays as "precedence D type address" text, so that failures read well.
std::vector<std::string> texts(const std::vector<AmtRelay>& relays) {
  std::vector<std::string> out;
  for (const AmtRelay& relay : relays) out.push_back(to_text(relay));
  return out;
}

std::vector<std::string> texts(std::initializer_list<AmtRelay> relays) {
  return texts(std::vector<AmtRelay>(relays));
}

// Long after start, so hold-up and the settling window are both over.
constexpr double kLater = 1000;

TEST(DecideStates, MxHealthyUnderWatermarkIsMxFirst) {
  PolicyRun run;
  const Decision& d = run.mx_long_healthy(0.5).decide_at(kLater);
  EXPECT_EQ(d.kind, DecisionKind::mx_first);
  EXPECT_EQ(d.reason, Reason::mx_healthy);
  EXPECT_EQ(texts(d.relays), texts({with_precedence(kMx, 10), with_precedence(kGateway1, 20),
                                    with_precedence(kGateway2, 20)}));
}

TEST(DecideStates, MxAtHighWatermarkSpillsAtEqualPrecedence) {
  PolicyRun run;
  const Decision& d = run.mx_long_healthy(0.85).decide_at(kLater);
  EXPECT_EQ(d.kind, DecisionKind::spill);
  EXPECT_EQ(d.reason, Reason::mx_overloaded);
  EXPECT_EQ(texts(d.relays), texts({with_precedence(kMx, 10), with_precedence(kGateway1, 10),
                                    with_precedence(kGateway2, 10)}));
}

TEST(DecideStates, GatewayFirstModePutsGatewaysAheadOfAnOverloadedMx) {
  PolicyParams params;
  params.overload_mode = OverloadMode::gateway_first;
  PolicyRun run(test::two_gateway_group(), params);
  const Decision& d = run.mx_long_healthy(0.9).decide_at(kLater);
  EXPECT_EQ(d.kind, DecisionKind::gateway_first);
  EXPECT_EQ(texts(d.relays), texts({with_precedence(kGateway1, 10), with_precedence(kGateway2, 10),
                                    with_precedence(kMx, 20)}));
}

TEST(DecideStates, MxUnhealthyStaleOrUnknownIsGatewayOnly) {
  const std::pair<MxState, Reason> cases[] = {{MxState::unhealthy, Reason::mx_unhealthy},
                                              {MxState::stale, Reason::mx_stale},
                                              {MxState::unknown, Reason::mx_unknown}};
  for (const auto& [state, reason] : cases) {
    SCOPED_TRACE(to_string(state));
    PolicyRun run;
    const Decision& d = run.mx(state, 0, 0.1).decide_at(kLater);
    EXPECT_EQ(d.kind, DecisionKind::gateway_only);
    EXPECT_EQ(d.reason, reason);
    EXPECT_EQ(texts(d.relays),
              texts({with_precedence(kGateway1, 20), with_precedence(kGateway2, 20)}));
  }
}

TEST(DecideStates, MxHealthyForLessThanHoldUpIsGatewayOnly) {
  PolicyRun run;
  const Decision& d = run.mx(MxState::healthy, kLater - 9.9).decide_at(kLater);
  EXPECT_EQ(d.kind, DecisionKind::gateway_only);
  EXPECT_EQ(d.reason, Reason::mx_holding_up);
}

TEST(DecideStates, EveryGatewayDownWithMxHealthyIsMxOnly) {
  PolicyRun run;
  const Decision& d =
      run.mx_long_healthy(0.95).all_gateways(GatewayState::unhealthy).decide_at(kLater);
  EXPECT_EQ(d.kind, DecisionKind::mx_only);
  EXPECT_EQ(d.reason, Reason::gateways_down);
  EXPECT_EQ(texts(d.relays), texts({with_precedence(kMx, 10)}));
}

TEST(DecideStates, EveryGatewayDownBeatsHoldUp) {
  // A healthy MX still in hold-up is a better answer than gateways known down.
  PolicyRun run;
  const Decision& d =
      run.mx(MxState::healthy, kLater - 1).all_gateways(GatewayState::unhealthy).decide_at(kLater);
  EXPECT_EQ(d.kind, DecisionKind::mx_only);
  EXPECT_EQ(d.reason, Reason::gateways_down_mx_holding_up);
}

TEST(DecideStates, EverythingDownFailsStaticOnTheLastRelays) {
  PolicyRun run;
  const Decision before = run.mx_long_healthy().decide_at(kLater);
  ASSERT_EQ(before.kind, DecisionKind::mx_first);
  const Decision& d = run.mx(MxState::unhealthy, kLater + 100)
                          .all_gateways(GatewayState::unhealthy)
                          .decide_at(kLater + 100);
  EXPECT_EQ(d.kind, DecisionKind::fail_static);
  EXPECT_EQ(d.reason, Reason::all_down_last_decision);
  EXPECT_EQ(texts(d.relays), texts(before.relays));
  EXPECT_EQ(d.ttl, 5U);
}

TEST(DecideStates, EverythingDownWithoutHistoryServesEveryConfiguredRelay) {
  PolicyRun run;
  const Decision& d =
      run.mx(MxState::unknown, 0).all_gateways(GatewayState::unhealthy).decide_at(kLater);
  EXPECT_EQ(d.kind, DecisionKind::fail_static);
  EXPECT_EQ(d.reason, Reason::all_down_no_history);
  EXPECT_EQ(texts(d.relays), texts({with_precedence(kMx, 10), with_precedence(kGateway1, 20),
                                    with_precedence(kGateway2, 20)}));
  EXPECT_EQ(d.ttl, 5U);
}

TEST(DecideStates, RedirectingGatewaysComeAfterHealthyOnesAtTheSamePrecedence) {
  PolicyRun run;
  const Decision& d = run.mx_long_healthy().gateway(0, GatewayState::redirecting).decide_at(kLater);
  EXPECT_EQ(d.kind, DecisionKind::mx_first);
  EXPECT_EQ(texts(d.relays), texts({with_precedence(kMx, 10), with_precedence(kGateway2, 20),
                                    with_precedence(kGateway1, 20)}));
}

TEST(DecideStates, RedirectingGatewaysStillCountAsUp) {
  PolicyRun run;
  const Decision& d = run.mx(MxState::unhealthy, 0)
                          .gateway(0, GatewayState::redirecting)
                          .gateway(1, GatewayState::unhealthy)
                          .decide_at(kLater);
  EXPECT_EQ(d.kind, DecisionKind::gateway_only);
  EXPECT_EQ(texts(d.relays), texts({with_precedence(kGateway1, 20)}));
}

TEST(DecideStates, UnhealthyGatewaysAreNotAdvertised) {
  PolicyRun run;
  const Decision& d = run.mx_long_healthy().gateway(0, GatewayState::unhealthy).decide_at(kLater);
  EXPECT_EQ(texts(d.relays), texts({with_precedence(kMx, 10), with_precedence(kGateway2, 20)}));
}

TEST(DecideStates, GatewayWithoutAHealthEntryCountsAsDown) {
  const RelayGroup group = test::two_gateway_group();
  GroupHealth health;
  health.mx = MxHealth{MxState::healthy, 0.1, test::at(0)};
  health.gateways = {GatewayState::healthy};  // nothing said about the second gateway
  const Decision d = decide(group, health, nullptr, test::at(kLater), PolicyParams{});
  EXPECT_EQ(texts(d.relays), texts({with_precedence(kMx, 10), with_precedence(kGateway1, 20)}));
}

TEST(DecideStates, GroupWithoutMxServesItsGateways) {
  PolicyRun run(RelayGroup{"gw-only", std::nullopt, {kGateway1}});
  const Decision& d = run.decide_at(kLater);
  EXPECT_EQ(d.kind, DecisionKind::gateway_only);
  EXPECT_EQ(d.reason, Reason::no_mx);
  EXPECT_EQ(texts(d.relays), texts({with_precedence(kGateway1, 20)}));
}

TEST(DecideStates, GroupWithoutGatewaysServesItsMx) {
  PolicyRun run(RelayGroup{"mx-only", MxRelay{kMx, 4000}, {}});
  const Decision& d = run.mx_long_healthy(0.99).decide_at(kLater);
  EXPECT_EQ(d.kind, DecisionKind::mx_only);
  EXPECT_EQ(d.reason, Reason::no_gateways);
}

// Every state with non-default precedences: configured values, not constants,
// and only spill and gateway-first move a relay off its own precedence.
TEST(DecideStates, PrecedencesFollowTheParametersInEveryState) {
  PolicyParams params;
  params.mx_precedence = 3;
  params.gateway_precedence = 77;
  auto run_with = [&](OverloadMode mode) {
    params.overload_mode = mode;
    return PolicyRun(test::two_gateway_group(), params);
  };
  const AmtRelay mx3 = with_precedence(kMx, 3);
  const AmtRelay mx77 = with_precedence(kMx, 77);
  const AmtRelay gw1_3 = with_precedence(kGateway1, 3), gw2_3 = with_precedence(kGateway2, 3);
  const AmtRelay gw1_77 = with_precedence(kGateway1, 77), gw2_77 = with_precedence(kGateway2, 77);

  EXPECT_EQ(texts(run_with(OverloadMode::spill).mx_long_healthy(0.1).decide_at(kLater).relays),
            texts({mx3, gw1_77, gw2_77}));
  EXPECT_EQ(texts(run_with(OverloadMode::spill).mx_long_healthy(0.9).decide_at(kLater).relays),
            texts({mx3, gw1_3, gw2_3}));
  EXPECT_EQ(
      texts(run_with(OverloadMode::gateway_first).mx_long_healthy(0.9).decide_at(kLater).relays),
      texts({gw1_3, gw2_3, mx77}));
  EXPECT_EQ(texts(run_with(OverloadMode::spill).mx(MxState::unhealthy, 0).decide_at(kLater).relays),
            texts({gw1_77, gw2_77}));
  EXPECT_EQ(texts(run_with(OverloadMode::spill)
                      .mx_long_healthy(0.9)
                      .all_gateways(GatewayState::unhealthy)
                      .decide_at(kLater)
                      .relays),
            texts({mx3}));
  EXPECT_EQ(texts(run_with(OverloadMode::spill)
                      .mx(MxState::stale, 0)
                      .all_gateways(GatewayState::unhealthy)
                      .decide_at(kLater)
                      .relays),
            texts({mx3, gw1_77, gw2_77}));
}

TEST(DecideStates, DiscoveryOptionalBitAndRelayTypeAreKept) {
  AmtRelay named{
      0, true, RelayType::domain_name, {3, 'a', 'm', 't', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0}};
  AmtRelay v6{0, false, RelayType::ipv6, std::vector<std::uint8_t>(16, 0)};
  v6.relay[15] = 1;
  PolicyRun run(RelayGroup{"mixed", MxRelay{named, 100}, {v6}});
  const Decision& d = run.mx_long_healthy().decide_at(kLater);
  EXPECT_EQ(texts(d.relays), (std::vector<std::string>{"10 1 3 amt.example.", "20 0 2 ::1"}));
}

}  // namespace
}  // namespace driad::policy
