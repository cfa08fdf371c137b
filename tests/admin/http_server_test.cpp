// The admin HTTP server on 127.0.0.1 (a port the kernel picks): requests reach
// the handler with their Authorization header, keep-alive works, oversized
// requests get 413, garbage gets 400, and the connection cap closes the next
// connection at once.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "admin/http_server.hpp"

namespace driad::admin {
namespace {

using boost::asio::ip::tcp;

// A connected blocking socket with a 3 s receive deadline, closed on every path.
class Client {
 public:
  explicit Client(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    timeval deadline{3, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &deadline, sizeof deadline);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
  }
  ~Client() { ::close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }
  void send(const std::string& text) {
    ASSERT_EQ(::send(fd_, text.data(), text.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(text.size()));
  }
  // Reads until `marker` has been seen (or the peer closes or 3 s pass).
  std::string read_until(const std::string& marker) {
    std::string got;
    char buffer[4096];
    while (got.find(marker) == std::string::npos) {
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      got.append(buffer, static_cast<std::size_t>(n));
    }
    return got;
  }
  // True when the peer closes within 3 s.
  bool closed_by_peer() {
    char buffer[256];
    for (int i = 0; i < 100; ++i) {
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
      if (n < 0) return false;
    }
    return false;
  }

 private:
  int fd_;
  bool connected_ = false;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void start(HttpServerLimits limits) {
    server_ = std::make_unique<HttpServer>(
        io_,
        [this](const HttpRequest& request) {
          const std::lock_guard<std::mutex> lock(mutex_);
          seen_.push_back(request);
          return HttpResponse{200, "text/plain", request.method + " " + request.target + "\n", {}};
        },
        limits);
    ASSERT_TRUE(server_->listen(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)));
    port_ = server_->local().port();
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  boost::asio::io_context io_;
  std::unique_ptr<HttpServer> server_;
  std::vector<HttpRequest> seen() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return seen_;
  }

  std::mutex mutex_;
  std::vector<HttpRequest> seen_;  // written on the server thread
  std::uint16_t port_ = 0;
  std::thread thread_;
};

TEST_F(HttpServerTest, AnswersAndKeepsAlive) {
  start({});
  Client client(port_);
  ASSERT_TRUE(client.connected());
  client.send("GET /api/v1/state HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tok\r\n\r\n");
  const std::string first = client.read_until("state\n");
  EXPECT_EQ(first.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << first;
  EXPECT_NE(first.find("Content-Type: text/plain"), std::string::npos) << first;
  EXPECT_NE(first.find("GET /api/v1/state\n"), std::string::npos) << first;
  client.send("POST /api/v1/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  const std::string second = client.read_until("reload\n");
  EXPECT_NE(second.find("POST /api/v1/reload\n"), std::string::npos) << second;
  const auto requests = seen();
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(requests[0].authorization, "Bearer tok");
  EXPECT_EQ(requests[1].authorization, "");
}

TEST_F(HttpServerTest, OversizedAndMalformedRequestsAreRefused) {
  HttpServerLimits limits;
  limits.max_header_bytes = 512;
  limits.max_body_bytes = 16;
  start(limits);
  {
    Client client(port_);
    client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
    const std::string reply = client.read_until("\r\n\r\n");
    EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0U) << reply;
  }
  {
    Client client(port_);
    client.send("POST /api/v1/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" +
                std::string(100, 'b'));
    const std::string reply = client.read_until("\r\n\r\n");
    EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0U) << reply;
  }
  {
    Client client(port_);
    client.send("this is not http\r\n\r\n");
    const std::string reply = client.read_until("\r\n\r\n");
    EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0U) << reply;
  }
  EXPECT_TRUE(seen().empty());
}

TEST_F(HttpServerTest, ConnectionsOverTheCapAreClosed) {
  HttpServerLimits limits;
  limits.max_connections = 2;
  start(limits);
  Client first(port_);
  Client second(port_);
  // Both held open by a request each, answered, so the server counted them.
  first.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  second.send("GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(first.read_until("/a\n").find("/a\n"), std::string::npos);
  EXPECT_NE(second.read_until("/b\n").find("/b\n"), std::string::npos);
  Client third(port_);
  ASSERT_TRUE(third.connected());  // the kernel accepts; the server closes it
  EXPECT_TRUE(third.closed_by_peer());
}

TEST_F(HttpServerTest, IdleConnectionsTimeOut) {
  HttpServerLimits limits;
  limits.request_timeout = std::chrono::milliseconds(200);
  start(limits);
  Client client(port_);
  client.send("GET /slow HTTP/1.1\r\n");  // never finished
  EXPECT_TRUE(client.closed_by_peer());
  EXPECT_TRUE(seen().empty());
}

}  // namespace
}  // namespace driad::admin
