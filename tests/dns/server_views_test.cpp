// dns::Server hands each query's peer address to respond(): a snapshot whose
// client views cover 127.0.0.0/8 and ::1 answers differently over IPv4 and
// IPv6, over UDP and over TCP, and an ECS option still wins over the peer.
// Listens on 127.0.0.1 and ::1 only, on a port the kernel picks.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dns/server.hpp"
#include "tests/dns/dns_test_support.hpp"
#include "tests/dns/ldns_support.hpp"
#include "tests/dns/server_support.hpp"
#include "tests/dns/test_snapshot.hpp"

namespace driad::dns {
namespace {

using test::Bytes;

constexpr const char* kName = "12.100.51.198.in-addr.arpa.";
constexpr const char* kViewARelay = "0a01c0000201";
constexpr const char* kViewBRelay = "0a01c0000202";

// A socket closed on every path out of a test.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

struct Endpoint {
  sockaddr_storage address{};
  socklen_t length = 0;
};

Endpoint endpoint(const char* host, std::uint16_t port) {
  Endpoint out;
  if (std::strchr(host, ':') != nullptr) {
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    inet_pton(AF_INET6, host, &v6.sin6_addr);
    std::memcpy(&out.address, &v6, sizeof v6);
    out.length = sizeof v6;
  } else {
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    inet_pton(AF_INET, host, &v4.sin_addr);
    std::memcpy(&out.address, &v4, sizeof v4);
    out.length = sizeof v4;
  }
  return out;
}

void set_timeout(int fd) {
  const timeval two_seconds{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &two_seconds, sizeof two_seconds);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &two_seconds, sizeof two_seconds);
}

// One UDP exchange; nullopt when no answer came within the time-outs.
std::optional<Bytes> ask_udp(const char* host, std::uint16_t port, const Bytes& query) {
  const Endpoint server = endpoint(host, port);
  const Socket socket(::socket(server.address.ss_family, SOCK_DGRAM, 0));
  if (socket.fd() < 0) return std::nullopt;
  set_timeout(socket.fd());
  if (connect(socket.fd(), reinterpret_cast<const sockaddr*>(&server.address), server.length) != 0)
    return std::nullopt;
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (send(socket.fd(), query.data(), query.size(), 0) != static_cast<ssize_t>(query.size()))
      continue;
    Bytes reply(65535);
    const ssize_t got = recv(socket.fd(), reply.data(), reply.size(), 0);
    if (got <= 0) continue;
    reply.resize(static_cast<std::size_t>(got));
    return reply;
  }
  return std::nullopt;
}

bool read_exactly(int fd, std::uint8_t* out, std::size_t size) {
  std::size_t have = 0;
  while (have < size) {
    const ssize_t got = recv(fd, out + have, size - have, 0);
    if (got <= 0) return false;  // closed, or the time-out passed
    have += static_cast<std::size_t>(got);
  }
  return true;
}

// One query over a new TCP connection.
std::optional<Bytes> ask_tcp(const char* host, std::uint16_t port, const Bytes& query) {
  const Endpoint server = endpoint(host, port);
  const Socket socket(::socket(server.address.ss_family, SOCK_STREAM, 0));
  if (socket.fd() < 0) return std::nullopt;
  set_timeout(socket.fd());
  if (connect(socket.fd(), reinterpret_cast<const sockaddr*>(&server.address), server.length) != 0)
    return std::nullopt;
  Bytes framed;
  test::put16(framed, static_cast<std::uint16_t>(query.size()));
  framed.insert(framed.end(), query.begin(), query.end());
  if (send(socket.fd(), framed.data(), framed.size(), 0) != static_cast<ssize_t>(framed.size()))
    return std::nullopt;
  std::uint8_t length[2];
  if (!read_exactly(socket.fd(), length, 2)) return std::nullopt;
  Bytes reply(static_cast<std::size_t>(length[0] << 8 | length[1]));
  if (!read_exactly(socket.fd(), reply.data(), reply.size())) return std::nullopt;
  return reply;
}

// The AMTRELAY RDATA (hex) of each answer, as ldns reads the reply.
std::vector<std::string> relays_in(const std::optional<Bytes>& reply) {
  std::vector<std::string> out;
  if (!reply) {
    ADD_FAILURE() << "no reply";
    return out;
  }
  const test::LdnsPacket packet = test::ldns_parse(*reply);
  if (!packet) return out;
  for (const ldns_rr* rr : test::records(ldns_pkt_answer(packet.get())))
    out.push_back(test::to_hex(test::raw_rdata(rr)));
  return out;
}

class ServerViewsTest : public testing::Test {
 protected:
  void SetUp() override {
    // The loopback peers: IPv4 in view A, IPv6 in view B.
    zones::SnapshotSpec spec = test::test_views_spec();
    spec.client_networks.push_back({test::prefix("127.0.0.0/8"), test::kViewA});
    spec.client_networks.push_back({test::prefix("::1/128"), test::kViewB});
    auto snapshot = zones::Snapshot::build(spec);
    ASSERT_TRUE(snapshot) << snapshot.error();
    publisher_.publish(*snapshot);

    ServerOptions options;
    options.threads = 1;
    server_ = test::bind_on_free_port(publisher_, options, {"127.0.0.1", "::1"}, port_);
    ASSERT_TRUE(server_) << "no free port on 127.0.0.1 and ::1";
    server_->start();
  }

  void TearDown() override {
    if (server_) server_->stop();
  }

  zones::SnapshotPublisher publisher_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
};

TEST_F(ServerViewsTest, UdpPeerAddressPicksTheView) {
  const Bytes query = test::make_query(kName, 260);
  EXPECT_EQ(relays_in(ask_udp("127.0.0.1", port_, query)), std::vector<std::string>{kViewARelay});
  EXPECT_EQ(relays_in(ask_udp("::1", port_, query)), std::vector<std::string>{kViewBRelay});
}

TEST_F(ServerViewsTest, TcpPeerAddressPicksTheView) {
  const Bytes query = test::make_query(kName, 260);
  EXPECT_EQ(relays_in(ask_tcp("127.0.0.1", port_, query)), std::vector<std::string>{kViewARelay});
  EXPECT_EQ(relays_in(ask_tcp("::1", port_, query)), std::vector<std::string>{kViewBRelay});
}

TEST_F(ServerViewsTest, EcsWinsOverThePeer) {
  // From 127.0.0.1 (view A), an ECS address in view B.
  const Bytes query = test::make_query(
      kName, 260, {.edns = test::Edns{.options = test::ecs_option(1, 24, 0, {10, 1, 2})}});
  EXPECT_EQ(relays_in(ask_udp("127.0.0.1", port_, query)), std::vector<std::string>{kViewBRelay});
  EXPECT_EQ(relays_in(ask_tcp("127.0.0.1", port_, query)), std::vector<std::string>{kViewBRelay});
}

}  // namespace
}  // namespace driad::dns
