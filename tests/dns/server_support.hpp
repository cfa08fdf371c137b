// A dns::Server for tests, listening on loopback addresses at one port the
// kernel picks: the server may still lose that port to another process before
// it binds, so a few ports are tried.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "dns/server.hpp"

namespace driad::test {

// A port the kernel gives a TCP socket on 127.0.0.1, closed again; 0 on error.
inline std::uint16_t kernel_port() {
  const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in any{};
  any.sin_family = AF_INET;
  any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof any;
  const bool ok = bind(probe, reinterpret_cast<const sockaddr*>(&any), sizeof any) == 0 &&
                  getsockname(probe, reinterpret_cast<sockaddr*>(&any), &length) == 0;
  close(probe);
  return ok ? ntohs(any.sin_port) : 0;
}

// A bound (not started) server for `options` listening on every address of
// `addresses` at one free port, which is written to `port`; null when 20
// ports failed.
inline std::unique_ptr<dns::Server> bind_on_free_port(const zones::SnapshotPublisher& publisher,
                                                      dns::ServerOptions options,
                                                      const std::vector<std::string>& addresses,
                                                      std::uint16_t& port) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    const std::uint16_t candidate = kernel_port();
    if (candidate == 0) continue;
    options.listen.clear();
    for (const std::string& address : addresses) {
      options.listen.push_back({boost::asio::ip::make_address(address), candidate});
    }
    auto server = std::make_unique<dns::Server>(publisher, options);
    if (server->bind()) {
      port = candidate;
      return server;
    }
  }
  return nullptr;
}

}  // namespace driad::test
