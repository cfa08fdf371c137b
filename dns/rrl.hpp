// Response rate limiting (RRL) for UDP, in the style of BIND, Knot and NSD:
// a token bucket per client prefix (/24 IPv4, /56 IPv6 by default), limited
// responses dropped or "slipped" (sent truncated, TC=1 and no records, so a
// real resolver retries over TCP), and a cap on how much larger than its query
// an answer may be before it goes out truncated (the amplification cap).
//
// THE RULE. A RateLimiter belongs to one UDP listener thread: its table is
// read and written by that thread only, without locks or atomics, and nothing
// allocates after construction. Each thread limits on its own, so a client
// whose queries the kernel spreads over N threads (SO_REUSEPORT hashes the
// source port) gets up to N times the rate; one client port stays on one
// thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "dns/responder.hpp"

namespace driad::dns {

struct RrlOptions {
  std::uint32_t responses_per_second = 20;  // per client prefix
  std::uint32_t slip = 2;  // every Nth limited response goes out truncated; 0: none, 1: all
  std::uint8_t ipv4_prefix = 24;
  std::uint8_t ipv6_prefix = 56;
  std::uint32_t window_s = 1;  // burst: a fresh prefix may send responses_per_second * window_s
  // A UDP answer larger than max_amplification times its query goes out
  // truncated; 0: no cap. Counted neither as dropped nor as slipped.
  std::uint32_t max_amplification = 10;

  friend bool operator==(const RrlOptions&, const RrlOptions&) = default;
};

enum class RrlVerdict : std::uint8_t { send, drop, slip };

// A client's prefix as the table keys it: the address cut to the configured
// length, with the family. Unknown clients (no peer address) share one key.
struct RrlPrefix {
  zones::Family family = zones::Family::ipv4;
  zones::Bits128 bits = 0;

  friend bool operator==(const RrlPrefix&, const RrlPrefix&) = default;
};

RrlPrefix rrl_prefix(const ClientAddress& client, std::uint8_t ipv4_prefix,
                     std::uint8_t ipv6_prefix) noexcept;

class RateLimiter {
 public:
  // `slots` is rounded up to a multiple of kWays (and a power of two sets).
  explicit RateLimiter(const RrlOptions& options, std::size_t slots = kDefaultSlots,
                       std::uint64_t seed = 0);

  // One response to `client` at `now_ns` (a monotonic clock, read once per
  // batch): send it, drop it, or send it truncated. Limited responses take no
  // token: a client that slows down to the rate is answered again at once.
  RrlVerdict check(const ClientAddress& client, std::uint64_t now_ns) noexcept;

  // Whether a `response_size` answer to a `query_size` query must be
  // truncated under the amplification cap.
  bool too_large(std::size_t query_size, std::size_t response_size) const noexcept {
    return max_amplification_ != 0 && response_size > query_size * max_amplification_;
  }

  std::size_t slots() const noexcept { return table_.size(); }

  static constexpr std::size_t kDefaultSlots = 65536;  // 1 MiB per listener thread
  static constexpr std::size_t kWays = 4;              // one 64-octet cache line per set

 private:
  // tag: 48 bits of the prefix's hash (never 0 in a used slot), then the
  // count of limited responses (for slip) in the low 16 bits.
  // due_ns: the theoretical arrival time of the next response (GCRA): the
  // bucket is full when due_ns <= now, and a response is limited when due_ns
  // lies more than the burst ahead of now.
  struct Slot {
    std::uint64_t tag = 0;
    std::uint64_t due_ns = 0;
  };

  std::vector<Slot> table_;
  std::uint64_t set_mask_ = 0;
  std::uint64_t seed_;
  std::uint64_t interval_ns_;   // one token
  std::uint64_t tolerance_ns_;  // (burst - 1) tokens
  std::uint32_t slip_;
  std::uint32_t max_amplification_;
  std::uint8_t ipv4_prefix_;
  std::uint8_t ipv6_prefix_;
};

// Cuts the `size`-octet response in `message` down in place to its header,
// question and OPT record (EDNS stays, with any ECS option), with TC set and
// no answer or authority records; returns the new size. A response it cannot
// read is cut to header and question.
std::size_t truncate_response(std::span<std::uint8_t> message, std::size_t size) noexcept;

}  // namespace driad::dns
