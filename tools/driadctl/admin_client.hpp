// driadctl's side of the admin API: one HTTP/1.1 request per call (Beast),
// bounded by a deadline, with the bearer token when one is set.
#pragma once

#include <chrono>
#include <string>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <tl/expected.hpp>

namespace driad::ctl {

struct HttpReply {
  unsigned status = 0;
  std::string body;
};

class AdminClient {
 public:
  AdminClient(boost::asio::ip::tcp::endpoint endpoint, std::string token,
              std::chrono::milliseconds timeout)
      : endpoint_(std::move(endpoint)), token_(std::move(token)), timeout_(timeout) {}

  // Errors are transport errors ("127.0.0.1:8053: Connection refused");
  // HTTP errors come back as a status.
  tl::expected<HttpReply, std::string> get(const std::string& target) const {
    return request("GET", target);
  }
  tl::expected<HttpReply, std::string> post(const std::string& target) const {
    return request("POST", target);
  }

  std::string where() const;

 private:
  tl::expected<HttpReply, std::string> request(const char* method, const std::string& target) const;

  boost::asio::ip::tcp::endpoint endpoint_;
  std::string token_;
  std::chrono::milliseconds timeout_;
};

// "%XX" escapes for a query-string value.
std::string url_encode(const std::string& value);

}  // namespace driad::ctl
