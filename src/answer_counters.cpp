// Implements the answer counter hand-out (answer_counters.hpp).
#include "src/answer_counters.hpp"

#include "policy/decision.hpp"
#include "src/live_groups.hpp"

namespace driad::app {

AnswerCounters::AnswerCounters(std::size_t capacity) : capacity_(capacity) {
  labels_.push_back({"_other", "_other"});
}

std::uint16_t AnswerCounters::counter(const std::string& group, const std::string& decision) {
  auto key = std::make_pair(group, decision);
  if (const auto it = counters_.find(key); it != counters_.end()) return it->second;
  if (labels_.size() >= capacity_ || labels_.size() > UINT16_MAX) return 0;
  const auto next = static_cast<std::uint16_t>(labels_.size());
  labels_.push_back({group, decision});
  counters_.emplace(std::move(key), next);
  return next;
}

void AnswerCounters::assign(zones::SnapshotSpec& spec, const LiveGroups* live) {
  for (zones::GroupAnswerSpec& group : spec.groups) {
    if (group.unavailable) continue;  // SERVFAIL: no relay set to count
    const policy::Decision* decision = live != nullptr ? live->decision(group.name) : nullptr;
    group.answer_counter =
        counter(group.name,
                decision != nullptr ? std::string(policy::to_string(decision->kind)) : "static");
  }
}

}  // namespace driad::app
