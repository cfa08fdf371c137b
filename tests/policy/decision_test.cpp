// Decision equality, answer_changed(), describe_change() and the text forms
// used for metrics and the decision log.
#include <gtest/gtest.h>

#include "policy/decision.hpp"
#include "policy/relay_text.hpp"
#include "tests/policy/policy_test_support.hpp"

namespace driad::policy {
namespace {

using test::at;
using test::kGateway1;
using test::kMx;
using test::with_precedence;

Decision mx_first_decision() {
  Decision d;
  d.kind = DecisionKind::mx_first;
  d.reason = Reason::mx_healthy;
  d.relays = {with_precedence(kMx, 10), with_precedence(kGateway1, 20)};
  d.ttl = 60;
  return d;
}

Decision gateway_only_decision() {
  Decision d;
  d.kind = DecisionKind::gateway_only;
  d.reason = Reason::mx_unhealthy;
  d.relays = {with_precedence(kGateway1, 20)};
  d.ttl = 5;
  return d;
}

TEST(Decision, EqualityIgnoresTheMemoryFields) {
  Decision a = mx_first_decision();
  Decision b = mx_first_decision();
  b.changed_at = at(42);
  b.overloaded = true;
  b.review_at = at(50);
  EXPECT_EQ(a, b);
  b.reason = Reason::gateways_down;
  EXPECT_NE(a, b);
}

TEST(Decision, AnswerChangedOnRelaysOrTtlOnly) {
  const Decision a = mx_first_decision();
  EXPECT_TRUE(answer_changed(nullptr, a));
  Decision b = a;
  b.reason = Reason::mx_overloaded;  // log-worthy, but the same bytes on the wire
  EXPECT_FALSE(answer_changed(&a, b));
  b.ttl = 5;
  EXPECT_TRUE(answer_changed(&a, b));
  b = a;
  b.relays[1].precedence = 10;
  EXPECT_TRUE(answer_changed(&a, b));
}

TEST(Decision, DescribeChangeSaysOldNewAndWhy) {
  const Decision before = mx_first_decision();
  const Decision after = gateway_only_decision();
  EXPECT_EQ(describe_change(&before, after),
            "mx_first -> gateway_only (MX unhealthy); relays [10 0 1 192.0.2.1, 20 0 1 "
            "192.0.2.11] -> [20 0 1 192.0.2.11]; ttl 60 -> 5");
}

TEST(Decision, DescribeChangeOfTtlOnly) {
  const Decision before = gateway_only_decision();
  Decision after = before;
  after.ttl = 60;
  EXPECT_EQ(describe_change(&before, after), "gateway_only (MX unhealthy); ttl 5 -> 60");
}

TEST(Decision, DescribeFirstDecision) {
  EXPECT_EQ(describe_change(nullptr, gateway_only_decision()),
            "(none) -> gateway_only (MX unhealthy); relays [20 0 1 192.0.2.11]; ttl 5");
}

TEST(Decision, KindNamesAreTheMetricLabels) {
  EXPECT_EQ(to_string(DecisionKind::mx_first), "mx_first");
  EXPECT_EQ(to_string(DecisionKind::spill), "spill");
  EXPECT_EQ(to_string(DecisionKind::gateway_first), "gateway_first");
  EXPECT_EQ(to_string(DecisionKind::gateway_only), "gateway_only");
  EXPECT_EQ(to_string(DecisionKind::mx_only), "mx_only");
  EXPECT_EQ(to_string(DecisionKind::fail_static), "fail_static");
}

TEST(Decision, EveryReasonHasText) {
  for (int r = 0; r <= static_cast<int>(Reason::all_down_no_history); ++r) {
    EXPECT_NE(to_string(static_cast<Reason>(r)), "?") << r;
  }
  Decision d;
  d.reason = Reason::mx_stale;
  EXPECT_EQ(d.reason_text(), "MX stale: no update within stale_after");
}

AmtRelay relay(std::uint8_t precedence, bool d, RelayType type, std::vector<std::uint8_t> bytes) {
  return AmtRelay{precedence, d, type, std::move(bytes)};
}

TEST(RelayText, AllFourRelayTypes) {
  EXPECT_EQ(to_text(relay(10, false, RelayType::ipv4, {203, 0, 113, 15})), "10 0 1 203.0.113.15");
  std::vector<std::uint8_t> v6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x15};
  EXPECT_EQ(to_text(relay(20, true, RelayType::ipv6, v6)), "20 1 2 2001:db8::15");
  EXPECT_EQ(to_text(relay(30, false, RelayType::domain_name,
                          {9,   'a', 'm', 't', 'r', 'e', 'l', 'a', 'y', 's', 7, 'e',
                           'x', 'a', 'm', 'p', 'l', 'e', 3,   'c', 'o', 'm', 0})),
            "30 0 3 amtrelays.example.com.");
  EXPECT_EQ(to_text(relay(40, false, RelayType::none, {})), "40 0 0 .");
}

TEST(RelayText, Ipv6FollowsRfc5952) {
  auto v6 = [](std::initializer_list<unsigned> groups) {
    std::vector<std::uint8_t> bytes;
    for (unsigned group : groups) {
      bytes.push_back(static_cast<std::uint8_t>(group >> 8));
      bytes.push_back(static_cast<std::uint8_t>(group & 0xff));
    }
    return to_text(relay(0, false, RelayType::ipv6, bytes));
  };
  EXPECT_EQ(v6({0, 0, 0, 0, 0, 0, 0, 0}), "0 0 2 ::");
  EXPECT_EQ(v6({0x2001, 0xdb8, 0, 1, 0, 0, 0, 1}), "0 0 2 2001:db8:0:1::1");
  EXPECT_EQ(v6({0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}), "0 0 2 2001:db8::1:0:0:1");
  EXPECT_EQ(v6({0x2001, 0xdb8, 1, 2, 3, 4, 5, 0}), "0 0 2 2001:db8:1:2:3:4:5:0");
  EXPECT_EQ(v6({1, 0, 0, 0, 0, 0, 0, 0}), "0 0 2 1::");
}

TEST(RelayText, EscapesAndMalformedRelays) {
  EXPECT_EQ(to_text(relay(1, false, RelayType::domain_name, {3, 'a', '.', ' ', 0})),
            "1 0 3 a\\.\\032.");
  EXPECT_EQ(to_text(relay(1, false, RelayType::domain_name, {0})), "1 0 3 .");
  EXPECT_EQ(to_text(relay(1, false, RelayType::domain_name, {5, 'a', 0})), "1 0 3 <malformed>");
  EXPECT_EQ(to_text(relay(1, false, RelayType::ipv4, {1, 2, 3})), "1 0 1 <malformed>");
}

}  // namespace
}  // namespace driad::policy
