// Implements the admin HTTP server (http_server.hpp): one Session per
// connection, reading one request at a time (keep-alive) and answering it with
// the handler's response.
#include "admin/http_server.hpp"

#include <optional>

#include <spdlog/spdlog.h>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace driad::admin {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// What sessions share with the server; the handler is cleared when the server
// goes, so a session left in the io_context never calls into a dead owner.
struct HttpServer::Shared {
  HttpHandler handler;
  HttpServerLimits limits;
  unsigned connections = 0;
};

class HttpServer::Session : public std::enable_shared_from_this<HttpServer::Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {
    ++shared_->connections;
  }
  ~Session() { --shared_->connections; }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() { read(shared_->limits.request_timeout); }

 private:
  void read(std::chrono::milliseconds deadline) {
    parser_.emplace();
    parser_->header_limit(shared_->limits.max_header_bytes);
    parser_->body_limit(shared_->limits.max_body_bytes);
    stream_.expires_after(deadline);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](error_code error, std::size_t) { self->on_read(error); });
  }

  void on_read(error_code error) {
    if (error == http::error::end_of_stream || error == beast::error::timeout ||
        error == asio::error::operation_aborted) {
      return close();
    }
    if (error) {
      // Too large or not HTTP: say so once, then hang up.
      const bool too_large = error == http::error::header_limit || error == http::error::body_limit;
      spdlog::debug("admin: bad request: {}", error.message());
      HttpResponse response{too_large ? 413U : 400U,
                            "text/plain; charset=utf-8",
                            too_large ? "request too large\n" : "bad request\n",
                            {}};
      return send(std::move(response), 11, false);
    }
    const http::request<http::string_body>& message = parser_->get();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.authorization = std::string(message[http::field::authorization]);
    request.body = message.body();
    HttpResponse response = shared_->handler
                                ? shared_->handler(request)
                                : HttpResponse{503, "text/plain; charset=utf-8", "stopping\n", {}};
    // The target may carry addresses; it never carries the token.
    spdlog::debug("admin: {} {} -> {}", request.method, request.target, response.status);
    send(std::move(response), message.version(), message.keep_alive());
  }

  void send(HttpResponse response, unsigned version, bool keep_alive) {
    response_.emplace(static_cast<http::status>(response.status), version);
    response_->set(http::field::server, "driad");
    response_->set(http::field::content_type, response.content_type);
    response_->set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : response.headers) response_->insert(name, value);
    response_->body() = std::move(response.body);
    response_->keep_alive(keep_alive);
    response_->prepare_payload();
    stream_.expires_after(shared_->limits.request_timeout);
    http::async_write(stream_, *response_,
                      [self = shared_from_this()](error_code error, std::size_t) {
                        if (error || self->response_->need_eof()) return self->close();
                        self->read(self->shared_->limits.idle_timeout);
                      });
  }

  void close() {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  std::shared_ptr<Shared> shared_;
};

HttpServer::HttpServer(asio::io_context& io, HttpHandler handler, HttpServerLimits limits)
    : acceptor_(io), retry_(io), shared_(std::make_shared<Shared>()) {
  shared_->handler = std::move(handler);
  shared_->limits = limits;
}

HttpServer::~HttpServer() {
  close();
  shared_->handler = nullptr;
}

tl::expected<void, std::string> HttpServer::listen(const tcp::endpoint& at) {
  error_code error;
  acceptor_.open(at.protocol(), error);
  if (!error) acceptor_.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor_.bind(at, error);
  if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    const std::string host = at.address().to_string();
    return tl::make_unexpected((at.address().is_v6() ? "[" + host + "]" : host) + ":" +
                               std::to_string(at.port()) + ": " + error.message());
  }
  accept();
  return {};
}

tcp::endpoint HttpServer::local() const {
  error_code ignored;
  return acceptor_.local_endpoint(ignored);
}

void HttpServer::close() {
  error_code ignored;
  acceptor_.close(ignored);
  retry_.cancel();
}

unsigned HttpServer::connections() const noexcept {
  return shared_->connections;
}

void HttpServer::accept() {
  acceptor_.async_accept([this, shared = shared_](error_code error, tcp::socket socket) {
    if (error == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!error) {
      if (shared->connections >= shared->limits.max_connections) {
        error_code ignored;
        socket.close(ignored);  // over the cap
      } else {
        std::make_shared<Session>(std::move(socket), shared)->start();
      }
    } else {
      // Out of descriptors and the like: wait a little rather than spin.
      spdlog::warn("admin: accept: {}", error.message());
      retry_.expires_after(std::chrono::milliseconds(100));
      retry_.async_wait([this](error_code waited) {
        if (!waited) accept();
      });
      return;
    }
    accept();
  });
}

}  // namespace driad::admin
