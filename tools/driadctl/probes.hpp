// The network checks of driadctl verify, each one exchange with a deadline:
// a DNS query over UDP or TCP, an RFC 7450 relay discovery, a gNMI
// Capabilities call (the MX feed's own channel setup), a Traffic Ops login
// and fetch (the feed's own client). Errors say what failed, in words.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <tl/expected.hpp>

#include "health/gnmi_credentials.hpp"
#include "health/mx_feed_config.hpp"
#include "health/traffic_ops_client.hpp"

namespace driad::ctl {

struct DnsReply {
  std::vector<std::uint8_t> message;
  boost::asio::ip::address local;  // the address the query left from: the client driad saw
};

// One query to address:port; over TCP with the two-octet length.
tl::expected<DnsReply, std::string> dns_exchange(const boost::asio::ip::address& address,
                                                 std::uint16_t port, bool tcp,
                                                 std::span<const std::uint8_t> query,
                                                 std::chrono::milliseconds timeout);

// A Relay Discovery with a random nonce to relay:port; the Advertisement must
// come from there, echo the nonce and name `relay`. The success text says
// what was advertised and how fast.
tl::expected<std::string, std::string> amt_discovery(const boost::asio::ip::address& relay,
                                                     std::uint16_t port,
                                                     std::chrono::milliseconds timeout);

// Capabilities over the channel the MX feed would build from `config`.
tl::expected<std::string, std::string> gnmi_capabilities(const health::MxFeedConfig& config,
                                                         std::chrono::milliseconds timeout);

// Logs in and fetches the topology once.
tl::expected<std::string, std::string> traffic_ops_login(health::TrafficOpsSettings settings);

}  // namespace driad::ctl
