// Worker threads, UDP batches (recvmmsg/sendmmsg) and TCP connections (RFC 7766).
#include "dns/server.hpp"

#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <csignal>

#include <array>
#include <cstring>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>

#include "dns/message.hpp"
#include "dns/peer_address.hpp"
#include "dns/responder.hpp"
#include "dns/tcp_connection.hpp"

namespace driad::dns {
namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

namespace {

constexpr std::size_t kUdpBatch = 32;
constexpr std::size_t kUdpBufferSize = 4096;  // the largest EDNS payload driad offers
constexpr unsigned kUdpRoundsPerWakeup = 16;  // then yield to the other sockets
constexpr std::size_t kMaxMessage = 65535;

// Set where a socket is bound to a wildcard address, so each reply leaves from
// the address its query arrived at.
struct PacketInfo {
  alignas(cmsghdr) std::uint8_t control[CMSG_SPACE(sizeof(in6_pktinfo))];
};

}  // namespace

class Worker {
 public:
  Worker(const zones::SnapshotPublisher& publisher, const ServerOptions& options,
         std::atomic<unsigned>& tcp_connections)
      : reader_(publisher), options_(options), tcp_connections_(tcp_connections) {}

  tl::expected<void, std::string> bind(const ListenEndpoint& endpoint);
  void run() { io_.run(); }
  void stop() { io_.stop(); }
  void start_listening();

 private:
  struct UdpListener {
    explicit UdpListener(asio::io_context& io) : socket(io) {}
    udp::socket socket;
    bool wildcard = false;
  };

  void arm_udp(UdpListener& listener);
  void continue_udp(UdpListener& listener);
  bool drain_udp(UdpListener& listener) noexcept;
  void accept_tcp(tcp::acceptor& acceptor);

  asio::io_context io_{1};
  zones::SnapshotReader reader_;
  const ServerOptions& options_;
  std::atomic<unsigned>& tcp_connections_;
  std::vector<std::unique_ptr<UdpListener>> udp_;
  std::vector<std::unique_ptr<tcp::acceptor>> tcp_;

  // UDP batch state, reused for every batch of this worker.
  std::array<std::array<std::uint8_t, kUdpBufferSize>, kUdpBatch> udp_in_{};
  std::array<std::array<std::uint8_t, kUdpBufferSize>, kUdpBatch> udp_out_{};
  std::array<sockaddr_storage, kUdpBatch> udp_peers_{};
  std::array<PacketInfo, kUdpBatch> udp_info_{};
  std::array<iovec, kUdpBatch> udp_in_iov_{};
  std::array<iovec, kUdpBatch> udp_out_iov_{};
  std::array<mmsghdr, kUdpBatch> udp_in_msgs_{};
  std::array<mmsghdr, kUdpBatch> udp_out_msgs_{};
  // TCP responses are built here, then framed into the connection's buffer.
  std::array<std::uint8_t, kMaxMessage> tcp_scratch_{};
  TcpWorkerState tcp_state_{reader_, tcp_scratch_, tcp_connections_, options_.tcp_idle_timeout};
};

tl::expected<void, std::string> Worker::bind(const ListenEndpoint& endpoint) {
  boost::system::error_code ec;
  const std::string where = endpoint.address.to_string() + " port " + std::to_string(endpoint.port);
  auto udp_listener = std::make_unique<UdpListener>(io_);
  const udp::endpoint udp_endpoint(endpoint.address, endpoint.port);
  udp_listener->socket.open(udp_endpoint.protocol(), ec);
  const int on = 1;
  const int fd = udp_listener->socket.native_handle();
  if (!ec && endpoint.address.is_v6()) udp_listener->socket.set_option(asio::ip::v6_only(true), ec);
  if (!ec && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
    ec.assign(errno, boost::system::system_category());
  }
  if (!ec && endpoint.address.is_unspecified()) {
    udp_listener->wildcard = true;
    const int rc = endpoint.address.is_v6()
                       ? setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on)
                       : setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
    if (rc != 0) ec.assign(errno, boost::system::system_category());
  }
  if (!ec) udp_listener->socket.bind(udp_endpoint, ec);
  if (!ec) udp_listener->socket.non_blocking(true, ec);
  if (ec) return tl::make_unexpected("UDP " + where + ": " + ec.message());
  udp_.push_back(std::move(udp_listener));

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
  for (auto& listener : udp_) arm_udp(*listener);
  for (auto& acceptor : tcp_) accept_tcp(*acceptor);
}

void Worker::arm_udp(UdpListener& listener) {
  listener.socket.async_wait(udp::socket::wait_read,
                             [this, &listener](const boost::system::error_code& ec) {
                               if (ec) return;  // cancelled at shutdown
                               continue_udp(listener);
                             });
}

// Epoll is edge-triggered under Asio: a socket left unread is not reported
// again until the next datagram, so one that still holds queries is drained
// again after the other handlers have had their turn.
void Worker::continue_udp(UdpListener& listener) {
  if (drain_udp(listener)) {
    asio::post(io_, [this, &listener] { continue_udp(listener); });
  } else {
    arm_udp(listener);
  }
}

// Reads up to kUdpBatch queries per system call and answers them with one
// sendmmsg; a wildcard socket echoes each query's destination as the source.
// True when it stopped with queries possibly still queued.
bool Worker::drain_udp(UdpListener& listener) noexcept {
  const int fd = listener.socket.native_handle();
  for (unsigned round = 0; round < kUdpRoundsPerWakeup; ++round) {
    for (std::size_t i = 0; i < kUdpBatch; ++i) {
      udp_in_iov_[i] = {udp_in_[i].data(), udp_in_[i].size()};
      msghdr& header = udp_in_msgs_[i].msg_hdr;
      header = {};
      header.msg_name = &udp_peers_[i];
      header.msg_namelen = sizeof(sockaddr_storage);
      header.msg_iov = &udp_in_iov_[i];
      header.msg_iovlen = 1;
      if (listener.wildcard) {
        header.msg_control = udp_info_[i].control;
        header.msg_controllen = sizeof udp_info_[i].control;
      }
    }
    const int received = recvmmsg(fd, udp_in_msgs_.data(), kUdpBatch, MSG_DONTWAIT, nullptr);
    if (received <= 0) return false;
    const zones::Snapshot* snapshot = reader_.current();
    unsigned replies = 0;
    for (int i = 0; i < received; ++i) {
      const msghdr& in = udp_in_msgs_[i].msg_hdr;
      if ((in.msg_flags & MSG_TRUNC) != 0) continue;  // larger than any query we answer
      const ClientAddress client =
          peer_address(reinterpret_cast<const sockaddr*>(&udp_peers_[i]), in.msg_namelen);
      const ResponseInfo info = respond(snapshot, {udp_in_[i].data(), udp_in_msgs_[i].msg_len},
                                        udp_out_[i], Transport::udp, client);
      if (info.size == 0) continue;
      udp_out_iov_[replies] = {udp_out_[i].data(), info.size};
      msghdr& out = udp_out_msgs_[replies].msg_hdr;
      out = {};
      out.msg_name = &udp_peers_[i];
      out.msg_namelen = in.msg_namelen;
      out.msg_iov = &udp_out_iov_[replies];
      out.msg_iovlen = 1;
      if (listener.wildcard && in.msg_controllen > 0) {
        // The received IP_PKTINFO / IPV6_PKTINFO names the local address; sent
        // back, it becomes the source. The interface is left to routing.
        for (cmsghdr* c = CMSG_FIRSTHDR(&in); c != nullptr;
             c = CMSG_NXTHDR(const_cast<msghdr*>(&in), c)) {
          if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            auto* info4 = reinterpret_cast<in_pktinfo*>(CMSG_DATA(c));
            info4->ipi_spec_dst = info4->ipi_addr;
            info4->ipi_ifindex = 0;
          }
        }
        out.msg_control = in.msg_control;
        out.msg_controllen = in.msg_controllen;
      }
      ++replies;
    }
    unsigned sent = 0;
    while (sent < replies) {
      const int n = sendmmsg(fd, &udp_out_msgs_[sent], replies - sent, MSG_DONTWAIT);
      if (n <= 0) break;  // a full socket buffer drops the rest, as UDP may
      sent += static_cast<unsigned>(n);
    }
    if (static_cast<std::size_t>(received) < kUdpBatch) return false;
  }
  return true;
}

void Worker::accept_tcp(tcp::acceptor& acceptor) {
  acceptor.async_accept([this, &acceptor](const boost::system::error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (tcp_connections_.fetch_add(1, std::memory_order_relaxed) >=
          options_.tcp_max_connections) {
        tcp_connections_.fetch_sub(1, std::memory_order_relaxed);
        boost::system::error_code ignored;
        socket.close(ignored);  // over the cap: refuse by closing at once
      } else {
        std::make_shared<TcpConnection>(std::move(socket), tcp_state_)->start();
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
  const unsigned count =
      options_.threads == 0 ? std::max(1U, std::thread::hardware_concurrency()) : options_.threads;
  for (unsigned i = 0; i < count; ++i) {
    auto worker = std::make_unique<Worker>(publisher_, options_, tcp_connections_);
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
    threads_.emplace_back([w = worker.get()] { w->run(); });
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

void Server::stop() {
  for (auto& worker : workers_) worker->stop();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

}  // namespace driad::dns
