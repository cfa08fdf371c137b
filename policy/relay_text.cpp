// One-way AmtRelay -> presentation text: dotted IPv4, RFC 5952 IPv6, and
// wire-format domain names with RFC 1035 escapes.
#include "policy/relay_text.hpp"

#include <cstdint>
#include <cstdio>

namespace driad::policy {
namespace {

std::string ipv4_text(const std::vector<std::uint8_t>& octets) {
  std::string text;
  for (std::size_t i = 0; i < octets.size(); ++i) {
    if (i != 0) text += '.';
    text += std::to_string(octets[i]);
  }
  return text;
}

// RFC 5952: lower-case hex without leading zeros, the longest run of two or
// more zero groups (the first of equal runs) written as "::".
std::string ipv6_text(const std::vector<std::uint8_t>& octets) {
  unsigned groups[8];
  for (std::size_t i = 0; i < 8; ++i) groups[i] = (octets[2 * i] << 8U) | octets[2 * i + 1];
  int best_start = -1;
  int best_length = 1;  // a single zero group is not compressed
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_length) {
      best_start = i;
      best_length = j - i;
    }
    i = j == i ? i + 1 : j;
  }
  std::string text;
  char hex[8];
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      text += "::";
      i += best_length - 1;
      continue;
    }
    if (!text.empty() && text.back() != ':') text += ':';
    std::snprintf(hex, sizeof hex, "%x", groups[i]);
    text += hex;
  }
  return text;
}

// Uncompressed wire name with its root octet; empty string if it is not one.
std::string domain_text(const std::vector<std::uint8_t>& wire) {
  std::string text;
  std::size_t at = 0;
  while (at < wire.size()) {
    const std::size_t length = wire[at++];
    if (length == 0) return at == wire.size() ? (text.empty() ? "." : text) : std::string();
    if (length > 63 || at + length > wire.size()) return {};
    for (std::size_t i = 0; i < length; ++i) {
      const std::uint8_t octet = wire[at + i];
      if (octet == '.' || octet == '\\') {
        text += '\\';
        text += static_cast<char>(octet);
      } else if (octet <= 0x20 || octet >= 0x7f) {
        char escape[8];
        std::snprintf(escape, sizeof escape, "\\%03u", static_cast<unsigned>(octet));
        text += escape;
      } else {
        text += static_cast<char>(octet);
      }
    }
    at += length;
    text += '.';
  }
  return {};  // no root octet
}

std::string relay_text(const AmtRelay& relay) {
  switch (relay.type) {
    case RelayType::none:
      return relay.relay.empty() ? "." : std::string();
    case RelayType::ipv4:
      return relay.relay.size() == 4 ? ipv4_text(relay.relay) : std::string();
    case RelayType::ipv6:
      return relay.relay.size() == 16 ? ipv6_text(relay.relay) : std::string();
    case RelayType::domain_name:
      return domain_text(relay.relay);
  }
  return {};
}

}  // namespace

std::string to_text(const AmtRelay& relay) {
  std::string address = relay_text(relay);
  if (address.empty()) address = "<malformed>";
  return std::to_string(relay.precedence) + (relay.discovery_optional ? " 1 " : " 0 ") +
         std::to_string(static_cast<unsigned>(relay.type)) + ' ' + address;
}

std::string to_text(const std::vector<AmtRelay>& relays) {
  std::string text = "[";
  for (std::size_t i = 0; i < relays.size(); ++i) {
    if (i != 0) text += ", ";
    text += to_text(relays[i]);
  }
  return text + ']';
}

}  // namespace driad::policy
