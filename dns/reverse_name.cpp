// Reverse-name decoding and encoding.
#include "dns/reverse_name.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace driad::dns {
namespace {

using zones::Bits128;
using zones::Family;

constexpr std::uint8_t kInAddrArpa[] = {7,   'i', 'n', '-', 'a', 'd', 'd',
                                        'r', 4,   'a', 'r', 'p', 'a', 0};
constexpr std::uint8_t kIp6Arpa[] = {3, 'i', 'p', '6', 4, 'a', 'r', 'p', 'a', 0};

int hex_value(std::uint8_t c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ends_with(std::span<const std::uint8_t> wire, std::span<const std::uint8_t> suffix,
               std::size_t at) {
  return wire.size() - at == suffix.size() &&
         std::equal(suffix.begin(), suffix.end(), wire.begin() + static_cast<std::ptrdiff_t>(at),
                    [](std::uint8_t a, std::uint8_t b) {
                      // Either side may be upper case: `a` is the suffix, `b` the name.
                      const auto lower = [](std::uint8_t c) {
                        return c >= 'A' && c <= 'Z' ? c + 32 : c;
                      };
                      return lower(a) == lower(b);
                    });
}

}  // namespace

bool extend_reverse_prefix(zones::Prefix& prefix, std::span<const std::uint8_t> label) noexcept {
  const unsigned width = zones::address_bits(prefix.family);
  if (prefix.family == Family::ipv4) {
    if (prefix.length + 8U > width || label.empty() || label.size() > 3) return false;
    if (label.size() > 1 && label[0] == '0') return false;  // "07" names nothing
    unsigned value = 0;
    for (const std::uint8_t c : label) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    if (value > 255) return false;
    prefix.length = static_cast<std::uint8_t>(prefix.length + 8);
    prefix.address |= Bits128{value} << (width - prefix.length);
    return true;
  }
  if (prefix.length + 4U > width || label.size() != 1) return false;
  const int nibble = hex_value(label[0]);
  if (nibble < 0) return false;
  prefix.length = static_cast<std::uint8_t>(prefix.length + 4);
  prefix.address |= Bits128{static_cast<unsigned>(nibble)} << (width - prefix.length);
  return true;
}

tl::expected<zones::Prefix, std::string> prefix_from_reverse_name(
    std::span<const std::uint8_t> wire) {
  std::vector<std::size_t> starts;
  for (std::size_t at = 0; at < wire.size() && wire[at] != 0; at += wire[at] + 1U)
    starts.push_back(at);
  zones::Prefix prefix;
  std::size_t suffix_labels = 0;
  if (starts.size() >= 2 && ends_with(wire, kInAddrArpa, starts[starts.size() - 2])) {
    prefix.family = Family::ipv4;
    suffix_labels = 2;
  } else if (starts.size() >= 2 && ends_with(wire, kIp6Arpa, starts[starts.size() - 2])) {
    prefix.family = Family::ipv6;
    suffix_labels = 2;
  } else {
    return tl::make_unexpected("'" + name_to_text(wire) +
                               "' is not under in-addr.arpa. or ip6.arpa.");
  }
  for (std::size_t i = starts.size() - suffix_labels; i-- > 0;) {
    const std::size_t at = starts[i];
    if (!extend_reverse_prefix(prefix, wire.subspan(at + 1, wire[at]))) {
      return tl::make_unexpected(
          "'" + name_to_text(wire) + "': label '" +
          std::string(wire.begin() + static_cast<std::ptrdiff_t>(at) + 1,
                      wire.begin() + static_cast<std::ptrdiff_t>(at) + 1 + wire[at]) +
          "' is not " +
          (prefix.family == Family::ipv4 ? "a decimal octet (0-255, no leading zero)"
                                         : "a single hex digit") +
          (zones::address_bits(prefix.family) == prefix.length ? ", or there are too many labels"
                                                               : ""));
    }
  }
  return prefix;
}

WireName reverse_name(const zones::Prefix& prefix) {
  WireName wire;
  const unsigned width = zones::address_bits(prefix.family);
  if (prefix.family == Family::ipv4) {
    for (unsigned bits = prefix.length; bits >= 8; bits -= 8) {
      const auto octet = static_cast<unsigned>((prefix.address >> (width - bits)) & 0xff);
      const std::string text = std::to_string(octet);
      wire.push_back(static_cast<std::uint8_t>(text.size()));
      wire.insert(wire.end(), text.begin(), text.end());
    }
    wire.insert(wire.end(), std::begin(kInAddrArpa), std::end(kInAddrArpa));
  } else {
    static constexpr char kHex[] = "0123456789abcdef";
    for (unsigned bits = prefix.length; bits >= 4; bits -= 4) {
      const auto nibble = static_cast<unsigned>((prefix.address >> (width - bits)) & 0xf);
      wire.push_back(1);
      wire.push_back(static_cast<std::uint8_t>(kHex[nibble]));
    }
    wire.insert(wire.end(), std::begin(kIp6Arpa), std::end(kIp6Arpa));
  }
  return wire;
}

}  // namespace driad::dns
