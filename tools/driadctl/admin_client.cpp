// Implements the admin client (admin_client.hpp): async Beast operations run to
// completion on a private io_context, so one deadline bounds the whole request.
#include "tools/driadctl/admin_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace driad::ctl {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using error_code = boost::system::error_code;

namespace {

constexpr std::uint64_t kBodyLimit = std::uint64_t{64} * 1024 * 1024;

}  // namespace

std::string AdminClient::where() const {
  const std::string host = endpoint_.address().to_string();
  return (endpoint_.address().is_v6() ? "[" + host + "]" : host) + ":" +
         std::to_string(endpoint_.port());
}

tl::expected<HttpReply, std::string> AdminClient::request(const char* method,
                                                          const std::string& target) const {
  asio::io_context io;
  beast::tcp_stream stream(io);
  http::request<http::empty_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, where());
  request.set(http::field::user_agent, "driadctl");
  if (!token_.empty()) request.set(http::field::authorization, "Bearer " + token_);
  request.keep_alive(false);
  request.prepare_payload();
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kBodyLimit);

  error_code failure;
  std::string stage = "connect";
  stream.expires_after(timeout_);
  stream.async_connect(endpoint_, [&](error_code connected) {
    if (connected) {
      failure = connected;
      return;
    }
    stage = "send";
    http::async_write(stream, request, [&](error_code written, std::size_t) {
      if (written) {
        failure = written;
        return;
      }
      stage = "read";
      http::async_read(stream, buffer, parser,
                       [&](error_code read, std::size_t) { failure = read; });
    });
  });
  io.run();
  if (failure == beast::error::timeout) {
    return tl::make_unexpected(where() + ": " + stage + ": no answer within " +
                               std::to_string(timeout_.count()) + " ms");
  }
  if (failure) return tl::make_unexpected(where() + ": " + stage + ": " + failure.message());
  HttpReply reply;
  reply.status = parser.get().result_int();
  reply.body = parser.get().body();
  return reply;
}

std::string url_encode(const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : value) {
    const auto octet = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || c == ':') {
      out += c;
    } else {
      out += '%';
      out += kHex[octet >> 4];
      out += kHex[octet & 15];
    }
  }
  return out;
}

}  // namespace driad::ctl
