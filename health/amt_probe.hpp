// The gateway health feed: an RFC 7450 relay-discovery probe of one
// kernel-AMT relay, sent on a timer, turned into GatewayObservations.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/ip/address.hpp>
#include <tl/expected.hpp>

#include "health/amt_wire.hpp"
#include "health/feed.hpp"

namespace driad::health {

struct AmtProbeConfig {
  // The relay probed, and the only address an Advertisement is accepted
  // from and may name for the relay to count as healthy.
  boost::asio::ip::address relay;
  std::uint16_t port = amt::kRelayPort;      // the config's `probe_port`
  std::chrono::milliseconds interval{1000};  // from one Discovery to the next
  std::chrono::milliseconds timeout{500};    // per Discovery; must not exceed interval
  // Consecutive unanswered probes that make a healthy (or redirecting) relay
  // unhealthy. 2 rides out one lost datagram on a busy host while still
  // failing within about interval * 2. A relay never yet answered is
  // unhealthy from its first miss: it counts only once proven up.
  unsigned miss_threshold = 2;
};

// Checks the fields above; the message names the field.
tl::expected<void, std::string> Validate(const AmtProbeConfig& config);

// Every `interval`, sends a Relay Discovery with a fresh random nonce from an
// unconnected UDP socket to relay:port and waits up to `timeout` for the
// Advertisement. One GatewayObservation per probe goes to the sink:
//   - an Advertisement from relay:port echoing the nonce and naming `relay`:
//     healthy, with its rtt;
//   - the same, naming another relay: redirecting (up, but sending gateways
//     elsewhere), detail "advertisement names <addr>";
//   - nothing acceptable within `timeout`: a miss. Below miss_threshold the
//     last state is repeated with the miss in the detail; at it, unhealthy.
// Datagrams that are malformed, from another address or port, or carry
// another nonce are counted in counters().rejects and ignored (so the right
// answer can still arrive); the miss detail names the last one.
// Counters: messages = acceptable Advertisements, failures = send or receive
// errors, connected = the last probe was answered.
//
// Threading: start() runs the probe on its own thread with its own
// io_context; the sink is called on that thread, one call at a time, and must
// not block or call stop(). stop() (also run by the destructor) closes the
// socket and joins the thread; it waits only for a sink call in progress.
// start() and stop() are for one owning thread; counters() may be read from
// any thread. A probe is sent only ever to relay:port.
class AmtProbe {
 public:
  AmtProbe(AmtProbeConfig config, ObservationSink<GatewayObservation> sink);
  ~AmtProbe();
  AmtProbe(const AmtProbe&) = delete;
  AmtProbe& operator=(const AmtProbe&) = delete;

  // Validates the config, opens the socket and starts probing (the first
  // Discovery goes out at once). An error leaves the probe stopped.
  tl::expected<void, std::string> start();
  void stop();

  const FeedCounters& counters() const { return counters_; }
  const AmtProbeConfig& config() const { return config_; }

 private:
  class Loop;  // the Asio side, alive from start() to stop()

  AmtProbeConfig config_;
  ObservationSink<GatewayObservation> sink_;
  FeedCounters counters_;
  std::unique_ptr<Loop> loop_;
};

}  // namespace driad::health
