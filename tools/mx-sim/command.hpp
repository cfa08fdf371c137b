// The control protocol's commands: one line of text in, one Command out.
// Parsing is pure so every command form is unit-tested without sockets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace driad::mxsim {

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
    kState,       // state                      print the current values
    kQuit,        // quit                       close this control connection
  };
  Kind kind = Kind::kState;
  bool flag = false;               // UP, present, on
  std::optional<uint64_t> number;  // tunnels, rate (unset = auto), cpu idle
};

// The largest `tunnels` value: each tunnel is two leaves in every update.
inline constexpr uint64_t kMaxTunnels = 100'000;
// The largest `rate`, 1 Tbit/s, keeps the out-octets arithmetic in 64 bits.
inline constexpr uint64_t kMaxRateBps = 1'000'000'000'000;

tl::expected<Command, std::string> ParseCommand(std::string_view line);

// One line listing the commands, for `error:` replies.
std::string CommandHelp();

}  // namespace driad::mxsim
