// The UDP and TCP listeners: one worker thread per core, each with its own event
// loop, its own SO_REUSEPORT UDP socket and TCP acceptor on every listen
// address, and its own SnapshotReader. Workers share nothing but the publisher
// and the TCP connection count.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <tl/expected.hpp>

#include "zones/snapshot_holder.hpp"

namespace driad::dns {

struct ListenEndpoint {
  boost::asio::ip::address address;
  std::uint16_t port = 53;
};

struct ServerOptions {
  std::vector<ListenEndpoint> listen;
  unsigned threads = 1;
  std::chrono::milliseconds tcp_idle_timeout{10000};
  unsigned tcp_max_connections = 1024;
};

// "127.0.0.1:53", "[::1]:53", "0.0.0.0:5353".
tl::expected<ListenEndpoint, std::string> parse_listen_endpoint(const std::string& text);

class Worker;

class Server {
 public:
  Server(const zones::SnapshotPublisher& publisher, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Opens every socket; an address that cannot be bound is an error value.
  tl::expected<void, std::string> bind();
  void start();
  // Stops every worker and joins its thread; idempotent.
  void stop();

  const ServerOptions& options() const noexcept { return options_; }

 private:
  const zones::SnapshotPublisher& publisher_;
  ServerOptions options_;
  std::atomic<unsigned> tcp_connections_{0};
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
};

}  // namespace driad::dns
