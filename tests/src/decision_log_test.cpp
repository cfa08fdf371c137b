// The decision ring: bounded, oldest first, counts by (group, decision,
// reason) that outlive the ring; reason labels are distinct metric labels.
#include "src/decision_log.hpp"

#include <gtest/gtest.h>

#include <set>

namespace driad::app {
namespace {

using policy::DecisionKind;
using policy::Reason;

DecisionChange change(const std::string& group, std::optional<DecisionKind> from, DecisionKind to,
                      Reason reason) {
  DecisionChange out;
  out.group = group;
  out.from = from;
  out.to = to;
  out.reason = reason;
  out.description = group + " changed";
  return out;
}

TEST(DecisionLog, KeepsTheLastNOldestFirst) {
  DecisionLog log(3);
  log.add(change("east", std::nullopt, DecisionKind::gateway_only, Reason::mx_unknown), 1);
  log.add(change("east", DecisionKind::gateway_only, DecisionKind::mx_first, Reason::mx_healthy),
          2);
  log.add(change("west", std::nullopt, DecisionKind::mx_only, Reason::gateways_down), 3);
  log.add(change("east", DecisionKind::mx_first, DecisionKind::gateway_only, Reason::mx_unhealthy),
          4);
  const auto all = log.last(10);
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all[0].unix_ms, 2);
  EXPECT_EQ(all[2].unix_ms, 4);
  EXPECT_EQ(all[2].from, DecisionKind::mx_first);
  EXPECT_EQ(all[2].to, DecisionKind::gateway_only);
  EXPECT_EQ(all[2].reason, Reason::mx_unhealthy);
  EXPECT_EQ(all[2].description, "east changed");
  const auto two = log.last(2);
  ASSERT_EQ(two.size(), 2U);
  EXPECT_EQ(two[0].unix_ms, 3);
  EXPECT_TRUE(log.last(0).empty());
}

TEST(DecisionLog, CountsOutliveTheRing) {
  DecisionLog log(1);
  for (int i = 0; i < 5; ++i) {
    log.add(change("east", DecisionKind::mx_first, DecisionKind::gateway_only, Reason::mx_stale),
            i);
  }
  log.add(change("east", DecisionKind::gateway_only, DecisionKind::mx_first, Reason::mx_healthy),
          9);
  EXPECT_EQ(log.last(10).size(), 1U);
  const auto& counts = log.counts();
  EXPECT_EQ(counts.size(), 2U);
  EXPECT_EQ(counts.at({"east", DecisionKind::gateway_only, Reason::mx_stale}), 5U);
  EXPECT_EQ(counts.at({"east", DecisionKind::mx_first, Reason::mx_healthy}), 1U);
}

TEST(ReasonLabel, EveryReasonHasItsOwnLabel) {
  std::set<std::string_view> labels;
  for (int r = 0; r <= static_cast<int>(Reason::all_down_no_history); ++r) {
    const std::string_view label = reason_label(static_cast<Reason>(r));
    EXPECT_NE(label, "unknown");
    EXPECT_EQ(label.find(' '), std::string_view::npos) << label;
    labels.insert(label);
  }
  EXPECT_EQ(labels.size(), static_cast<std::size_t>(Reason::all_down_no_history) + 1);
}

}  // namespace
}  // namespace driad::app
