// The live relay groups of a config and what is known of their health: the
// control thread feeds it observations from health/ and the time, and it runs
// policy::decide() for each group. No threads, no clock reads, no I/O of its
// own, so every path through it is testable with a fake clock.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "health/feed.hpp"
#include "policy/decide.hpp"

namespace driad::app {

policy::PolicyParams policy_params(const config::PolicyConfig& policy);

// One change of decision, for the decision log and counters.
struct DecisionChange {
  std::string group;
  std::string description;  // policy::describe_change()
  bool answer_changed = false;
  std::optional<policy::DecisionKind> from;  // none: the group's first decision
  policy::DecisionKind to = policy::DecisionKind::fail_static;
  policy::Reason reason = policy::Reason::all_down_no_history;
};

class LiveGroups {
 public:
  // One entry per live group (those with `mx` or `gateways`) of `config`. A
  // group of `previous` with the same name, relays and settings (and the same
  // policy) keeps its health and decision: a topology change elsewhere must
  // not send it back through hold-up.
  explicit LiveGroups(const config::Config& config, const LiveGroups* previous = nullptr);

  std::size_t size() const noexcept { return groups_.size(); }
  const config::RelayGroupConfig& config(std::size_t group) const { return groups_[group].config; }

  // What a feed said; takes effect at the next evaluate().
  void observe_mx(std::size_t group, const health::MxObservation& observation);
  void observe_gateway(std::size_t group, std::size_t gateway,
                       const health::GatewayObservation& observation);

  // Decides every group at `now`; returns the groups whose decision changed.
  std::vector<DecisionChange> evaluate(policy::Time now);

  // The current decision of the live group `name`, or null (not live, or not
  // yet evaluated).
  const policy::Decision* decision(const std::string& name) const;

  std::optional<std::size_t> index_of(const std::string& name) const;

  // A live group with a decision that advertises a healthy relay (anything
  // but fail static): clients may be sent to it.
  bool available(std::size_t group) const;

  // The effective MX state of a group, for status output.
  policy::MxState mx_state(std::size_t group) const { return groups_[group].health.mx.state; }

  // What is known of a group's relays, for status output: the health decide()
  // was last given, and the last observation of the MX and of each gateway.
  const policy::GroupHealth& health(std::size_t group) const { return groups_[group].health; }
  const std::optional<health::MxObservation>& last_mx(std::size_t group) const {
    return groups_[group].last_mx;
  }
  const std::optional<health::GatewayObservation>& last_gateway(std::size_t group,
                                                                std::size_t gateway) const {
    return groups_[group].last_gateways[gateway];
  }

  // Same live groups, relays and policy: feeds and health can carry over.
  bool same_topology(const config::Config& other) const;

 private:
  struct Group {
    config::RelayGroupConfig config;
    policy::RelayGroup topology;
    policy::GroupHealth health;
    std::optional<health::MxObservation> last_mx;
    std::vector<std::optional<health::GatewayObservation>> last_gateways;  // per gateway
    std::optional<policy::Decision> decision;
  };

  config::PolicyConfig policy_;
  policy::PolicyParams params_;
  std::vector<Group> groups_;
  std::map<std::string, std::size_t> index_;  // by name
};

}  // namespace driad::app
