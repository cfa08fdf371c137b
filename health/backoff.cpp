// Implements Backoff (backoff.hpp).
#include "health/backoff.hpp"

#include <algorithm>

namespace driad::health {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, double jitter,
                 std::uint64_t seed)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      max_(std::max(max, initial_)),
      base_(initial_),
      jitter_(std::clamp(jitter, 0.0, 1.0)),
      random_(seed) {}

std::chrono::milliseconds Backoff::next() {
  std::uniform_real_distribution<double> spread(1.0 - jitter_, 1.0 + jitter_);
  const auto delay = std::chrono::milliseconds(std::max<std::int64_t>(
      1, static_cast<std::int64_t>(static_cast<double>(base_.count()) * spread(random_))));
  base_ = std::min(base_ * 2, max_);
  return delay;
}

}  // namespace driad::health
