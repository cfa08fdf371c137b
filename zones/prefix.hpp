// IP addresses and prefixes as the zone model stores them: one 128-bit value per
// address, IPv4 in the low 32 bits, so both families share one set of helpers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace driad::zones {

__extension__ using Bits128 = unsigned __int128;

enum class Family : std::uint8_t { ipv4, ipv6 };

constexpr unsigned address_bits(Family family) noexcept {
  return family == Family::ipv4 ? 32 : 128;
}

constexpr Bits128 family_mask(Family family) noexcept {
  return family == Family::ipv4 ? Bits128{0xffffffffU} : ~Bits128{0};
}

// The mask of the first `length` bits of an address of `family`.
constexpr Bits128 prefix_mask(Family family, unsigned length) noexcept {
  const unsigned width = address_bits(family);
  // Shifting a 128-bit value by 128 is undefined, so /0 is answered first.
  if (length == 0) return 0;
  const Bits128 host = length >= width ? 0 : ((Bits128{1} << (width - length)) - 1);
  return family_mask(family) & ~host;
}

struct Prefix {
  Family family = Family::ipv4;
  Bits128 address = 0;  // host bits are zero
  std::uint8_t length = 0;

  Bits128 first() const noexcept { return address; }
  Bits128 last() const noexcept {
    return address | (~prefix_mask(family, length) & family_mask(family));
  }
  bool contains(const Prefix& inner) const noexcept {
    return inner.family == family && inner.length >= length &&
           (inner.address & prefix_mask(family, length)) == address;
  }
  bool overlaps(const Prefix& other) const noexcept {
    return contains(other) || other.contains(*this);
  }

  friend bool operator==(const Prefix&, const Prefix&) = default;
};

// "198.51.100.0/24", "2001:db8::/32", or a bare address (a full-length prefix).
// Host bits must be zero: "198.51.100.1/24" is an error, not silently masked.
tl::expected<Prefix, std::string> parse_prefix(std::string_view text);

// A bare IPv4 or IPv6 address.
tl::expected<Prefix, std::string> parse_address(std::string_view text);

std::string to_string(const Prefix& prefix);

// The 4 or 16 network-order octets of an address.
void address_octets(Family family, Bits128 address, std::uint8_t* out) noexcept;

}  // namespace driad::zones
