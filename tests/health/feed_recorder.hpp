// Test support for feed tests: a sink that records every observation and
// lets a test wait, bounded, for one that matches.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "health/feed.hpp"

namespace driad::health::testing {

class Recorder {
 public:
  ObservationSink<MxObservation> sink() {
    return [this](const MxObservation& observation) {
      std::lock_guard lock(mutex_);
      seen_.push_back(observation);
      changed_.notify_all();
    };
  }

  // Waits until an observation after index `from` matches; its index, or
  // nullopt on timeout.
  std::optional<size_t> wait(const std::function<bool(const MxObservation&)>& match,
                             std::chrono::milliseconds timeout, size_t from = 0) {
    std::unique_lock lock(mutex_);
    std::optional<size_t> found;
    changed_.wait_for(lock, timeout, [&] {
      for (size_t i = from; i < seen_.size(); ++i) {
        if (match(seen_[i])) {
          found = i;
          return true;
        }
      }
      return false;
    });
    return found;
  }

  std::optional<size_t> wait_state(policy::MxState state, std::chrono::milliseconds timeout,
                                   size_t from = 0) {
    return wait([state](const MxObservation& o) { return o.reported == state; }, timeout, from);
  }

  size_t size() {
    std::lock_guard lock(mutex_);
    return seen_.size();
  }
  MxObservation at(size_t index) {
    std::lock_guard lock(mutex_);
    return seen_.at(index);
  }
  std::vector<MxObservation> all() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<MxObservation> seen_;
};

}  // namespace driad::health::testing
