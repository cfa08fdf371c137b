// Observations in, decisions out, for every live relay group.
#include "src/live_groups.hpp"

#include "src/snapshot_spec.hpp"

namespace driad::app {

policy::PolicyParams policy_params(const config::PolicyConfig& policy) {
  policy::PolicyParams params;
  params.ttl = policy.ttl;
  params.degraded_ttl = policy.degraded_ttl;
  params.hold_up_s = policy.hold_up_s;
  params.stale_after_ms = policy.stale_after_ms;
  params.high_watermark = policy.high_watermark;
  params.low_watermark = policy.low_watermark;
  params.overload_mode = policy.overload_mode == config::OverloadMode::spill
                             ? policy::OverloadMode::spill
                             : policy::OverloadMode::gateway_first;
  params.mx_precedence = policy.mx_precedence;
  params.gateway_precedence = policy.gateway_precedence;
  return params;
}

LiveGroups::LiveGroups(const config::Config& config, const LiveGroups* previous)
    : policy_(config.policy), params_(policy_params(config.policy)) {
  for (const auto& group : config.relay_groups) {
    if (group.is_static()) continue;
    Group live;
    live.config = group;
    live.topology.name = group.name;
    // advertised_relays() lists the MX first, then the gateways, each as an
    // AmtRelay; policy sets the precedences itself.
    const auto relays = advertised_relays(group, config.policy);
    std::size_t next = 0;
    if (group.mx) live.topology.mx = policy::MxRelay{relays[next++], group.mx->max_tunnels};
    for (const auto& gateway : group.gateways) {
      live.topology.gateways.push_back(relays[next++]);
      // A gateway that is not probed counts as healthy (config.md).
      live.health.gateways.push_back(gateway.probe ? policy::GatewayState::unhealthy
                                                   : policy::GatewayState::healthy);
      live.last_gateways.emplace_back();
    }
    if (previous != nullptr && previous->policy_ == policy_) {
      const auto before = previous->index_of(group.name);
      if (before && previous->groups_[*before].config == group) {
        const Group& old = previous->groups_[*before];
        live.health = old.health;
        live.last_mx = old.last_mx;
        live.last_gateways = old.last_gateways;
        live.decision = old.decision;
      }
    }
    index_.emplace(group.name, groups_.size());
    groups_.push_back(std::move(live));
  }
}

std::optional<std::size_t> LiveGroups::index_of(const std::string& name) const {
  const auto it = index_.find(name);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

bool LiveGroups::available(std::size_t group) const {
  const auto& decision = groups_[group].decision;
  return decision && decision->kind != policy::DecisionKind::fail_static;
}

void LiveGroups::observe_mx(std::size_t group, const health::MxObservation& observation) {
  groups_[group].last_mx = observation;
}

void LiveGroups::observe_gateway(std::size_t group, std::size_t gateway,
                                 const health::GatewayObservation& observation) {
  groups_[group].health.gateways[gateway] = observation.state;
  groups_[group].last_gateways[gateway] = observation;
}

std::vector<DecisionChange> LiveGroups::evaluate(policy::Time now) {
  std::vector<DecisionChange> changes;
  for (Group& group : groups_) {
    policy::MxHealth& mx = group.health.mx;
    policy::MxState state = policy::MxState::unknown;
    double load = mx.load;
    if (group.last_mx) {
      state = policy::mx_state_at(group.last_mx->reported, group.last_mx->received, now, params_);
      if (group.config.mx && group.config.mx->capacity_bps > 0) {
        load =
            group.last_mx->out_octets_rate_bps / static_cast<double>(group.config.mx->capacity_bps);
      } else if (group.last_mx->tunnels_known && group.config.mx) {
        load = policy::load_fraction(group.last_mx->tunnels, group.config.mx->max_tunnels);
      }
    }
    // `since` moves only on a real change: hold-up counts from it.
    if (state != mx.state) {
      mx.state = state;
      mx.since = now;
    }
    mx.load = load;
    const policy::Decision* previous = group.decision ? &*group.decision : nullptr;
    policy::Decision next = policy::decide(group.topology, group.health, previous, now, params_);
    if (previous == nullptr || !(*previous == next)) {
      DecisionChange change;
      change.group = group.config.name;
      change.description = policy::describe_change(previous, next);
      change.answer_changed = policy::answer_changed(previous, next);
      if (previous != nullptr) change.from = previous->kind;
      change.to = next.kind;
      change.reason = next.reason;
      changes.push_back(std::move(change));
    }
    group.decision = std::move(next);
  }
  return changes;
}

const policy::Decision* LiveGroups::decision(const std::string& name) const {
  const auto group = index_of(name);
  if (!group || !groups_[*group].decision) return nullptr;
  return &*groups_[*group].decision;
}

bool LiveGroups::same_topology(const config::Config& other) const {
  const LiveGroups next(other);
  if (next.groups_.size() != groups_.size()) return false;
  for (std::size_t i = 0; i < groups_.size(); ++i) {
    if (!(groups_[i].config == next.groups_[i].config)) return false;
  }
  return policy_ == next.policy_;
}

}  // namespace driad::app
