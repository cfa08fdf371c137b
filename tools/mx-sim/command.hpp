// The control protocol's commands: one line of text in, one Command out.
// Parsing is pure so every command form is unit-tested without sockets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace driad::mxsim {

// What `garbage` sends: notifications a client cannot use (model.hpp, Garbage).
enum class GarbageKind {
  kAll,          // every kind below, in this order
  kUnknownPath,  // leaves the MX does not export
  kWrongType,    // known leaves with the wrong TypedValue kind
  kBadPath,      // paths with unbalanced brackets, empty names, the deprecated field
  kNoValue,      // updates without a value, an empty notification, an empty response
  kHuge,         // 64 KiB values and keys
};

struct Command {
  enum class Kind {
    kOperStatus,  // oper-status UP|DOWN        relay interface (lo0) state
    kUdStatus,    // ud-status UP|DOWN          tunnel device state
    kAnycast,     // anycast present|absent
    kTunnels,     // tunnels N                  subinterfaces + tunnel-count leaf
    kRate,        // rate BPS|auto              out-octets growth in bit/s
    kCpuIdle,     // cpu-idle 0..100
    kStall,       // stall                      send nothing, keep streams open
    kResume,      // resume
    kDrop,        // drop                       end every stream (UNAVAILABLE)
    kRefuse,      // refuse on|off              new Subscribes get UNAVAILABLE
    kGarbage,     // garbage [KIND]             unusable notifications on every stream
    kChurn,       // churn RATE SECONDS|stop    flip the tunnel count RATE times a second
    kState,       // state                      print the current values
    kQuit,        // quit                       close this control connection
  };
  Kind kind = Kind::kState;
  bool flag = false;  // UP, present, on
  // tunnels, rate (unset = auto), cpu idle, churn rate (unset = stop)
  std::optional<uint64_t> number;
  uint64_t seconds = 0;  // churn length
  GarbageKind garbage = GarbageKind::kAll;
};

// The largest `tunnels` value: each tunnel is two leaves in every update.
inline constexpr uint64_t kMaxTunnels = 100'000;
// The largest `rate`, 1 Tbit/s, keeps the out-octets arithmetic in 64 bits.
inline constexpr uint64_t kMaxRateBps = 1'000'000'000'000;

// Churn bounds: a rate a gRPC stream on loopback carries, for at most 5 minutes.
inline constexpr uint64_t kMaxChurnRate = 100'000;
inline constexpr uint64_t kMaxChurnSeconds = 300;

// The `garbage` kind names, as the control port spells them.
std::string_view GarbageKindName(GarbageKind kind);

tl::expected<Command, std::string> ParseCommand(std::string_view line);

// One line listing the commands, for `error:` replies.
std::string CommandHelp();

}  // namespace driad::mxsim
