// What decide() is told about one relay group: its topology (the MX and the
// gateway relays, from the config or Traffic Ops) and the health of each relay
// as health/ reports it, plus two small helpers that turn raw reports into
// those inputs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/amt_relay.hpp"
#include "policy/params.hpp"

namespace driad::policy {

struct MxRelay {
  AmtRelay relay;  // address and D bit as advertised; precedence is ignored (policy sets it)
  std::uint32_t max_tunnels = 0;  // capacity, for load_fraction()
};

// One live relay group: an MX and/or kernel-AMT gateways in one cachegroup.
struct RelayGroup {
  std::string name;
  std::optional<MxRelay> mx;
  // In configured order, which is also their order within a precedence in the
  // answer. Precedence is ignored here too.
  std::vector<AmtRelay> gateways;
};

enum class MxState : std::uint8_t {
  unknown,    // not yet proven healthy (nothing heard since start or reconnect)
  healthy,    // stream up, relay interface and service up
  unhealthy,  // stream down, interface not UP or service down
  stale,      // no update or heartbeat within stale_after
};

struct MxHealth {
  MxState state = MxState::unknown;
  double load = 0.0;  // active tunnels / max_tunnels; read only while healthy
  // When `state` last changed (not when it was last reported): hold-up counts
  // from here, so a flap during hold-up restarts the wait.
  Time since{};
};

enum class GatewayState : std::uint8_t {
  healthy,
  unhealthy,
  // The probe was answered with a different relay: the gateway is up but
  // loaded. Advertised after the healthy gateways, at the same precedence.
  redirecting,
};

struct GroupHealth {
  MxHealth mx;  // ignored when the group has no MX
  // Parallel to RelayGroup::gateways. A gateway without an entry is unhealthy:
  // a relay counts only once it is proven up.
  std::vector<GatewayState> gateways;
};

// tunnels / max_tunnels. An MX with no capacity (0) counts as full: 1.0.
double load_fraction(std::uint64_t tunnels, std::uint32_t max_tunnels) noexcept;

// The MX's state at `now`, given what it last reported and when driad last
// heard from it: a report older than stale_after is stale whatever it said;
// unknown stays unknown. For callers that track "last heard" instead of
// computing staleness themselves.
MxState mx_state_at(MxState reported, Time last_heard, Time now,
                    const PolicyParams& params) noexcept;

std::string_view to_string(MxState state) noexcept;
std::string_view to_string(GatewayState state) noexcept;

}  // namespace driad::policy
