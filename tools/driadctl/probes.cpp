// Implements the verify probes (probes.hpp) over plain POSIX sockets with
// poll() deadlines, and the health/ clients for gNMI and Traffic Ops.
#include "tools/driadctl/probes.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include <grpcpp/grpcpp.h>

#include "health/amt_wire.hpp"
#include "health/gnmi_channel.hpp"
#include "proto/gnmi.grpc.pb.h"

namespace driad::ctl {
namespace {

using Clock = std::chrono::steady_clock;

std::string errno_text() {
  return std::strerror(errno);
}

// A socket closed when it goes out of scope.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const noexcept { return fd_; }

 private:
  int fd_;
};

socklen_t to_sockaddr(const boost::asio::ip::address& address, std::uint16_t port,
                      sockaddr_storage& out) {
  out = {};
  if (address.is_v4()) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    const auto bytes = address.to_v4().to_bytes();
    std::memcpy(&v4->sin_addr, bytes.data(), bytes.size());
    return sizeof(sockaddr_in);
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
  v6->sin6_family = AF_INET6;
  v6->sin6_port = htons(port);
  const auto bytes = address.to_v6().to_bytes();
  std::memcpy(&v6->sin6_addr, bytes.data(), bytes.size());
  return sizeof(sockaddr_in6);
}

boost::asio::ip::address local_address(int fd) {
  sockaddr_storage local{};
  socklen_t length = sizeof local;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) return {};
  if (local.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&local);
    return boost::asio::ip::make_address_v4(ntohl(v4->sin_addr.s_addr));
  }
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&local);
  boost::asio::ip::address_v6::bytes_type bytes;
  std::memcpy(bytes.data(), &v6->sin6_addr, bytes.size());
  return boost::asio::ip::address_v6(bytes);
}

// Waits until `fd` is readable (or writable) before `deadline`.
tl::expected<void, std::string> wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return tl::make_unexpected(std::string("timed out"));
    pollfd entry{fd, events, 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(left));
    if (ready > 0) return {};
    if (ready < 0 && errno != EINTR) return tl::make_unexpected("poll: " + errno_text());
  }
}

// Connects `fd` (non-blocking) before `deadline`.
tl::expected<void, std::string> connect_by(int fd, const sockaddr_storage& to, socklen_t length,
                                           Clock::time_point deadline) {
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), length) == 0) return {};
  if (errno != EINPROGRESS) return tl::make_unexpected("connect: " + errno_text());
  if (auto ready = wait_for(fd, POLLOUT, deadline); !ready) {
    return tl::make_unexpected("connect: " + ready.error());
  }
  int error = 0;
  socklen_t size = sizeof error;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
  if (error != 0) return tl::make_unexpected(std::string("connect: ") + std::strerror(error));
  return {};
}

tl::expected<void, std::string> send_all(int fd, const std::vector<std::uint8_t>& data,
                                         Clock::time_point deadline) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR)
      return tl::make_unexpected("send: " + errno_text());
    if (auto ready = wait_for(fd, POLLOUT, deadline); !ready) {
      return tl::make_unexpected("send: " + ready.error());
    }
  }
  return {};
}

tl::expected<void, std::string> recv_exact(int fd, std::uint8_t* into, std::size_t count,
                                           Clock::time_point deadline) {
  std::size_t have = 0;
  while (have < count) {
    if (auto ready = wait_for(fd, POLLIN, deadline); !ready) {
      return tl::make_unexpected("no answer: " + ready.error());
    }
    const ssize_t n = ::recv(fd, into + have, count - have, 0);
    if (n == 0) return tl::make_unexpected(std::string("the connection was closed"));
    if (n < 0 && errno != EAGAIN && errno != EINTR)
      return tl::make_unexpected("recv: " + errno_text());
    if (n > 0) have += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace

tl::expected<DnsReply, std::string> dns_exchange(const boost::asio::ip::address& address,
                                                 std::uint16_t port, bool tcp,
                                                 std::span<const std::uint8_t> query,
                                                 std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  sockaddr_storage to{};
  const socklen_t length = to_sockaddr(address, port, to);
  const Socket socket(::socket(to.ss_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK, 0));
  if (socket.fd() < 0) return tl::make_unexpected("socket: " + errno_text());
  if (auto connected = connect_by(socket.fd(), to, length, deadline); !connected) {
    return tl::make_unexpected(connected.error());
  }
  DnsReply reply;
  reply.local = local_address(socket.fd());
  std::vector<std::uint8_t> out;
  if (tcp) {
    out.push_back(static_cast<std::uint8_t>(query.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(query.size()));
  }
  out.insert(out.end(), query.begin(), query.end());
  if (auto sent = send_all(socket.fd(), out, deadline); !sent)
    return tl::make_unexpected(sent.error());
  if (tcp) {
    std::uint8_t prefix[2];
    if (auto got = recv_exact(socket.fd(), prefix, 2, deadline); !got) {
      return tl::make_unexpected(got.error());
    }
    reply.message.resize(static_cast<std::size_t>(prefix[0] << 8 | prefix[1]));
    if (auto got = recv_exact(socket.fd(), reply.message.data(), reply.message.size(), deadline);
        !got) {
      return tl::make_unexpected(got.error());
    }
    return reply;
  }
  reply.message.resize(65535);
  for (;;) {
    if (auto ready = wait_for(socket.fd(), POLLIN, deadline); !ready) {
      return tl::make_unexpected("no answer: " + ready.error());
    }
    const ssize_t n = ::recv(socket.fd(), reply.message.data(), reply.message.size(), 0);
    if (n >= 0) {
      reply.message.resize(static_cast<std::size_t>(n));
      return reply;
    }
    if (errno != EAGAIN && errno != EINTR) return tl::make_unexpected("recv: " + errno_text());
  }
}

tl::expected<std::string, std::string> amt_discovery(const boost::asio::ip::address& relay,
                                                     std::uint16_t port,
                                                     std::chrono::milliseconds timeout) {
  const auto started = Clock::now();
  const auto deadline = started + timeout;
  sockaddr_storage to{};
  const socklen_t length = to_sockaddr(relay, port, to);
  const Socket socket(::socket(to.ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0));
  if (socket.fd() < 0) return tl::make_unexpected("socket: " + errno_text());
  // Connected: the kernel passes on only datagrams from relay:port.
  if (auto connected = connect_by(socket.fd(), to, length, deadline); !connected) {
    return tl::make_unexpected(connected.error());
  }
  std::mt19937 random(std::random_device{}());
  const auto nonce = static_cast<health::amt::Nonce>(random());
  const auto discovery = health::amt::EncodeDiscovery(nonce);
  if (::send(socket.fd(), discovery.data(), discovery.size(), MSG_NOSIGNAL) < 0) {
    return tl::make_unexpected("send: " + errno_text());
  }
  std::string last_problem = "no answer";
  std::uint8_t buffer[512];
  for (;;) {
    if (auto ready = wait_for(socket.fd(), POLLIN, deadline); !ready) {
      return tl::make_unexpected(last_problem + " within " + std::to_string(timeout.count()) +
                                 " ms");
    }
    const ssize_t n = ::recv(socket.fd(), buffer, sizeof buffer, 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return tl::make_unexpected("recv: " + errno_text());  // ECONNREFUSED: nothing listens
    }
    auto advertisement = health::amt::ParseAdvertisement({buffer, static_cast<std::size_t>(n)});
    if (!advertisement) {
      last_problem =
          "a malformed answer (" + std::string(health::amt::to_string(advertisement.error())) + ")";
      continue;
    }
    if (advertisement->nonce != nonce) {
      last_problem = "an answer with another nonce";
      continue;
    }
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    char rtt[32];
    std::snprintf(rtt, sizeof rtt, "%.1f ms", ms);
    if (advertisement->relay != relay) {
      return tl::make_unexpected("advertisement names " + advertisement->relay.to_string() +
                                 " (redirecting), not " + relay.to_string());
    }
    return "advertisement names " + advertisement->relay.to_string() + " in " + rtt;
  }
}

tl::expected<std::string, std::string> gnmi_capabilities(const health::MxFeedConfig& config,
                                                         std::chrono::milliseconds timeout) {
  auto channel = health::make_gnmi_channel(config);
  if (!channel) return tl::make_unexpected(channel.error());
  auto stub = gnmi::gNMI::NewStub(*channel);
  grpc::ClientContext context;
  // JunOS wants both, even under mTLS (as the feed sends them).
  context.AddMetadata("username", config.credentials.username);
  context.AddMetadata("password", config.credentials.password);
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  gnmi::CapabilityResponse response;
  const grpc::Status status = stub->Capabilities(&context, gnmi::CapabilityRequest{}, &response);
  if (!status.ok()) return tl::make_unexpected("Capabilities: " + health::describe(status));
  const char* security = !config.tls ? "plaintext" : config.tls->cert_file.empty() ? "TLS" : "mTLS";
  return std::string(security) + " + Capabilities: gNMI " + response.gnmi_version() + ", " +
         std::to_string(response.supported_models_size()) + " models";
}

tl::expected<std::string, std::string> traffic_ops_login(health::TrafficOpsSettings settings) {
  const std::string version = settings.api_version;
  auto client = health::TrafficOpsClient::create(std::move(settings));
  if (!client) return tl::make_unexpected(client.error());
  auto fetched = (*client)->fetch();
  if (!fetched) return tl::make_unexpected(fetched.error());
  if (!fetched->topology) return std::string("login and fetch OK (not modified)");
  return "login and fetch OK (API " + version +
         "): " + std::to_string(fetched->topology->servers.size()) + " AMT_RELAY servers, " +
         std::to_string(fetched->topology->cachegroups.size()) + " cachegroups";
}

}  // namespace driad::ctl
