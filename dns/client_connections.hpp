// Open TCP connections per client address, counted over every worker (the
// kernel spreads one client's connections over the workers' SO_REUSEPORT
// acceptors by source port, so a per-worker count would not hold).
//
// A count-min sketch: two rows of atomic counters, each indexed by its own
// seeded hash of the address. A connection adds one in both rows; an
// address's count is the smaller of its two counters: never below its true
// count, above it only when both counters are shared with other addresses.
// Wrongly refused, then, is an address both of whose counters other
// addresses have filled: with the default caps (1024 connections, 16 per
// address) at most 64 counters of a row are full, odds under 1 in 65,000.
// No lock, no allocation after construction; any thread. Accepts of one
// address racing on different workers may overshoot the limit by one each.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "dns/responder.hpp"

namespace driad::dns {

class ClientConnections {
 public:
  // `limit` 0: no limit (acquire() always succeeds and counts nothing).
  explicit ClientConnections(std::uint32_t limit, std::uint64_t seed = 0);

  // Takes one connection slot for `client`; false (and nothing taken) when it
  // already holds `limit`. Each true is paired with one release().
  bool acquire(const ClientAddress& client) noexcept;
  void release(const ClientAddress& client) noexcept;

  std::uint32_t limit() const noexcept { return limit_; }

 private:
  static constexpr std::size_t kColumns = 16384;
  using Row = std::array<std::atomic<std::uint32_t>, kColumns>;

  std::array<std::size_t, 2> columns(const ClientAddress& client) const noexcept;

  std::uint32_t limit_;
  std::array<std::uint64_t, 2> seeds_{};
  std::unique_ptr<std::array<Row, 2>> rows_;  // 128 KiB, only with a limit
};

}  // namespace driad::dns
