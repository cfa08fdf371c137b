// The daemon's memory of decision changes, for /api/v1/decisions and the
// driad_decision_changes_total counter: a bounded ring of the last changes
// (time, group, old -> new, reason) and a count per (group, decision, reason).
// Control thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "policy/decision.hpp"
#include "src/live_groups.hpp"

namespace driad::app {

// A reason as a metric label: "mx_unhealthy", "all_down_last_decision".
std::string_view reason_label(policy::Reason reason) noexcept;

struct DecisionEvent {
  std::int64_t unix_ms = 0;
  std::string group;
  std::optional<policy::DecisionKind> from;
  policy::DecisionKind to = policy::DecisionKind::fail_static;
  policy::Reason reason = policy::Reason::all_down_no_history;
  std::string description;
};

class DecisionLog {
 public:
  explicit DecisionLog(std::size_t capacity = 256) : capacity_(capacity) {}

  void add(const DecisionChange& change, std::int64_t unix_ms);

  // The last `limit` events, oldest first.
  std::vector<DecisionEvent> last(std::size_t limit) const;

  using Key = std::tuple<std::string, policy::DecisionKind, policy::Reason>;  // group, to, reason
  const std::map<Key, std::uint64_t>& counts() const noexcept { return counts_; }

 private:
  std::size_t capacity_;
  std::deque<DecisionEvent> events_;
  std::map<Key, std::uint64_t> counts_;
};

}  // namespace driad::app
