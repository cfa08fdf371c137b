// The per-client TCP connection count's hashing and its two rows.
#include "dns/client_connections.hpp"

#include <algorithm>

#include "dns/keyed_hash.hpp"

namespace driad::dns {

ClientConnections::ClientConnections(std::uint32_t limit, std::uint64_t seed) : limit_(limit) {
  if (limit_ == 0) return;
  if (seed == 0) seed = random_hash_seed();
  seeds_ = {splitmix64_mix(seed), splitmix64_mix(seed ^ 0x9e3779b97f4a7c15ULL)};
  rows_ = std::make_unique<std::array<Row, 2>>();
  for (Row& row : *rows_)
    for (auto& counter : row) counter.store(0, std::memory_order_relaxed);
}

std::array<std::size_t, 2> ClientConnections::columns(const ClientAddress& client) const noexcept {
  const auto low = static_cast<std::uint64_t>(client.address);
  const auto high = static_cast<std::uint64_t>(client.address >> 64);
  const std::uint64_t family = client.family == zones::Family::ipv6 ? 1 : 0;
  std::array<std::size_t, 2> out{};
  for (std::size_t row = 0; row < 2; ++row) {
    out[row] = static_cast<std::size_t>(
        splitmix64_mix(splitmix64_mix(seeds_[row] ^ low) ^ high ^ family) % kColumns);
  }
  return out;
}

bool ClientConnections::acquire(const ClientAddress& client) noexcept {
  if (limit_ == 0) return true;
  const auto at = columns(client);
  std::uint32_t count = UINT32_MAX;
  for (std::size_t row = 0; row < 2; ++row) {
    count = std::min(count, (*rows_)[row][at[row]].fetch_add(1, std::memory_order_relaxed) + 1);
  }
  if (count <= limit_) return true;
  for (std::size_t row = 0; row < 2; ++row)
    (*rows_)[row][at[row]].fetch_sub(1, std::memory_order_relaxed);
  return false;
}

void ClientConnections::release(const ClientAddress& client) noexcept {
  if (limit_ == 0) return;
  const auto at = columns(client);
  for (std::size_t row = 0; row < 2; ++row)
    (*rows_)[row][at[row]].fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace driad::dns
