// A Decision: the ordered AMTRELAY set one relay group answers with, its TTL,
// why, and the little memory decide() needs next time (hysteresis, when the
// answer last changed). Plus the comparisons and text the caller needs for
// snapshot rebuilds, metrics and the decision log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/amt_relay.hpp"
#include "policy/params.hpp"

namespace driad::policy {

// One value per row of design.md's policy table; to_string() gives the metric label.
enum class DecisionKind : std::uint8_t {
  mx_first,       // MX at mx_precedence, gateways behind at gateway_precedence
  spill,          // overloaded MX: everything at mx_precedence
  gateway_first,  // overloaded MX: gateways at mx_precedence, MX at gateway_precedence
  gateway_only,   // the MX is not (yet) usable
  mx_only,        // every gateway is down
  fail_static,    // nothing is up: last answer (or every relay), degraded TTL
};

// Why a decision was taken; reason_text() says it in words.
enum class Reason : std::uint8_t {
  mx_healthy,     // mx_first
  mx_overloaded,  // spill, gateway_first
  mx_unknown,     // gateway_only from here to no_mx
  mx_unhealthy,
  mx_stale,
  mx_holding_up,                // healthy, but not yet for hold_up_s
  no_mx,                        // the group has no MX at all
  gateways_down,                // mx_only from here to gateways_down_mx_holding_up
  no_gateways,                  // the group has no gateway at all
  gateways_down_mx_holding_up,  // a healthy MX in hold-up beats dead gateways
  all_down_last_decision,       // fail_static
  all_down_no_history,          // fail_static, nothing served before
};

struct Decision {
  DecisionKind kind = DecisionKind::fail_static;
  Reason reason = Reason::all_down_no_history;
  std::vector<AmtRelay> relays;  // in answer order, precedence set
  std::uint32_t ttl = 0;         // seconds

  // Memory for the next decide() call; not part of the answer and ignored by ==.
  // When kind or relays last changed (TTL and reason changes do not count).
  Time changed_at{};
  // The MX reached the high watermark and has not yet fallen under the low one.
  // Kept while the MX is not healthy, since its load is unknown then.
  bool overloaded = false;
  // Call decide() again by this time even if no input changes: the degraded
  // TTL ends or the MX's hold-up completes then. Empty: nothing is pending.
  std::optional<Time> review_at;

  std::string_view reason_text() const noexcept;

  // Same kind, reason, relays and TTL: nothing to log. Memory fields are ignored.
  friend bool operator==(const Decision& a, const Decision& b) noexcept;
};

// True when the answer on the wire differs (relays or TTL): rebuild the
// snapshot. A reason change alone is worth a log line, not a rebuild.
// `before` may be null (no previous decision): always true then.
bool answer_changed(const Decision* before, const Decision& after) noexcept;

// "gateway_only -> mx_first (MX healthy, load under the high watermark);
// relays [20 0 1 192.0.2.11] -> [10 0 1 192.0.2.1, 20 0 1 192.0.2.11]; ttl 60 -> 5"
// for the decision log; `before` may be null. Parts that did not change are left out.
std::string describe_change(const Decision* before, const Decision& after);

// Metric label: "mx_first", "spill", "gateway_first", "gateway_only", "mx_only", "fail_static".
std::string_view to_string(DecisionKind kind) noexcept;
std::string_view to_string(Reason reason) noexcept;  // the short human text

}  // namespace driad::policy
