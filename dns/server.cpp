// Workers: each a TCP event loop (Asio, RFC 7766 connections) and a UDP
// listener thread per listen address (udp_listener.hpp).
#include "dns/server.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <csignal>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>

#include "dns/peer_address.hpp"
#include "dns/tcp_connection.hpp"
#include "dns/udp_listener.hpp"

namespace driad::dns {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr std::size_t kMaxMessage = 65535;

// The CPUs this process may run on (taskset, cgroup cpusets), which can be
// fewer than the machine has: one worker each.
unsigned usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) {
    return static_cast<unsigned>(CPU_COUNT(&set));
  }
  return std::max(1U, std::thread::hardware_concurrency());
}

}  // namespace

class Worker {
 public:
  Worker(const zones::SnapshotPublisher& publisher, const ServerOptions& options,
         std::atomic<unsigned>& tcp_connections, ClientConnections& per_client)
      : publisher_(publisher),
        reader_(publisher),
        options_(options),
        tcp_connections_(tcp_connections),
        per_client_(per_client) {}

  tl::expected<void, std::string> bind(const ListenEndpoint& endpoint);
  // The TCP loop runs on the caller's thread; the UDP listeners on their own.
  void start_udp() {
    for (auto& listener : udp_) listener->start();
  }
  void run() { io_.run(); }
  void stop() {
    io_.stop();
    for (auto& listener : udp_) listener->stop();
  }
  void start_listening();
  void stop_listening();
  // The TCP loop's counters, then each UDP listener's: one writer each.
  void sum_into(QueryTotals& totals) const {
    recorder_.sum_into(totals);
    for (const auto& listener : udp_) listener->recorder().sum_into(totals);
  }
  std::size_t drain_log(const std::function<void(const QueryLogEntry&)>& sink) {
    std::size_t count = recorder_.drain_log(sink);
    for (auto& listener : udp_) count += listener->recorder().drain_log(sink);
    return count;
  }

 private:
  void accept_tcp(tcp::acceptor& acceptor);

  const zones::SnapshotPublisher& publisher_;
  asio::io_context io_{1};
  zones::SnapshotReader reader_;  // the TCP loop's
  const ServerOptions& options_;
  std::atomic<unsigned>& tcp_connections_;
  ClientConnections& per_client_;
  std::vector<std::unique_ptr<UdpListener>> udp_;
  std::vector<std::unique_ptr<tcp::acceptor>> tcp_;

  // TCP responses are built here, then framed into the connection's buffer.
  std::array<std::uint8_t, kMaxMessage> tcp_scratch_{};
  QueryRecorder recorder_{options_.query_log_sample};  // the TCP loop's counters (query_stats.hpp)
  TcpWorkerState tcp_state_{
      reader_, tcp_scratch_, tcp_connections_, per_client_, options_.tcp_idle_timeout, recorder_};
};

tl::expected<void, std::string> Worker::bind(const ListenEndpoint& endpoint) {
  auto udp_listener =
      std::make_unique<UdpListener>(publisher_, options_.query_log_sample, options_.rrl);
  if (auto bound = udp_listener->bind(endpoint); !bound) return bound;
  udp_.push_back(std::move(udp_listener));

  boost::system::error_code ec;
  const std::string where = endpoint.address.to_string() + " port " + std::to_string(endpoint.port);
  const int on = 1;
  auto acceptor = std::make_unique<tcp::acceptor>(io_);
  const tcp::endpoint tcp_endpoint(endpoint.address, endpoint.port);
  acceptor->open(tcp_endpoint.protocol(), ec);
  if (!ec && endpoint.address.is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && setsockopt(acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
    ec.assign(errno, boost::system::system_category());
  }
  if (!ec) acceptor->bind(tcp_endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return tl::make_unexpected("TCP " + where + ": " + ec.message());
  tcp_.push_back(std::move(acceptor));
  return {};
}

void Worker::start_listening() {
  for (auto& acceptor : tcp_) accept_tcp(*acceptor);
}

// Called by Server::stop_accepting(): each UDP listener answers the datagrams
// already queued, then stops reading; the acceptors close on the TCP loop.
void Worker::stop_listening() {
  for (auto& listener : udp_) listener->stop_reading();
  asio::post(io_, [this] {
    boost::system::error_code ignored;
    for (auto& acceptor : tcp_) acceptor->close(ignored);
  });
}

void Worker::accept_tcp(tcp::acceptor& acceptor) {
  acceptor.async_accept([this, &acceptor](const boost::system::error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      boost::system::error_code remote_error;
      const auto remote = socket.remote_endpoint(remote_error);
      const ClientAddress client =
          remote_error ? ClientAddress{}
                       : peer_address(remote.data(), static_cast<socklen_t>(remote.size()));
      // Over either cap: refuse by closing at once (the per-client count is
      // taken only when the global one admits the connection).
      const bool admitted =
          tcp_connections_.fetch_add(1, std::memory_order_relaxed) < options_.tcp_max_connections &&
          per_client_.acquire(client);
      if (admitted) {
        std::make_shared<TcpConnection>(std::move(socket), tcp_state_, client)->start();
      } else {
        tcp_connections_.fetch_sub(1, std::memory_order_relaxed);
        socket.close(remote_error);
      }
    }
    accept_tcp(acceptor);
  });
}

tl::expected<ListenEndpoint, std::string> parse_listen_endpoint(const std::string& text) {
  std::string host;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return tl::make_unexpected("'" + text + "' is not [IPv6]:port");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || text.find(':') != colon) {
      return tl::make_unexpected("'" + text + "' is not IPv4:port or [IPv6]:port");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return tl::make_unexpected("'" + host + "' in '" + text + "' is not an IP address");
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535) {
    return tl::make_unexpected("'" + port + "' in '" + text + "' is not a port number (0-65535)");
  }
  return ListenEndpoint{address, static_cast<std::uint16_t>(std::stoul(port))};
}

Server::Server(const zones::SnapshotPublisher& publisher, ServerOptions options)
    : publisher_(publisher), options_(std::move(options)) {}

Server::~Server() {
  stop();
}

tl::expected<void, std::string> Server::bind() {
  const unsigned count = options_.threads == 0 ? usable_cpus() : options_.threads;
  for (unsigned i = 0; i < count; ++i) {
    auto worker = std::make_unique<Worker>(publisher_, options_, tcp_connections_, per_client_);
    for (const ListenEndpoint& endpoint : options_.listen) {
      if (auto bound = worker->bind(endpoint); !bound) return bound;
    }
    workers_.push_back(std::move(worker));
  }
  return {};
}

void Server::start() {
  // Workers inherit a mask that blocks every signal, so SIGHUP and SIGTERM are
  // always delivered to the control thread that waits for them.
  sigset_t all;
  sigset_t previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  for (auto& worker : workers_) {
    worker->start_listening();
    worker->start_udp();
    threads_.emplace_back([w = worker.get()] {
      pthread_setname_np(pthread_self(), "driad-tcp");
      w->run();
    });
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

void Server::stop_accepting() {
  for (auto& worker : workers_) worker->stop_listening();
}

QueryTotals Server::stats() const {
  QueryTotals totals;
  for (const auto& worker : workers_) worker->sum_into(totals);
  return totals;
}

std::size_t Server::drain_query_log(const std::function<void(const QueryLogEntry&)>& sink) {
  std::size_t count = 0;
  for (auto& worker : workers_) count += worker->drain_log(sink);
  return count;
}

void Server::stop() {
  for (auto& worker : workers_) worker->stop();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

}  // namespace driad::dns
