// One DNS-over-TCP connection (RFC 7766): two-octet length, then the message;
// every complete query in a read is answered, in order, with one write.
// Lives on its worker's thread only; kept alive by the handlers it has pending.
// Never rate limited: a client that RRL truncated over UDP gets its answer here.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "dns/client_connections.hpp"
#include "dns/query_stats.hpp"
#include "dns/responder.hpp"
#include "zones/snapshot_holder.hpp"

namespace driad::dns {

// What the connections of one worker share: all of it owned by the worker and
// touched only on its thread, except the connection counts (all workers).
struct TcpWorkerState {
  zones::SnapshotReader& reader;
  std::span<std::uint8_t> scratch;  // at least 65535 octets
  std::atomic<unsigned>& open_connections;
  ClientConnections& per_client;
  std::chrono::milliseconds idle_timeout;
  QueryRecorder& recorder;  // the worker's
};

class TcpConnection : public std::enable_shared_from_this<TcpConnection> {
 public:
  // Takes over one slot of open_connections and one of per_client for
  // `client` (the socket's peer), given back when it closes.
  TcpConnection(boost::asio::ip::tcp::socket socket, const TcpWorkerState& worker,
                const ClientAddress& client);
  void start();

 private:
  void read();
  void on_read(const boost::system::error_code& ec, std::size_t bytes);
  void watch_idle();
  void close();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  const TcpWorkerState& worker_;
  ClientAddress client_;  // the remote endpoint, for the view look-up
  // Moved only by a complete query: a byte-a-second sender still times out.
  std::chrono::steady_clock::time_point deadline_;
  std::vector<std::uint8_t> in_;
  std::size_t have_ = 0;
  std::vector<std::uint8_t> out_;
  bool closed_ = false;
};

}  // namespace driad::dns
