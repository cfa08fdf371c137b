// Snapshot publication; the rule is in the header.
#include "zones/snapshot_holder.hpp"

#include <algorithm>

namespace driad::zones {

void SnapshotPublisher::publish(std::shared_ptr<const Snapshot> next) {
  std::shared_ptr<const Snapshot> previous;
  {
    const std::lock_guard lock(mutex_);
    previous = std::exchange(current_, std::move(next));
    version_.fetch_add(1, std::memory_order_release);
    if (previous) retired_.push_back(std::move(previous));
  }
  reap();
}

std::shared_ptr<const Snapshot> SnapshotPublisher::latest() const {
  const std::lock_guard lock(mutex_);
  return current_;
}

std::size_t SnapshotPublisher::reap() {
  std::vector<std::shared_ptr<const Snapshot>> unused;
  std::size_t still_held = 0;
  {
    const std::lock_guard lock(mutex_);
    // use_count() == 1: only this list holds it, and readers only ever copy
    // current_, so no reader can take it again.
    const auto held = std::partition(retired_.begin(), retired_.end(),
                                     [](const auto& snapshot) { return snapshot.use_count() > 1; });
    unused.assign(std::make_move_iterator(held), std::make_move_iterator(retired_.end()));
    retired_.erase(held, retired_.end());
    still_held = retired_.size();
  }
  return still_held;  // `unused` is freed on return, outside the lock
}

void SnapshotReader::refresh() noexcept {
  const std::lock_guard lock(publisher_.mutex_);
  seen_version_ = publisher_.version_.load(std::memory_order_relaxed);
  local_ = publisher_.current_;  // the old one stays alive in the retired list
}

}  // namespace driad::zones
