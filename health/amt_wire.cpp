// Implements the RFC 7450 discovery codec (amt_wire.hpp).
#include "health/amt_wire.hpp"

#include <algorithm>

namespace driad::health::amt {
namespace {

void PutNonce(Nonce nonce, std::uint8_t* out) noexcept {
  out[0] = static_cast<std::uint8_t>(nonce >> 24);
  out[1] = static_cast<std::uint8_t>(nonce >> 16);
  out[2] = static_cast<std::uint8_t>(nonce >> 8);
  out[3] = static_cast<std::uint8_t>(nonce);
}

Nonce GetNonce(const std::uint8_t* in) noexcept {
  return (Nonce{in[0]} << 24) | (Nonce{in[1]} << 16) | (Nonce{in[2]} << 8) | Nonce{in[3]};
}

// Checks the first octet before the length, so a stray message of another
// type is reported as such rather than as a length error.
tl::expected<void, ParseError> CheckHeader(std::span<const std::uint8_t> message,
                                           std::uint8_t type) noexcept {
  if (message.empty()) return tl::unexpected(ParseError::bad_length);
  if ((message[0] >> 4) != kVersion) return tl::unexpected(ParseError::bad_version);
  if ((message[0] & 0x0f) != type) return tl::unexpected(ParseError::bad_type);
  return {};
}

}  // namespace

std::array<std::uint8_t, kDiscoverySize> EncodeDiscovery(Nonce nonce) noexcept {
  std::array<std::uint8_t, kDiscoverySize> out{};
  out[0] = kTypeRelayDiscovery;
  PutNonce(nonce, &out[4]);
  return out;
}

std::vector<std::uint8_t> EncodeAdvertisement(Nonce nonce, const boost::asio::ip::address& relay) {
  std::vector<std::uint8_t> out(8, 0);
  out[0] = kTypeRelayAdvertisement;
  PutNonce(nonce, &out[4]);
  if (relay.is_v4()) {
    const auto bytes = relay.to_v4().to_bytes();
    out.insert(out.end(), bytes.begin(), bytes.end());
  } else {
    const auto bytes = relay.to_v6().to_bytes();
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  return out;
}

tl::expected<Nonce, ParseError> ParseDiscovery(std::span<const std::uint8_t> message) noexcept {
  if (auto header = CheckHeader(message, kTypeRelayDiscovery); !header) {
    return tl::unexpected(header.error());
  }
  if (message.size() != kDiscoverySize) return tl::unexpected(ParseError::bad_length);
  return GetNonce(&message[4]);
}

tl::expected<Advertisement, ParseError> ParseAdvertisement(
    std::span<const std::uint8_t> message) noexcept {
  if (auto header = CheckHeader(message, kTypeRelayAdvertisement); !header) {
    return tl::unexpected(header.error());
  }
  Advertisement out;
  if (message.size() == kAdvertisementV4Size) {
    boost::asio::ip::address_v4::bytes_type bytes{};
    std::copy_n(&message[8], bytes.size(), bytes.begin());
    out.relay = boost::asio::ip::address_v4(bytes);
  } else if (message.size() == kAdvertisementV6Size) {
    boost::asio::ip::address_v6::bytes_type bytes{};
    std::copy_n(&message[8], bytes.size(), bytes.begin());
    out.relay = boost::asio::ip::address_v6(bytes);
  } else {
    return tl::unexpected(ParseError::bad_length);
  }
  out.nonce = GetNonce(&message[4]);
  return out;
}

std::string_view to_string(ParseError error) noexcept {
  switch (error) {
    case ParseError::bad_version:
      return "bad version";
    case ParseError::bad_type:
      return "bad type";
    case ParseError::bad_length:
      return "bad length";
  }
  return "unknown";
}

}  // namespace driad::health::amt
