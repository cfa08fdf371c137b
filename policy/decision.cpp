// Decision comparisons and the words for kinds, reasons and changes.
#include "policy/decision.hpp"

#include "policy/relay_text.hpp"

namespace driad::policy {

bool operator==(const Decision& a, const Decision& b) noexcept {
  return a.kind == b.kind && a.reason == b.reason && a.ttl == b.ttl && a.relays == b.relays;
}

std::string_view Decision::reason_text() const noexcept {
  return to_string(reason);
}

bool answer_changed(const Decision* before, const Decision& after) noexcept {
  return before == nullptr || before->ttl != after.ttl || before->relays != after.relays;
}

std::string describe_change(const Decision* before, const Decision& after) {
  std::string text;
  if (before == nullptr) {
    text = "(none) -> ";
  } else if (before->kind != after.kind) {
    text.append(to_string(before->kind)).append(" -> ");
  }
  text.append(to_string(after.kind)).append(" (").append(after.reason_text()).append(")");
  if (before == nullptr || before->relays != after.relays) {
    text += "; relays ";
    if (before != nullptr) text.append(to_text(before->relays)).append(" -> ");
    text += to_text(after.relays);
  }
  if (before == nullptr || before->ttl != after.ttl) {
    text += "; ttl ";
    if (before != nullptr) text.append(std::to_string(before->ttl)).append(" -> ");
    text += std::to_string(after.ttl);
  }
  return text;
}

std::string_view to_string(DecisionKind kind) noexcept {
  switch (kind) {
    case DecisionKind::mx_first:
      return "mx_first";
    case DecisionKind::spill:
      return "spill";
    case DecisionKind::gateway_first:
      return "gateway_first";
    case DecisionKind::gateway_only:
      return "gateway_only";
    case DecisionKind::mx_only:
      return "mx_only";
    case DecisionKind::fail_static:
      return "fail_static";
  }
  return "?";
}

std::string_view to_string(Reason reason) noexcept {
  switch (reason) {
    case Reason::mx_healthy:
      return "MX healthy, load under the high watermark";
    case Reason::mx_overloaded:
      return "MX load reached the high watermark and is not yet under the low one";
    case Reason::mx_unknown:
      return "MX not yet proven healthy";
    case Reason::mx_unhealthy:
      return "MX unhealthy";
    case Reason::mx_stale:
      return "MX stale: no update within stale_after";
    case Reason::mx_holding_up:
      return "MX healthy, but not yet for hold_up";
    case Reason::no_mx:
      return "no MX in this relay group";
    case Reason::gateways_down:
      return "every gateway down";
    case Reason::no_gateways:
      return "no gateway in this relay group";
    case Reason::gateways_down_mx_holding_up:
      return "every gateway down; MX healthy, still in hold-up";
    case Reason::all_down_last_decision:
      return "every relay down: fail static, serving the last decision's relays";
    case Reason::all_down_no_history:
      return "every relay down and no previous decision: fail static, serving every "
             "configured relay";
  }
  return "?";
}

}  // namespace driad::policy
