// Text <-> prefix conversion for the zone model (config-time only).
#include "zones/prefix.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace driad::zones {
namespace {

Bits128 from_octets(const std::uint8_t* octets, std::size_t count) {
  Bits128 value = 0;
  for (std::size_t i = 0; i < count; ++i) value = (value << 8) | octets[i];
  return value;
}

}  // namespace

tl::expected<Prefix, std::string> parse_address(std::string_view text) {
  // inet_pton wants a terminated string: copied to the stack, not the heap, as
  // a million prefixes in a sources file pass through here. No address is
  // longer than INET6_ADDRSTRLEN - 1, and a NUL inside would cut it short.
  char copy[INET6_ADDRSTRLEN];
  if (text.size() < sizeof copy && text.find('\0') == std::string_view::npos) {
    std::copy(text.begin(), text.end(), copy);
    copy[text.size()] = '\0';
    std::uint8_t octets[16];
    if (inet_pton(AF_INET, copy, octets) == 1) {
      return Prefix{Family::ipv4, from_octets(octets, 4), 32};
    }
    if (inet_pton(AF_INET6, copy, octets) == 1) {
      return Prefix{Family::ipv6, from_octets(octets, 16), 128};
    }
  }
  return tl::make_unexpected("'" + std::string(text) + "' is not an IPv4 or IPv6 address");
}

tl::expected<Prefix, std::string> parse_prefix(std::string_view text) {
  const auto slash = text.find('/');
  auto address = parse_address(text.substr(0, slash));
  if (!address) return address;
  if (slash == std::string_view::npos) return address;
  const std::string_view length_text = text.substr(slash + 1);
  unsigned length = 0;
  const auto* end = length_text.data() + length_text.size();
  const auto [ptr, ec] = std::from_chars(length_text.data(), end, length);
  const unsigned width = address_bits(address->family);
  if (length_text.empty() || ec != std::errc{} || ptr != end || length > width) {
    return tl::make_unexpected("'" + std::string(text) + "' has a prefix length that is not 0-" +
                               std::to_string(width));
  }
  Prefix prefix{address->family, address->address, static_cast<std::uint8_t>(length)};
  if ((prefix.address & ~prefix_mask(prefix.family, length)) != 0) {
    return tl::make_unexpected("'" + std::string(text) + "' has host bits set beyond /" +
                               std::to_string(length));
  }
  return prefix;
}

void address_octets(Family family, Bits128 address, std::uint8_t* out) noexcept {
  const unsigned count = address_bits(family) / 8;
  for (unsigned i = 0; i < count; ++i) {
    out[count - 1 - i] = static_cast<std::uint8_t>(address >> (8 * i));
  }
}

std::string to_string(const Prefix& prefix) {
  std::uint8_t octets[16];
  address_octets(prefix.family, prefix.address, octets);
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(prefix.family == Family::ipv4 ? AF_INET : AF_INET6, octets, text, sizeof text);
  return std::string(text) + "/" + std::to_string(prefix.length);
}

}  // namespace driad::zones
