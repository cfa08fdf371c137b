// dns::Server's UDP listener threads: datagrams queued when stop_accepting()
// comes are still answered, then nothing is read; response rate limiting
// configured through ServerOptions limits one client and the counters say so.
// Listens on 127.0.0.1 only, on a port the kernel picks.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <set>

#include "dns/server.hpp"
#include "tests/dns/dns_test_support.hpp"
#include "tests/dns/server_support.hpp"
#include "tests/dns/test_snapshot.hpp"

namespace driad::dns {
namespace {

using test::Bytes;

constexpr const char* kName = "12.100.51.198.in-addr.arpa.";  // 3 relays

// A UDP socket on 127.0.0.1 that talks to one port; closed on every path.
class Client {
 public:
  explicit Client(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_DGRAM, 0)) {
    sockaddr_in server{};
    server.sin_family = AF_INET;
    server.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
    const int buffer = 1 << 20;
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    connected_ = connect(fd_, reinterpret_cast<const sockaddr*>(&server), sizeof server) == 0;
  }
  ~Client() { close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool send_queries(std::uint16_t count) {
    for (std::uint16_t id = 0; id < count; ++id) {
      const Bytes query = test::make_query(kName, 260, {.id = id});
      if (send(fd_, query.data(), query.size(), 0) != static_cast<ssize_t>(query.size()))
        return false;
    }
    return connected_;
  }

  // Every reply that comes until none has for `quiet`.
  std::vector<Bytes> replies(std::chrono::milliseconds quiet = std::chrono::milliseconds(500)) {
    std::vector<Bytes> out;
    pollfd ready{fd_, POLLIN, 0};
    while (out.size() < 10000 && poll(&ready, 1, static_cast<int>(quiet.count())) == 1) {
      Bytes reply(65535);
      const ssize_t got = recv(fd_, reply.data(), reply.size(), 0);
      if (got <= 0) break;
      reply.resize(static_cast<std::size_t>(got));
      out.push_back(std::move(reply));
    }
    return out;
  }

 private:
  int fd_;
  bool connected_ = false;
};

bool truncated(const Bytes& reply) {
  return reply.size() >= 12 && (reply[2] & 0x02) != 0;
}

std::uint16_t answer_count(const Bytes& reply) {
  return reply.size() >= 12 ? static_cast<std::uint16_t>(reply[6] << 8 | reply[7]) : 0;
}

class ServerUdpTest : public testing::Test {
 protected:
  void start(const std::optional<RrlOptions>& rrl = std::nullopt) {
    auto snapshot = zones::Snapshot::build(test::test_spec());
    ASSERT_TRUE(snapshot) << snapshot.error();
    publisher_.publish(*snapshot);
    ServerOptions options;
    options.threads = 1;
    options.rrl = rrl;
    server_ = test::bind_on_free_port(publisher_, options, {"127.0.0.1"}, port_);
    ASSERT_TRUE(server_) << "no free port on 127.0.0.1";
    server_->start();
  }

  void TearDown() override {
    if (server_) server_->stop();
  }

  zones::SnapshotPublisher publisher_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
};

TEST_F(ServerUdpTest, QueuedDatagramsAreAnsweredThenReadingStops) {
  start();
  Client client(port_);
  // Loopback queues each datagram before send() returns: all 200 are there
  // (or already answered) when the listeners are told to stop.
  ASSERT_TRUE(client.send_queries(200));
  server_->stop_accepting();
  const std::vector<Bytes> replies = client.replies();
  std::set<std::uint16_t> ids;
  for (const Bytes& reply : replies) {
    ids.insert(static_cast<std::uint16_t>(reply[0] << 8 | reply[1]));
    EXPECT_EQ(answer_count(reply), 3);
  }
  EXPECT_EQ(ids.size(), 200U);
  EXPECT_EQ(server_->stats().answers[0][static_cast<std::size_t>(AnswerKind::relay_set)], 200U);
  // The socket is closed: nothing more is answered (the kernel may even
  // refuse the send, having seen the port unreachable).
  client.send_queries(5);
  EXPECT_TRUE(client.replies(std::chrono::milliseconds(300)).empty());
  server_->stop();
  server_->stop();  // idempotent
}

TEST_F(ServerUdpTest, RateLimitingFromServerOptions) {
  RrlOptions rrl;
  rrl.responses_per_second = 10;
  rrl.slip = 2;
  start(rrl);
  Client client(port_);
  ASSERT_TRUE(client.send_queries(60));
  const std::vector<Bytes> replies = client.replies();
  std::size_t full = 0;
  std::size_t slipped = 0;
  for (const Bytes& reply : replies) {
    if (truncated(reply)) {
      EXPECT_EQ(answer_count(reply), 0);
      ++slipped;
    } else {
      EXPECT_EQ(answer_count(reply), 3);
      ++full;
    }
  }
  // The burst of 10 (one more if the batches straddle a tenth of a second),
  // then every other limited response truncated.
  EXPECT_GE(full, 10U);
  EXPECT_LE(full, 12U);
  EXPECT_EQ(slipped, (60 - full) / 2);
  const QueryTotals totals = server_->stats();
  EXPECT_EQ(totals.rrl_slipped, slipped);
  EXPECT_EQ(totals.rrl_dropped, 60 - full - slipped);
}

TEST_F(ServerUdpTest, NoRateLimitingWithoutOptions) {
  start();
  Client client(port_);
  ASSERT_TRUE(client.send_queries(200));
  const std::vector<Bytes> replies = client.replies();
  EXPECT_EQ(replies.size(), 200U);
  for (const Bytes& reply : replies) EXPECT_FALSE(truncated(reply));
  EXPECT_EQ(server_->stats().rrl_dropped + server_->stats().rrl_slipped, 0U);
}

}  // namespace
}  // namespace driad::dns
