// Shared fixtures for the policy tests: a fake clock (plain Time values), a
// two-gateway relay group, and PolicyRun, which plays health/ and the caller:
// it keeps each relay's state (moving MxHealth::since only when the MX state
// really changes) and feeds each decision back as the next call's `previous`.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "policy/decide.hpp"

namespace driad::policy::test {

// The fake clock: seconds since an arbitrary epoch.
inline Time at(double seconds) {
  return Time{} +
         std::chrono::duration_cast<Time::duration>(std::chrono::duration<double>(seconds));
}

inline AmtRelay ipv4_relay(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return AmtRelay{0, false, RelayType::ipv4, {a, b, c, d}};
}

inline AmtRelay with_precedence(AmtRelay relay, std::uint8_t precedence) {
  relay.precedence = precedence;
  return relay;
}

inline const AmtRelay kMx = ipv4_relay(192, 0, 2, 1);
inline const AmtRelay kGateway1 = ipv4_relay(192, 0, 2, 11);
inline const AmtRelay kGateway2 = ipv4_relay(192, 0, 2, 12);

inline RelayGroup two_gateway_group() {
  return RelayGroup{"amt-us-east", MxRelay{kMx, 4000}, {kGateway1, kGateway2}};
}

class PolicyRun {
 public:
  explicit PolicyRun(RelayGroup group = two_gateway_group(), PolicyParams params = {})
      : group_(std::move(group)), params_(params) {
    health_.gateways.assign(group_.gateways.size(), GatewayState::healthy);
  }

  // Reports an MX state at `seconds`; `since` moves only on a real change.
  PolicyRun& mx(MxState state, double seconds, double load = 0.0) {
    if (state != health_.mx.state) health_.mx.since = at(seconds);
    health_.mx.state = state;
    health_.mx.load = load;
    return *this;
  }
  PolicyRun& load(double load) {
    health_.mx.load = load;
    return *this;
  }
  PolicyRun& gateway(std::size_t index, GatewayState state) {
    health_.gateways.at(index) = state;
    return *this;
  }
  PolicyRun& all_gateways(GatewayState state) {
    health_.gateways.assign(group_.gateways.size(), state);
    return *this;
  }
  // An MX that has been healthy since the epoch: proven from hold_up_s on.
  PolicyRun& mx_long_healthy(double load = 0.0) {
    health_.mx = MxHealth{MxState::healthy, load, at(-1000)};
    return *this;
  }

  // decide() at `seconds`, remembering the result as the next `previous`.
  const Decision& decide_at(double seconds) {
    const Decision* previous = last_ ? &*last_ : nullptr;
    last_ = policy::decide(group_, health_, previous, at(seconds), params_);
    return *last_;
  }
  const Decision& last() const { return *last_; }
  const PolicyParams& params() const { return params_; }

 private:
  RelayGroup group_;
  PolicyParams params_;
  GroupHealth health_;
  std::optional<Decision> last_;
};

}  // namespace driad::policy::test
