// to-sim's network side: a Boost.Beast HTTP/1.1 server, plain or TLS on the
// same port, that hands each request to the Sim and sends its answer back.
// Everything runs on the one io_context given; nothing here is thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <tl/expected.hpp>

#include "tools/to-sim/sim.hpp"

namespace driad::tosim {

struct ServerOptions {
  // A connection in mode hang is closed after this long at the latest.
  std::chrono::seconds hang_limit{120};
  // A connection that sends no (complete) request for this long is closed.
  std::chrono::seconds idle_timeout{60};
};

// "ADDR:PORT" or "[V6ADDR]:PORT".
tl::expected<boost::asio::ip::tcp::endpoint, std::string> ParseEndpoint(std::string_view text);
// "ADDR:PORT", or "[V6ADDR]:PORT" for IPv6.
std::string ToString(const boost::asio::ip::tcp::endpoint& endpoint);

// A TLS server context with the PEM certificate chain and key.
tl::expected<std::shared_ptr<boost::asio::ssl::context>, std::string> MakeTlsContext(
    const std::string& cert_file, const std::string& key_file);

class Server {
 public:
  // `tls` null: plain HTTP. `sim` must outlive the io_context (connections
  // still queued there refer to it until the io_context is destroyed).
  Server(boost::asio::io_context& io, Sim& sim, std::shared_ptr<boost::asio::ssl::context> tls,
         ServerOptions options);

  tl::expected<void, std::string> Listen(const boost::asio::ip::tcp::endpoint& at);
  boost::asio::ip::tcp::endpoint local() const;
  // Stops accepting; open connections end with the io_context.
  void Close();

 private:
  void Accept();

  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;
  Sim& sim_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  ServerOptions options_;
};

}  // namespace driad::tosim
