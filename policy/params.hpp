// The knobs of the relay decision (config.md's `policy` block) as policy's own
// input type, and Time, the clock value every policy call takes as an argument.
#pragma once

#include <chrono>
#include <cstdint>

namespace driad::policy {

// policy/ never reads a clock: callers pass std::chrono::steady_clock readings,
// tests pass plain values such as Time{} + 5s. Only differences between two
// Times matter, so the epoch is irrelevant.
using Time = std::chrono::steady_clock::time_point;

// What to advertise while the MX is at or over its high watermark.
enum class OverloadMode : std::uint8_t {
  spill,          // every advertised relay at mx_precedence: gateways pick any
  gateway_first,  // gateways at mx_precedence, the MX behind at gateway_precedence
};

// Defaults are design.md's. The config loader has its own struct; the wiring
// converts. Precondition: low_watermark <= high_watermark (decide() clamps the
// low one to the high one rather than flap if it is not).
struct PolicyParams {
  std::uint32_t ttl = 60;          // seconds, in steady state
  std::uint32_t degraded_ttl = 5;  // seconds, in fail static and while settling
  // The MX must be healthy this long before it is preferred again (slow up).
  // It is also how long an answer counts as "settling" after a change and is
  // served with degraded_ttl: the same notion of "has it calmed down".
  std::uint32_t hold_up_s = 10;
  std::uint32_t stale_after_ms = 3000;  // read only by mx_state_at()
  double high_watermark = 0.85;         // load at or over it: overloaded
  double low_watermark = 0.70;          // overloaded until load falls under it
  OverloadMode overload_mode = OverloadMode::spill;
  std::uint8_t mx_precedence = 10;
  std::uint8_t gateway_precedence = 20;

  std::chrono::seconds hold_up() const noexcept { return std::chrono::seconds(hold_up_s); }
  std::chrono::milliseconds stale_after() const noexcept {
    return std::chrono::milliseconds(stale_after_ms);
  }
};

}  // namespace driad::policy
