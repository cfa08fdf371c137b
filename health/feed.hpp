// The one shape every health feed reports in (style.md item 5): observations
// of one relay, delivered through a callback on the feed's own thread, and
// counters a scrape can read at any time. The daemon posts each observation
// to its control thread; policy/ turns them into decisions.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "policy/inputs.hpp"

namespace driad::health {

using Clock = std::chrono::steady_clock;

// What the MX said, normalised. `reported` is the state its leaves give
// (unknown until the first sync_response after each (re)connect; unhealthy
// when the stream is down or a leaf says so); staleness is judged by the
// receiver from `received` (policy::mx_state_at), so a feed that goes quiet
// needs no timer of its own.
struct MxObservation {
  policy::MxState reported = policy::MxState::unknown;
  std::uint64_t tunnels = 0;  // active AMT tunnels, when a tunnel count is known
  bool tunnels_known = false;
  double out_octets_rate_bps = 0;  // the byte-rate proxy, bits per second
  Clock::time_point received{};    // local receive time of the message behind this
  std::string detail;              // why, for logs: "lo0 oper-status DOWN", "UNAUTHENTICATED: ..."
};

// What a probe of one gateway relay found.
struct GatewayObservation {
  policy::GatewayState state = policy::GatewayState::unhealthy;
  std::chrono::microseconds rtt{0};  // of the last answered probe
  Clock::time_point received{};
  std::string detail;  // "no answer in 500 ms", "advertisement names 192.0.2.99", ...
};

// Counters every feed keeps; written by the feed thread, read by anyone.
struct FeedCounters {
  std::atomic<bool> connected{false};
  std::atomic<std::uint64_t> messages{0};  // good messages received
  std::atomic<std::uint64_t> failures{0};  // connection or request failures
  std::atomic<std::uint64_t> rejects{0};   // messages received but refused (malformed, wrong nonce)
  std::atomic<std::int64_t> last_message_ns{0};  // steady_clock time of the last good message
};

template <typename Observation>
using ObservationSink = std::function<void(const Observation&)>;

}  // namespace driad::health
