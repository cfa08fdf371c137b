// RFC 7450 Relay Discovery and Relay Advertisement (sections 5.1.1, 5.1.2):
// pure encode and parse over byte spans, no I/O, so the probe, the
// amt-responder test tool and a fuzz target share one codec.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <tl/expected.hpp>

namespace driad::health::amt {

inline constexpr std::uint16_t kRelayPort = 2268;  // IANA port for AMT
inline constexpr std::uint8_t kVersion = 0;
inline constexpr std::uint8_t kTypeRelayDiscovery = 1;
inline constexpr std::uint8_t kTypeRelayAdvertisement = 2;
inline constexpr std::size_t kDiscoverySize = 8;         // V/type, reserved(3), nonce(4)
inline constexpr std::size_t kAdvertisementV4Size = 12;  // + IPv4 relay address
inline constexpr std::size_t kAdvertisementV6Size = 24;  // + IPv6 relay address

// The Discovery Nonce, kept in host order; on the wire it is 4 octets,
// most significant first (it is opaque: only equality matters).
using Nonce = std::uint32_t;

enum class ParseError : std::uint8_t {
  bad_version,  // high nibble of the first octet is not 0
  bad_type,     // low nibble is not the expected message type
  bad_length,   // not exactly the size the message type allows
};

struct Advertisement {
  Nonce nonce = 0;
  // IPv4 for a 12-octet message, IPv6 for a 24-octet one (RFC 7450 5.1.2.4:
  // the family follows from the length).
  boost::asio::ip::address relay;
};

std::array<std::uint8_t, kDiscoverySize> EncodeDiscovery(Nonce nonce) noexcept;

// 12 octets for an IPv4 relay, 24 for IPv6.
std::vector<std::uint8_t> EncodeAdvertisement(Nonce nonce, const boost::asio::ip::address& relay);

// The reserved octets are ignored on receipt, as section 5.1.1.2 says.
tl::expected<Nonce, ParseError> ParseDiscovery(std::span<const std::uint8_t> message) noexcept;
tl::expected<Advertisement, ParseError> ParseAdvertisement(
    std::span<const std::uint8_t> message) noexcept;

std::string_view to_string(ParseError error) noexcept;

}  // namespace driad::health::amt
