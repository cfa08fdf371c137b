// Jittered exponential backoff for reconnects (Envoy's GrpcStream model):
// the delay doubles from `initial` up to `max`, each draw spread by ±jitter,
// and reset() after the first good message of a new stream.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace driad::health {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, double jitter = 0.2,
          std::uint64_t seed = std::random_device{}());

  // The delay before the next attempt; each call doubles the base after.
  std::chrono::milliseconds next();
  void reset() { base_ = initial_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds base_;
  double jitter_;
  std::mt19937_64 random_;
};

}  // namespace driad::health
