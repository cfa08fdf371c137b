// Implements the decision ring and counters (decision_log.hpp).
#include "src/decision_log.hpp"

#include <algorithm>

namespace driad::app {

std::string_view reason_label(policy::Reason reason) noexcept {
  switch (reason) {
    case policy::Reason::mx_healthy:
      return "mx_healthy";
    case policy::Reason::mx_overloaded:
      return "mx_overloaded";
    case policy::Reason::mx_unknown:
      return "mx_unknown";
    case policy::Reason::mx_unhealthy:
      return "mx_unhealthy";
    case policy::Reason::mx_stale:
      return "mx_stale";
    case policy::Reason::mx_holding_up:
      return "mx_holding_up";
    case policy::Reason::no_mx:
      return "no_mx";
    case policy::Reason::gateways_down:
      return "gateways_down";
    case policy::Reason::no_gateways:
      return "no_gateways";
    case policy::Reason::gateways_down_mx_holding_up:
      return "gateways_down_mx_holding_up";
    case policy::Reason::all_down_last_decision:
      return "all_down_last_decision";
    case policy::Reason::all_down_no_history:
      return "all_down_no_history";
  }
  return "unknown";
}

void DecisionLog::add(const DecisionChange& change, std::int64_t unix_ms) {
  events_.push_back(
      {unix_ms, change.group, change.from, change.to, change.reason, change.description});
  while (events_.size() > capacity_) events_.pop_front();
  ++counts_[Key{change.group, change.to, change.reason}];
}

std::vector<DecisionEvent> DecisionLog::last(std::size_t limit) const {
  const std::size_t count = std::min(limit, events_.size());
  return {events_.end() - static_cast<std::ptrdiff_t>(count), events_.end()};
}

}  // namespace driad::app
