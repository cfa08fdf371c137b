// Implements amt-responder's modes, relay stand-in and control port
// (responder.hpp).
#include "tools/amt-responder/responder.hpp"

#include <charconv>
#include <utility>
#include <vector>

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "health/amt_wire.hpp"

namespace driad::amtresponder {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
namespace amt = driad::health::amt;

namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// One control connection: reads lines until the peer closes.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Responder& responder)
      : socket_(std::move(socket)), responder_(responder) {}

  void Read() {
    asio::async_read_until(
        socket_, input_, '\n',
        [self = shared_from_this()](boost::system::error_code error, std::size_t) {
          if (error) return;
          std::istream in(&self->input_);
          std::string line;
          std::getline(in, line);
          self->Write(Execute(line, self->responder_));
        });
  }

 private:
  void Write(std::string reply) {
    output_ = std::move(reply);
    asio::async_write(socket_, asio::buffer(output_),
                      [self = shared_from_this()](boost::system::error_code error, std::size_t) {
                        if (!error) self->Read();
                      });
  }

  tcp::socket socket_;
  Responder& responder_;
  asio::streambuf input_;
  std::string output_;
};

}  // namespace

tl::expected<Mode, std::string> ParseMode(std::string_view text) {
  text = Trim(text);
  if (text == "ok") return Mode{Mode::Kind::ok, {}};
  if (text == "silent") return Mode{Mode::Kind::silent, {}};
  if (text == "wrong-nonce") return Mode{Mode::Kind::wrong_nonce, {}};
  constexpr std::string_view kRedirect = "redirect";
  if (text.substr(0, kRedirect.size()) == kRedirect && text.size() > kRedirect.size() &&
      (text[kRedirect.size()] == ' ' || text[kRedirect.size()] == ':')) {
    const std::string address(Trim(text.substr(kRedirect.size() + 1)));
    boost::system::error_code error;
    auto parsed = asio::ip::make_address(address, error);
    if (error) return tl::unexpected("redirect: not an address: '" + address + "'");
    return Mode{Mode::Kind::redirect, parsed};
  }
  return tl::unexpected("unknown mode '" + std::string(text) +
                        "' (ok, silent, wrong-nonce, redirect ADDR)");
}

std::string ToString(const Mode& mode) {
  switch (mode.kind) {
    case Mode::Kind::ok:
      return "ok";
    case Mode::Kind::silent:
      return "silent";
    case Mode::Kind::wrong_nonce:
      return "wrong-nonce";
    case Mode::Kind::redirect:
      return "redirect:" + mode.redirect_to.to_string();
  }
  return "?";
}

tl::expected<udp::endpoint, std::string> ParseEndpoint(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos)
    return tl::unexpected("want ADDR:PORT, got '" + std::string(text) + "'");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::uint16_t port = 0;
  const auto [end, failed] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (failed != std::errc() || end != port_text.data() + port_text.size()) {
    return tl::unexpected("bad port in '" + std::string(text) + "'");
  }
  boost::system::error_code error;
  auto address = asio::ip::make_address(std::string(host), error);
  if (error) return tl::unexpected("bad address in '" + std::string(text) + "'");
  return udp::endpoint(address, port);
}

std::string ToString(const udp::endpoint& endpoint) {
  const auto address = endpoint.address();
  return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
         std::to_string(endpoint.port());
}

Responder::Responder(asio::io_context& io, asio::ip::address relay, Mode mode)
    : socket_(io), relay_(std::move(relay)), mode_(std::move(mode)) {}

tl::expected<void, std::string> Responder::Listen(const udp::endpoint& at) {
  boost::system::error_code error;
  socket_.open(at.protocol(), error);
  if (!error) socket_.bind(at, error);
  if (error) return tl::unexpected("udp " + ToString(at) + ": " + error.message());
  Receive();
  return {};
}

udp::endpoint Responder::local() const {
  boost::system::error_code error;
  return socket_.local_endpoint(error);
}

void Responder::Receive() {
  socket_.async_receive_from(
      asio::buffer(buffer_), sender_, [this](boost::system::error_code error, std::size_t size) {
        if (error == asio::error::operation_aborted || error == asio::error::bad_descriptor) return;
        if (!error) {
          auto nonce = amt::ParseDiscovery(std::span<const std::uint8_t>(buffer_.data(), size));
          if (nonce) {
            ++discoveries_;
            std::vector<std::uint8_t> answer;
            switch (mode_.kind) {
              case Mode::Kind::ok:
                answer = amt::EncodeAdvertisement(*nonce, relay_);
                break;
              case Mode::Kind::silent:
                break;
              case Mode::Kind::wrong_nonce:
                answer = amt::EncodeAdvertisement(*nonce ^ 0x5a5a5a5aU, relay_);
                break;
              case Mode::Kind::redirect:
                answer = amt::EncodeAdvertisement(*nonce, mode_.redirect_to);
                break;
            }
            if (!answer.empty()) {
              boost::system::error_code sent;
              socket_.send_to(asio::buffer(answer), sender_, 0, sent);
              if (!sent) ++answers_;
            }
          }
        }
        Receive();
      });
}

ControlServer::ControlServer(asio::io_context& io, Responder& responder)
    : acceptor_(io), responder_(responder) {}

tl::expected<void, std::string> ControlServer::Listen(const tcp::endpoint& at) {
  boost::system::error_code error;
  acceptor_.open(at.protocol(), error);
  if (!error) acceptor_.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error) acceptor_.bind(at, error);
  if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
  if (error) return tl::unexpected("control: " + error.message());
  Accept();
  return {};
}

tcp::endpoint ControlServer::local() const {
  boost::system::error_code error;
  return acceptor_.local_endpoint(error);
}

void ControlServer::Close() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

void ControlServer::Accept() {
  acceptor_.async_accept([this](boost::system::error_code error, tcp::socket socket) {
    if (error == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!error) std::make_shared<Session>(std::move(socket), responder_)->Read();
    Accept();
  });
}

std::string Execute(std::string_view line, Responder& responder) {
  line = Trim(line);
  if (line == "stats") {
    return "discoveries " + std::to_string(responder.discoveries()) + " answers " +
           std::to_string(responder.answers()) + " mode " + ToString(responder.mode()) + "\nok\n";
  }
  constexpr std::string_view kMode = "mode ";
  if (line.substr(0, kMode.size()) == kMode) {
    auto mode = ParseMode(line.substr(kMode.size()));
    if (!mode) return "error: " + mode.error() + "\n";
    responder.set_mode(std::move(*mode));
    return "ok\n";
  }
  return "error: unknown command '" + std::string(line) + "' (mode ..., stats)\n";
}

}  // namespace driad::amtresponder
