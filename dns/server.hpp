// The UDP and TCP listeners: one worker per core, each with its own
// SO_REUSEPORT UDP socket and TCP acceptor on every listen address. A worker
// runs one thread per UDP socket (udp_listener.hpp) and one TCP event loop,
// each thread with its own SnapshotReader and counters. Workers share nothing
// but the publisher and the TCP connection counts.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <tl/expected.hpp>

#include "dns/client_connections.hpp"
#include "dns/query_stats.hpp"
#include "dns/rrl.hpp"
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
  std::uint32_t tcp_max_connections_per_client = 16;  // per source address; 0: no limit
  std::optional<RrlOptions> rrl;                      // UDP response rate limiting; none: off
  std::uint32_t query_log_sample = 0;                 // log one query in this many; 0: none
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

  // The first step of a drain: each worker answers the datagrams already
  // queued, then closes its UDP sockets and TCP acceptors; open TCP
  // connections go on answering until they close or stop() ends them.
  void stop_accepting();
  unsigned open_tcp_connections() const noexcept {
    return tcp_connections_.load(std::memory_order_relaxed);
  }

  // Every worker's query counters summed (query_stats.hpp); any thread.
  QueryTotals stats() const;
  // Hands the sampled queries queued since the last call to `sink`; one
  // thread (the control thread) only.
  std::size_t drain_query_log(const std::function<void(const QueryLogEntry&)>& sink);

  const ServerOptions& options() const noexcept { return options_; }

 private:
  const zones::SnapshotPublisher& publisher_;
  ServerOptions options_;
  std::atomic<unsigned> tcp_connections_{0};
  ClientConnections per_client_{options_.tcp_max_connections_per_client};
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
};

}  // namespace driad::dns
