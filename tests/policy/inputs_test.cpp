// load_fraction() and mx_state_at(): the helpers that turn raw reports into inputs.
#include <gtest/gtest.h>

#include "policy/inputs.hpp"
#include "tests/policy/policy_test_support.hpp"

namespace driad::policy {
namespace {

using test::at;

TEST(LoadFraction, DividesTunnelsByCapacity) {
  EXPECT_DOUBLE_EQ(load_fraction(0, 4000), 0.0);
  EXPECT_DOUBLE_EQ(load_fraction(3400, 4000), 0.85);
  EXPECT_DOUBLE_EQ(load_fraction(5000, 4000), 1.25);
}

TEST(LoadFraction, ZeroCapacityCountsAsFull) {
  EXPECT_DOUBLE_EQ(load_fraction(0, 0), 1.0);
}

TEST(MxStateAt, FreshReportIsKept) {
  const PolicyParams params;  // stale_after_ms 3000
  EXPECT_EQ(mx_state_at(MxState::healthy, at(10), at(12), params), MxState::healthy);
  EXPECT_EQ(mx_state_at(MxState::unhealthy, at(10), at(12), params), MxState::unhealthy);
  EXPECT_EQ(mx_state_at(MxState::healthy, at(10), at(13), params), MxState::healthy);
}

TEST(MxStateAt, ReportOlderThanStaleAfterIsStale) {
  const PolicyParams params;
  EXPECT_EQ(mx_state_at(MxState::healthy, at(10), at(13.001), params), MxState::stale);
  EXPECT_EQ(mx_state_at(MxState::unhealthy, at(10), at(20), params), MxState::stale);
}

TEST(MxStateAt, UnknownStaysUnknown) {
  EXPECT_EQ(mx_state_at(MxState::unknown, at(0), at(100), PolicyParams{}), MxState::unknown);
}

}  // namespace
}  // namespace driad::policy
