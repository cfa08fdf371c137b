// The client address of a socket peer, as respond() takes it: an IPv4-mapped
// IPv6 address (::ffff:a.b.c.d, a dual-stack socket's IPv4 peer) counts as IPv4.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "dns/responder.hpp"

namespace driad::dns {

inline ClientAddress peer_address(const sockaddr* peer, socklen_t length) noexcept {
  ClientAddress client;
  if (peer == nullptr) return client;
  if (peer->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    sockaddr_in v4{};
    std::memcpy(&v4, peer, sizeof v4);
    client.known = true;
    client.family = zones::Family::ipv4;
    client.address = ntohl(v4.sin_addr.s_addr);
    return client;
  }
  if (peer->sa_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    sockaddr_in6 v6{};
    std::memcpy(&v6, peer, sizeof v6);
    std::uint8_t octets[16];
    std::memcpy(octets, &v6.sin6_addr, sizeof octets);
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    const bool mapped = std::memcmp(octets, kMapped, sizeof kMapped) == 0;
    client.known = true;
    client.family = mapped ? zones::Family::ipv4 : zones::Family::ipv6;
    for (unsigned i = mapped ? 12 : 0; i < 16; ++i)
      client.address = client.address << 8 | octets[i];
  }
  return client;
}

}  // namespace driad::dns
