// peer_address: socket peers as respond() sees them; IPv4-mapped IPv6 is IPv4.
#include "dns/peer_address.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

namespace driad::dns {
namespace {

ClientAddress from_v4(const char* text) {
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(5353);
  EXPECT_EQ(inet_pton(AF_INET, text, &peer.sin_addr), 1) << text;
  return peer_address(reinterpret_cast<const sockaddr*>(&peer), sizeof peer);
}

ClientAddress from_v6(const char* text) {
  sockaddr_in6 peer{};
  peer.sin6_family = AF_INET6;
  peer.sin6_port = htons(5353);
  EXPECT_EQ(inet_pton(AF_INET6, text, &peer.sin6_addr), 1) << text;
  return peer_address(reinterpret_cast<const sockaddr*>(&peer), sizeof peer);
}

zones::Bits128 bits(const char* text) {
  const auto address = zones::parse_address(text);
  EXPECT_TRUE(address) << text;
  return address ? address->address : 0;
}

TEST(PeerAddress, Ipv4) {
  const ClientAddress client = from_v4("192.0.2.200");
  EXPECT_TRUE(client.known);
  EXPECT_EQ(client.family, zones::Family::ipv4);
  EXPECT_TRUE(client.address == 0xc00002c8U);
}

TEST(PeerAddress, Ipv6) {
  const ClientAddress client = from_v6("2001:db8:bbbb::1");
  EXPECT_TRUE(client.known);
  EXPECT_EQ(client.family, zones::Family::ipv6);
  EXPECT_TRUE(client.address == bits("2001:db8:bbbb::1"));
}

TEST(PeerAddress, Ipv4MappedIpv6IsIpv4) {
  const ClientAddress client = from_v6("::ffff:192.0.2.200");
  EXPECT_TRUE(client.known);
  EXPECT_EQ(client.family, zones::Family::ipv4);
  EXPECT_TRUE(client.address == 0xc00002c8U);
  // Only ::ffff:0:0/96 is mapped: the old IPv4-compatible ::a.b.c.d is not.
  const ClientAddress compatible = from_v6("::192.0.2.200");
  EXPECT_EQ(compatible.family, zones::Family::ipv6);
  EXPECT_TRUE(compatible.address == 0xc00002c8U);
  EXPECT_EQ(from_v6("::1:ffff:c000:2c8").family, zones::Family::ipv6);
}

TEST(PeerAddress, UnknownFamilyOrShortLengthIsUnknown) {
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  EXPECT_FALSE(peer_address(reinterpret_cast<const sockaddr*>(&peer), 4).known);
  sockaddr_storage unix_peer{};
  unix_peer.ss_family = AF_UNIX;
  EXPECT_FALSE(peer_address(reinterpret_cast<const sockaddr*>(&unix_peer), sizeof unix_peer).known);
  EXPECT_FALSE(peer_address(nullptr, 0).known);
}

}  // namespace
}  // namespace driad::dns
