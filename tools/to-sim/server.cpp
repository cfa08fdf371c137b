// Implements the HTTP(S) server (server.hpp): one Session per connection,
// callback-driven, reading requests one at a time (keep-alive) and holding the
// connection without answering when the Sim says hang.
#include "tools/to-sim/server.hpp"

#include <array>
#include <charconv>
#include <optional>
#include <type_traits>
#include <utility>

#include <spdlog/spdlog.h>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace driad::tosim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

constexpr std::uint64_t kBodyLimit = std::uint64_t{16} * 1024 * 1024;
constexpr std::chrono::seconds kHandshakeTimeout{10};
constexpr std::chrono::seconds kShutdownTimeout{2};

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

Request ToRequest(const http::request<http::string_body>& message) {
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message) {
    if (field.name() != http::field::cookie) continue;
    if (!request.cookie.empty()) request.cookie += "; ";
    request.cookie += std::string(field.value());
  }
  request.authorization = std::string(message[http::field::authorization]);
  request.if_modified_since = std::string(message[http::field::if_modified_since]);
  request.body = message.body();
  return request;
}

http::response<http::string_body> ToMessage(Response response, unsigned version, bool keep_alive) {
  http::response<http::string_body> message{static_cast<http::status>(response.status), version};
  message.set(http::field::server, "to-sim");
  if (!response.content_type.empty()) {
    message.set(http::field::content_type, response.content_type);
  }
  for (const auto& [name, value] : response.headers) message.insert(name, value);
  message.body() = std::move(response.body);
  message.keep_alive(keep_alive);
  // Sets Content-Length to the body actually sent (none for 304).
  message.prepare_payload();
  return message;
}

// One client connection. It owns itself through the shared_ptr each pending
// handler holds; it ends when no handler is left.
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <typename... StreamArgs>
  Session(Sim& sim, const ServerOptions& options, StreamArgs&&... stream_args)
      : stream_(std::forward<StreamArgs>(stream_args)...),
        hang_timer_(stream_.get_executor()),
        sim_(sim),
        options_(options) {}

  void Start() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      beast::get_lowest_layer(stream_).expires_after(kHandshakeTimeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](error_code error) {
                                if (error) {
                                  spdlog::debug("TLS handshake: {}", error.message());
                                  return;
                                }
                                self->Read();
                              });
    } else {
      Read();
    }
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    beast::get_lowest_layer(stream_).expires_after(options_.idle_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](error_code error, std::size_t) { self->OnRead(error); });
  }

  void OnRead(error_code error) {
    if (error) {
      if (error != http::error::end_of_stream) spdlog::debug("read: {}", error.message());
      return Close();
    }
    http::request<http::string_body> message = parser_->release();
    Response response = sim_.Handle(ToRequest(message), Clock::now());
    spdlog::info("{} {} -> {}", std::string(message.method_string()), std::string(message.target()),
                 response.hang ? std::string("hang") : std::to_string(response.status));
    if (response.hang) return Hang();
    response_ = ToMessage(std::move(response), message.version(), message.keep_alive());
    beast::get_lowest_layer(stream_).expires_after(options_.idle_timeout);
    http::async_write(stream_, *response_,
                      [self = this->shared_from_this()](error_code written, std::size_t) {
                        if (written || self->response_->need_eof()) return self->Close();
                        self->Read();
                      });
  }

  // Answers nothing. The connection ends when the client closes it or the
  // hang limit passes, whichever comes first; other connections go on.
  void Hang() {
    beast::get_lowest_layer(stream_).expires_never();
    hang_timer_.expires_after(options_.hang_limit);
    hang_timer_.async_wait([self = this->shared_from_this()](error_code error) {
      if (error) return;
      spdlog::info("hang limit reached: closing the connection");
      beast::get_lowest_layer(self->stream_).close();
    });
    WatchPeer();
  }

  // Reads (and drops) whatever the held client sends, to learn when it leaves.
  void WatchPeer() {
    stream_.async_read_some(asio::buffer(scratch_),
                            [self = this->shared_from_this()](error_code error, std::size_t) {
                              if (!error) return self->WatchPeer();
                              self->hang_timer_.cancel();
                              beast::get_lowest_layer(self->stream_).close();
                            });
  }

  void Close() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      beast::get_lowest_layer(stream_).expires_after(kShutdownTimeout);
      stream_.async_shutdown([self = this->shared_from_this()](error_code) {
        beast::get_lowest_layer(self->stream_).close();
      });
    } else {
      error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  asio::steady_timer hang_timer_;
  std::array<char, 512> scratch_{};
  Sim& sim_;
  ServerOptions options_;
};

}  // namespace

tl::expected<tcp::endpoint, std::string> ParseEndpoint(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos)
    return tl::unexpected("no :PORT in '" + std::string(text) + "'");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::uint16_t port = 0;
  const auto [end, parsed] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (parsed != std::errc() || end != port_text.data() + port_text.size() || port_text.empty()) {
    return tl::unexpected("bad port in '" + std::string(text) + "'");
  }
  error_code error;
  const auto address = asio::ip::make_address(std::string(host), error);
  if (error) return tl::unexpected("not an address: '" + std::string(host) + "'");
  return tcp::endpoint(address, port);
}

std::string ToString(const tcp::endpoint& endpoint) {
  const std::string host = endpoint.address().to_string();
  return (endpoint.address().is_v6() ? "[" + host + "]" : host) + ":" +
         std::to_string(endpoint.port());
}

tl::expected<std::shared_ptr<ssl::context>, std::string> MakeTlsContext(
    const std::string& cert_file, const std::string& key_file) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  error_code error;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1,
                       error);
  if (!error) context->use_certificate_chain_file(cert_file, error);
  if (error) return tl::unexpected("--tls-cert " + cert_file + ": " + error.message());
  context->use_private_key_file(key_file, ssl::context::pem, error);
  if (error) return tl::unexpected("--tls-key " + key_file + ": " + error.message());
  return context;
}

Server::Server(asio::io_context& io, Sim& sim, std::shared_ptr<ssl::context> tls,
               ServerOptions options)
    : acceptor_(io), retry_(io), sim_(sim), tls_(std::move(tls)), options_(options) {}

tl::expected<void, std::string> Server::Listen(const tcp::endpoint& at) {
  error_code error;
  acceptor_.open(at.protocol(), error);
  if (!error) acceptor_.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor_.bind(at, error);
  if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
  if (error) return tl::unexpected("cannot listen on " + ToString(at) + ": " + error.message());
  Accept();
  return {};
}

tcp::endpoint Server::local() const {
  return acceptor_.local_endpoint();
}

void Server::Close() {
  error_code ignored;
  acceptor_.close(ignored);
  retry_.cancel();
}

void Server::Accept() {
  acceptor_.async_accept([this](error_code error, tcp::socket socket) {
    if (error == asio::error::operation_aborted) return;
    if (error) {
      // Out of descriptors and the like: wait a little rather than spin.
      spdlog::warn("accept: {}", error.message());
      retry_.expires_after(std::chrono::milliseconds(100));
      retry_.async_wait([this](error_code waited) {
        if (!waited) Accept();
      });
      return;
    }
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (tls_) {
      std::make_shared<Session<TlsStream>>(sim_, options_, std::move(socket), *tls_)->Start();
    } else {
      std::make_shared<Session<PlainStream>>(sim_, options_, std::move(socket))->Start();
    }
    Accept();
  });
}

}  // namespace driad::tosim
