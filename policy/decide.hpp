// The relay decision for one live relay group: which relays to advertise, in
// what order, at which precedence and TTL, and why. A pure function: no clock,
// no I/O, no state besides the previous decision the caller hands back.
#pragma once

#include "policy/decision.hpp"
#include "policy/inputs.hpp"
#include "policy/params.hpp"

namespace driad::policy {

// Rules, in order (design.md "Policy"):
//  1. MX healthy for hold_up_s and a gateway up: mx_first, or while overloaded
//     (load reached high_watermark, not yet under low_watermark) spill or
//     gateway_first as params.overload_mode says.
//  2. a gateway up, MX not usable (unknown, unhealthy, stale, in hold-up, or
//     absent): gateway_only. Faults act at once; recovery waits for hold-up.
//  3. every gateway down, MX healthy (even in hold-up): mx_only.
//  4. nothing up: fail_static: the previous decision's relays, or with no
//     previous decision every configured relay (MX, then gateways) at its
//     configured precedence; always degraded_ttl.
// Only healthy and redirecting gateways are advertised, healthy ones first.
// The TTL is degraded_ttl for hold_up_s after the kind or the relays change
// (and on the first decision), ttl afterwards.
//
// `previous` is the decision this function returned last time for this group,
// or null at start; `now` must not go backwards between calls.
Decision decide(const RelayGroup& group, const GroupHealth& health, const Decision* previous,
                Time now, const PolicyParams& params);

}  // namespace driad::policy
