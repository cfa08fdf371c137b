// Helpers that turn raw health reports into decide()'s inputs.
#include "policy/inputs.hpp"

namespace driad::policy {

double load_fraction(std::uint64_t tunnels, std::uint32_t max_tunnels) noexcept {
  // No capacity means no room: better to spill than to divide by zero.
  if (max_tunnels == 0) return 1.0;
  return static_cast<double>(tunnels) / static_cast<double>(max_tunnels);
}

MxState mx_state_at(MxState reported, Time last_heard, Time now,
                    const PolicyParams& params) noexcept {
  if (reported == MxState::unknown || reported == MxState::stale) return reported;
  // Exactly stale_after old is still fresh: stale means "later than promised".
  if (now - last_heard > params.stale_after()) return MxState::stale;
  return reported;
}

std::string_view to_string(MxState state) noexcept {
  switch (state) {
    case MxState::unknown:
      return "unknown";
    case MxState::healthy:
      return "healthy";
    case MxState::unhealthy:
      return "unhealthy";
    case MxState::stale:
      return "stale";
  }
  return "?";
}

std::string_view to_string(GatewayState state) noexcept {
  switch (state) {
    case GatewayState::healthy:
      return "healthy";
    case GatewayState::unhealthy:
      return "unhealthy";
    case GatewayState::redirecting:
      return "redirecting";
  }
  return "?";
}

}  // namespace driad::policy
