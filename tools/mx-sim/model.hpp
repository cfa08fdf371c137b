// The simulated MX: its operator-visible state (what the control port changes)
// and the gNMI leaves that state exports, rendered as Notifications.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/gnmi.pb.h"
#include "tools/mx-sim/command.hpp"

namespace driad::mxsim {

using SteadyClock = std::chrono::steady_clock;

// Names fixed at start-up by the command line.
struct SimOptions {
  std::string interface = "lo0";       // the relay interface (carries the anycast)
  std::string anycast = "192.0.2.1";   // the relay's anycast IPv4 address
  std::string ud_device = "ud-0/0/0";  // the AMT tunnel device
  std::string routing_engine = "Routing Engine0";
  bool juniper_header = false;  // add registered_ext {id: 1} to every response
  bool legacy_leaves = false;   // add JunOS's old "__...__" leaves to notifications
};

// Bytes per second each tunnel adds to the ud device's out-octets when no
// explicit rate is set: 1 Mbit/s, a typical SD multicast stream.
inline constexpr uint64_t kPerTunnelBitsPerSecond = 1'000'000;

// What the control port changes. Plain data: the Hub serialises access.
struct MxState {
  bool relay_up = true;              // oper-status of the relay interface (lo0)
  bool ud_up = true;                 // oper-status of the tunnel device
  bool anycast_present = true;       // anycast address configured on lo0.0
  uint32_t tunnels = 0;              // active AMT tunnels
  std::optional<uint64_t> rate_bps;  // out-octets growth; unset: tunnels x 1 Mbit/s
  uint32_t cpu_idle = 95;            // routing engine idle percent

  // out-octets is integrated piecewise: octets_at_mark at time mark, growing
  // at the current rate since then. Rebase() before any rate change.
  uint64_t octets_at_mark = 0;
  SteadyClock::time_point mark = SteadyClock::now();

  uint64_t RateBps() const { return rate_bps ? *rate_bps : tunnels * kPerTunnelBitsPerSecond; }
  uint64_t OutOctets(SteadyClock::time_point now) const;
  void Rebase(SteadyClock::time_point now);
  std::string Describe(const SimOptions& options, SteadyClock::time_point now) const;
};

// One exported leaf: its full path, its canonical string and its value.
struct Leaf {
  gnmi::Path path;
  std::string key;  // PathString(path)
  gnmi::TypedValue value;
};

// The generic tunnel-count leaf, for collectors that export one number.
inline constexpr const char* kTunnelCountPath = "/amt/relay/state/tunnel-count";

// Every leaf the simulated MX exports right now, in a stable order.
std::vector<Leaf> Leaves(const SimOptions& options, const MxState& state,
                         SteadyClock::time_point now);

// The two leaves of tunnel `index` (1-based): its subinterface's index and
// oper-status under the tunnel device.
std::vector<Leaf> TunnelLeaves(const SimOptions& options, uint32_t index);
// The generic tunnel-count leaf holding `count`.
Leaf TunnelCountLeaf(uint32_t count);

// The size of the values and keys `garbage huge` sends.
inline constexpr size_t kHugeBytes = size_t{64} * 1024;

// Responses a gNMI client cannot use, of `kind`, with `target` in every
// prefix. They say nothing about the simulated MX (whose state they leave
// alone) except that wrong-type sends oper-status as an int and a bool, which
// a client that turns values into text reads as "not UP". Every status leaf
// the bad paths aim at carries "DOWN", so a client that misreads a bad path
// as a real one shows it.
std::vector<gnmi::SubscribeResponse> Garbage(GarbageKind kind, const SimOptions& options,
                                             const std::string& target);

// A value as the subscriber asked for it: PROTO keeps the typed scalar, JSON
// turns it into json_val text (numbers bare, strings quoted).
gnmi::TypedValue Encode(const gnmi::TypedValue& value, gnmi::Encoding encoding);

// How notifications are rendered for one subscriber.
struct RenderOptions {
  gnmi::Encoding encoding = gnmi::PROTO;
  std::string target;  // echoed in every prefix when the request named one
  bool legacy_leaves = false;
  int64_t timestamp_ns = 0;
};

// Groups updates and deletes by their first two path elements (for example
// /interfaces/interface[name=lo0]) into one Notification per group with that
// group as the prefix, as JunOS does; paths inside are relative to it.
std::vector<gnmi::Notification> Render(const std::vector<const Leaf*>& updates,
                                       const std::vector<gnmi::Path>& deletes,
                                       const RenderOptions& options);

int64_t NowNanos();

}  // namespace driad::mxsim
