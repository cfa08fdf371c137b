// The relay decision rules: classify the MX and the gateways, pick a row of the
// policy table, then set the TTL and the memory for the next call.
#include "policy/decide.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace driad::policy {
namespace {

// How usable the MX is right now.
struct MxView {
  const MxRelay* relay = nullptr;  // null: the group has no MX
  MxState state = MxState::unknown;
  bool healthy = false;  // reports healthy now (usable as a last resort)
  bool proven = false;   // healthy for hold_up_s: preferred again
};

MxView view_mx(const RelayGroup& group, const MxHealth& health, Time now,
               const PolicyParams& params) {
  MxView view;
  if (!group.mx) return view;
  view.relay = &*group.mx;
  view.state = health.state;
  view.healthy = health.state == MxState::healthy;
  // Slow up: a healthy MX is trusted only once it has stayed healthy for the
  // whole hold-up. health.since restarts at every flap, and so does the wait.
  view.proven = view.healthy && now - health.since >= params.hold_up();
  return view;
}

GatewayState gateway_state(const GroupHealth& health, std::size_t index) {
  return index < health.gateways.size() ? health.gateways[index] : GatewayState::unhealthy;
}

// The gateways worth advertising: healthy ones, then redirecting ones (up but
// loaded, they send gateways elsewhere anyway), each in configured order so
// that the answer does not reorder without a reason.
std::vector<const AmtRelay*> live_gateways(const RelayGroup& group, const GroupHealth& health) {
  std::vector<const AmtRelay*> live;
  for (const GatewayState wanted : {GatewayState::healthy, GatewayState::redirecting}) {
    for (std::size_t i = 0; i < group.gateways.size(); ++i) {
      if (gateway_state(health, i) == wanted) live.push_back(&group.gateways[i]);
    }
  }
  return live;
}

// Hysteresis: overloaded from the high watermark until under the low one. While
// the MX is not healthy its load means nothing, so the latch is kept as it was.
bool overloaded_now(const MxView& mx, double load, const Decision* previous,
                    const PolicyParams& params) {
  const bool was_overloaded = previous != nullptr && previous->overloaded;
  if (!mx.healthy) return was_overloaded;
  const double low = std::min(params.low_watermark, params.high_watermark);
  return was_overloaded ? load >= low : load >= params.high_watermark;
}

// Why the MX is not preferred (rule 2's reason).
Reason mx_not_usable_reason(const MxView& mx) {
  if (mx.relay == nullptr) return Reason::no_mx;
  switch (mx.state) {
    case MxState::unknown:
      return Reason::mx_unknown;
    case MxState::unhealthy:
      return Reason::mx_unhealthy;
    case MxState::stale:
      return Reason::mx_stale;
    case MxState::healthy:
      break;
  }
  return Reason::mx_holding_up;
}

// The answer part of a decision, before TTL and memory.
struct Choice {
  DecisionKind kind;
  Reason reason;
  std::vector<AmtRelay> relays;
};

class ChoiceBuilder {
 public:
  ChoiceBuilder(DecisionKind kind, Reason reason) : choice_{kind, reason, {}} {}

  ChoiceBuilder& add(const AmtRelay& relay, std::uint8_t precedence) {
    choice_.relays.push_back(relay);
    choice_.relays.back().precedence = precedence;
    return *this;
  }
  ChoiceBuilder& add(const std::vector<const AmtRelay*>& relays, std::uint8_t precedence) {
    for (const AmtRelay* relay : relays) add(*relay, precedence);
    return *this;
  }
  Choice done() { return std::move(choice_); }

 private:
  Choice choice_;
};

// Rule 4: the answer never goes dark.
Choice fail_static(const RelayGroup& group, const Decision* previous, const PolicyParams& params) {
  if (previous != nullptr && !previous->relays.empty()) {
    // The previous relays exactly as served, precedences included: the last
    // answer that was right is the best guess while nothing reports.
    return {DecisionKind::fail_static, Reason::all_down_last_decision, previous->relays};
  }
  // Nothing served yet (e.g. every feed down at start): every configured relay
  // at its configured precedence gives gateways the most relays to try.
  ChoiceBuilder builder(DecisionKind::fail_static, Reason::all_down_no_history);
  if (group.mx) builder.add(group.mx->relay, params.mx_precedence);
  for (const AmtRelay& gateway : group.gateways) builder.add(gateway, params.gateway_precedence);
  return builder.done();
}

Choice choose(const RelayGroup& group, const MxView& mx,
              const std::vector<const AmtRelay*>& gateways, bool overloaded,
              const Decision* previous, const PolicyParams& params) {
  const std::uint8_t first = params.mx_precedence;
  const std::uint8_t second = params.gateway_precedence;
  if (mx.proven && !gateways.empty()) {
    if (!overloaded) {
      return ChoiceBuilder(DecisionKind::mx_first, Reason::mx_healthy)
          .add(mx.relay->relay, first)
          .add(gateways, second)
          .done();
    }
    if (params.overload_mode == OverloadMode::spill) {
      return ChoiceBuilder(DecisionKind::spill, Reason::mx_overloaded)
          .add(mx.relay->relay, first)
          .add(gateways, first)
          .done();
    }
    return ChoiceBuilder(DecisionKind::gateway_first, Reason::mx_overloaded)
        .add(gateways, first)
        .add(mx.relay->relay, second)
        .done();
  }
  if (!gateways.empty()) {
    return ChoiceBuilder(DecisionKind::gateway_only, mx_not_usable_reason(mx))
        .add(gateways, second)
        .done();
  }
  if (mx.healthy) {
    // An MX that reports healthy, even in hold-up, beats gateways that are down.
    Reason reason = Reason::gateways_down;
    if (group.gateways.empty()) {
      reason = Reason::no_gateways;
    } else if (!mx.proven) {
      reason = Reason::gateways_down_mx_holding_up;
    }
    return ChoiceBuilder(DecisionKind::mx_only, reason).add(mx.relay->relay, first).done();
  }
  return fail_static(group, previous, params);
}

}  // namespace

Decision decide(const RelayGroup& group, const GroupHealth& health, const Decision* previous,
                Time now, const PolicyParams& params) {
  const MxView mx = view_mx(group, health.mx, now, params);
  const bool overloaded = overloaded_now(mx, health.mx.load, previous, params);
  Choice choice = choose(group, mx, live_gateways(group, health), overloaded, previous, params);

  Decision decision;
  decision.kind = choice.kind;
  decision.reason = choice.reason;
  decision.relays = std::move(choice.relays);
  decision.overloaded = overloaded;

  // A change is what moves gateways: another kind or other relays. The first
  // decision counts as one, since nothing is known about what gateways cached.
  const bool changed =
      previous == nullptr || previous->kind != decision.kind || previous->relays != decision.relays;
  decision.changed_at = changed ? now : previous->changed_at;

  // Short TTL while the answer settles, so that a follow-up change reaches
  // gateways quickly; fail static is always short, it is a guess.
  const Time settled_at = decision.changed_at + params.hold_up();
  const bool settling = now < settled_at;
  const bool failing_static = decision.kind == DecisionKind::fail_static;
  decision.ttl = failing_static || settling ? params.degraded_ttl : params.ttl;

  // The two things that change the answer with no new input.
  if (!failing_static && settling) decision.review_at = settled_at;
  if (mx.healthy && !mx.proven) {
    const Time proven_at = health.mx.since + params.hold_up();
    decision.review_at = decision.review_at ? std::min(*decision.review_at, proven_at) : proven_at;
  }
  return decision;
}

}  // namespace driad::policy
