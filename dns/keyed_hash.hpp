// Hashing of client addresses for the per-client tables (RRL buckets, TCP
// connection counts): a random per-process seed, so that clients cannot aim
// at one bucket, and splitmix64's finaliser to spread the bits.
#pragma once

#include <cstdint>
#include <random>

namespace driad::dns {

constexpr std::uint64_t splitmix64_mix(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A non-zero seed from std::random_device (control path only).
inline std::uint64_t random_hash_seed() {
  std::random_device device;
  return (std::uint64_t{device()} << 32 | device()) | 1;
}

}  // namespace driad::dns
