// The admin HTTP/1.1 server (Boost.Beast): async, on one io_context (the
// daemon's control thread), so its handler runs there too. Bounded: header
// and body sizes, a deadline per request, an idle deadline between requests
// of a kept-alive connection, and a connection cap (the next connection is
// closed at once).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <tl/expected.hpp>

#include "admin/http.hpp"

namespace driad::admin {

struct HttpServerLimits {
  std::uint32_t max_header_bytes = 8 * 1024;
  std::uint64_t max_body_bytes = 64 * 1024;
  std::chrono::milliseconds request_timeout{10'000};  // from its first byte to the answer sent
  std::chrono::milliseconds idle_timeout{30'000};     // between requests
  unsigned max_connections = 64;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpHandler handler, HttpServerLimits limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  tl::expected<void, std::string> listen(const boost::asio::ip::tcp::endpoint& at);
  boost::asio::ip::tcp::endpoint local() const;
  // Stops accepting; open connections end with their current exchange or
  // their deadline, or with the io_context.
  void close();

  unsigned connections() const noexcept;

 private:
  struct Shared;
  class Session;
  void accept();

  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;
  std::shared_ptr<Shared> shared_;  // held by every session, which may outlive this
};

}  // namespace driad::admin
