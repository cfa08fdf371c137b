// Implements the control port (control_server.hpp) with plain POSIX sockets:
// poll() with a short timeout lets every thread notice Stop() promptly.
#include "tools/mx-sim/control_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include <spdlog/spdlog.h>

#include "tools/mx-sim/command.hpp"

namespace driad::mxsim {
namespace {

constexpr int kPollMillis = 100;
constexpr size_t kMaxLine = 4096;

bool SendAll(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t sent = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    text.remove_prefix(static_cast<size_t>(sent));
  }
  return true;
}

std::string Errno(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

}  // namespace

tl::expected<HostPort, std::string> SplitHostPort(const std::string& text) {
  HostPort out;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return tl::unexpected("expected [IPV6]:PORT, got '" + text + "'");
    }
    out.host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos || text.find(':') != colon) {
      return tl::unexpected("expected ADDR:PORT (IPv6 in brackets), got '" + text + "'");
    }
    out.host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), out.port);
  if (error != std::errc{} || end != port.data() + port.size() || port.empty()) {
    return tl::unexpected("bad port in '" + text + "'");
  }
  return out;
}

tl::expected<std::unique_ptr<ControlServer>, std::string> ControlServer::Start(
    const std::string& address, Hub& hub) {
  auto where = SplitHostPort(address);
  if (!where) return tl::unexpected(where.error());
  sockaddr_storage storage{};
  socklen_t length = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (::inet_pton(AF_INET, where->host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(where->port);
    length = sizeof *v4;
  } else if (::inet_pton(AF_INET6, where->host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(where->port);
    length = sizeof *v6;
  } else {
    return tl::unexpected("control address must be numeric, got '" + where->host + "'");
  }
  const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return tl::unexpected(Errno("socket"));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0 || ::listen(fd, 16) != 0) {
    auto error = Errno("bind/listen " + address);
    ::close(fd);
    return tl::unexpected(error);
  }
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
    auto error = Errno("getsockname");
    ::close(fd);
    return tl::unexpected(error);
  }
  const uint16_t port = ntohs(storage.ss_family == AF_INET ? v4->sin_port : v6->sin6_port);
  std::unique_ptr<ControlServer> server(new ControlServer(hub, fd, port));
  server->acceptor_ = std::thread([raw = server.get()] { raw->AcceptLoop(); });
  return server;
}

ControlServer::~ControlServer() {
  Stop();
}

void ControlServer::Stop() {
  stop_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  std::list<std::unique_ptr<Connection>> connections;
  {
    std::lock_guard lock(mutex_);
    connections.swap(connections_);
  }
  for (auto& connection : connections) connection->thread.join();
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
}

void ControlServer::AcceptLoop() {
  while (!stop_) {
    pollfd waiting{listen_fd_, POLLIN, 0};
    if (::poll(&waiting, 1, kPollMillis) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(mutex_);
    // Reap finished connections so a long-running simulator does not collect
    // threads.
    for (auto it = connections_.begin(); it != connections_.end();) {
      if ((*it)->done) {
        (*it)->thread.join();
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
    auto& connection = connections_.emplace_back(std::make_unique<Connection>());
    connection->fd = fd;
    connection->thread = std::thread([this, raw = connection.get()] { Serve(*raw); });
  }
}

void ControlServer::Serve(Connection& connection) {
  std::string buffer;
  bool quit = false;
  while (!stop_ && !quit) {
    pollfd waiting{connection.fd, POLLIN, 0};
    const int ready = ::poll(&waiting, 1, kPollMillis);
    if (ready == 0 || (ready < 0 && errno == EINTR)) continue;
    if (ready < 0) break;
    char chunk[1024];
    const ssize_t got = ::recv(connection.fd, chunk, sizeof chunk, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    buffer.append(chunk, static_cast<size_t>(got));
    size_t newline;
    while (!quit && (newline = buffer.find('\n')) != std::string::npos) {
      std::string line = buffer.substr(0, newline);
      buffer.erase(0, newline + 1);
      if (!SendAll(connection.fd, Handle(line, quit))) quit = true;
    }
    if (buffer.size() > kMaxLine) {
      SendAll(connection.fd, "error: line too long\n");
      break;
    }
  }
  ::close(connection.fd);
  connection.done = true;
}

std::string ControlServer::Handle(const std::string& line, bool& quit) {
  auto command = ParseCommand(line);
  if (!command) return "error: " + command.error() + "\n";
  if (command->kind == Command::Kind::kQuit) {
    quit = true;
    return "ok\n";
  }
  auto result = hub_.Apply(*command);
  if (!result) return "error: " + result.error() + "\n";
  if (command->kind != Command::Kind::kState) spdlog::info("control: {}", line);
  return result->empty() ? "ok\n" : *result + "\nok\n";
}

}  // namespace driad::mxsim
