// Backoff: doubling within ±20 %, capped, reset to the start.
#include "health/backoff.hpp"

#include <gtest/gtest.h>

namespace driad::health {
namespace {

using namespace std::chrono_literals;

TEST(Backoff, DoublesWithJitterUpToMaxAndResets) {
  Backoff backoff(100ms, 1s, 0.2, 42);
  std::chrono::milliseconds base = 100ms;
  for (int i = 0; i < 8; ++i) {
    const auto delay = backoff.next();
    EXPECT_GE(delay.count(), base.count() * 8 / 10) << i;
    EXPECT_LE(delay.count(), base.count() * 12 / 10) << i;
    base = std::min(base * 2, std::chrono::milliseconds(1s));
  }
  backoff.reset();
  EXPECT_LE(backoff.next(), 120ms);
}

TEST(Backoff, JitterSpreads) {
  Backoff a(1000ms, 30s, 0.2, 1);
  Backoff b(1000ms, 30s, 0.2, 2);
  EXPECT_NE(a.next(), b.next());
}

}  // namespace
}  // namespace driad::health
