// The control port of mx-sim: a TCP listener taking one text command per
// line (command.hpp) and answering each with `ok` or `error: ...`, after any
// output lines. Tests and the demo script drive the simulated MX through it.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <tl/expected.hpp>

#include "tools/mx-sim/hub.hpp"

namespace driad::mxsim {

struct HostPort {
  std::string host;  // without IPv6 brackets
  uint16_t port = 0;
};

// "127.0.0.1:5000", "[::1]:5000"; the host must be a numeric address.
tl::expected<HostPort, std::string> SplitHostPort(const std::string& text);

class ControlServer {
 public:
  // Binds and starts listening; port 0 picks a free port (see port()).
  static tl::expected<std::unique_ptr<ControlServer>, std::string> Start(const std::string& address,
                                                                         Hub& hub);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  uint16_t port() const { return port_; }
  // Closes the listener and every connection, and joins their threads.
  void Stop();

 private:
  struct Connection {
    int fd = -1;
    std::thread thread;
    std::atomic<bool> done{false};
  };

  ControlServer(Hub& hub, int fd, uint16_t port) : hub_(hub), listen_fd_(fd), port_(port) {}
  void AcceptLoop();
  void Serve(Connection& connection);
  // The reply to one line: output lines, then "ok" or "error: ...".
  std::string Handle(const std::string& line, bool& quit);

  Hub& hub_;
  int listen_fd_;
  uint16_t port_;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::mutex mutex_;  // guards connections_
  std::list<std::unique_ptr<Connection>> connections_;
};

}  // namespace driad::mxsim
