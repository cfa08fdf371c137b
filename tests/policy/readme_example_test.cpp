// The example in policy/README.md, run: if this changes, change the README too.
#include <gtest/gtest.h>

#include "policy/decide.hpp"

namespace driad {
namespace {

TEST(PolicyReadme, Example) {
  using namespace std::chrono_literals;
  const policy::AmtRelay mx{0, false, policy::RelayType::ipv4, {192, 0, 2, 1}};
  const policy::AmtRelay gateway{0, false, policy::RelayType::ipv4, {192, 0, 2, 11}};
  const policy::RelayGroup group{"amt-us-east", policy::MxRelay{mx, 4000}, {gateway}};
  const policy::PolicyParams params;  // design.md's defaults
  const policy::Time start{};         // any steady_clock reading

  policy::GroupHealth health;
  health.mx = {policy::MxState::healthy, policy::load_fraction(1200, 4000), start};
  health.gateways = {policy::GatewayState::healthy};

  const policy::Decision first = policy::decide(group, health, nullptr, start, params);
  EXPECT_EQ(first.kind, policy::DecisionKind::gateway_only);
  EXPECT_EQ(first.ttl, 5U);
  EXPECT_EQ(first.review_at, start + 10s);

  const policy::Decision later = policy::decide(group, health, &first, start + 10s, params);
  EXPECT_EQ(later.kind, policy::DecisionKind::mx_first);
  EXPECT_EQ(later.ttl, 5U);
  EXPECT_TRUE(policy::answer_changed(&first, later));
  EXPECT_EQ(policy::describe_change(&first, later),
            "gateway_only -> mx_first (MX healthy, load under the high watermark); relays "
            "[20 0 1 192.0.2.11] -> [10 0 1 192.0.2.1, 20 0 1 192.0.2.11]");
}

}  // namespace
}  // namespace driad
