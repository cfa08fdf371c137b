// The kernel's floor for a UDP DNS server on this machine: a reflector that
// answers each query with its own bytes turned into an empty NOERROR reply,
// with driad's socket loop (recvmmsg/sendmmsg, batches of 32) and no other
// work. bench/compare.sh runs it beside NSD, Knot and driad, so the CPU per
// query every server spends above the socket path alone can be read off.
//   udp_floor PORT   (127.0.0.1 only; stops on SIGTERM/SIGINT)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

constexpr unsigned kBatch = 32;
constexpr std::size_t kBufferSize = 4096;
constexpr std::size_t kHeaderSize = 12;

struct Batch {
  std::array<std::array<std::uint8_t, kBufferSize>, kBatch> data{};
  std::array<sockaddr_in, kBatch> peers{};
  std::array<iovec, kBatch> iov{};
  std::array<mmsghdr, kBatch> in{};
  std::array<mmsghdr, kBatch> out{};
};

// QR=1, AA=1, the rest of the flags and the counts as a reply with only the
// question: the question section is echoed, nothing else is read.
std::size_t turn_into_reply(std::uint8_t* message, std::size_t size) {
  if (size < kHeaderSize || (message[2] & 0x80) != 0) return 0;
  message[2] = static_cast<std::uint8_t>(0x84 | (message[2] & 0x79));
  message[3] = 0;
  for (std::size_t i = 6; i < kHeaderSize; ++i) message[i] = 0;  // AN, NS, AR
  return size;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: udp_floor PORT\n");
    return 2;
  }
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(std::atoi(argv[1])));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // As driad's listener: past net.core.rmem_max where CAP_NET_ADMIN allows.
  const int buffer = 1 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    std::perror("udp_floor: bind");
    return 1;
  }
  static Batch b;
  for (unsigned i = 0; i < kBatch; ++i) {
    b.iov[i] = {b.data[i].data(), b.data[i].size()};
    b.in[i].msg_hdr.msg_iov = &b.iov[i];
    b.in[i].msg_hdr.msg_iovlen = 1;
    b.in[i].msg_hdr.msg_name = &b.peers[i];
  }
  std::signal(SIGTERM, [](int) { std::_Exit(0); });
  std::signal(SIGINT, [](int) { std::_Exit(0); });
  for (;;) {
    for (auto& message : b.in) message.msg_hdr.msg_namelen = sizeof(sockaddr_in);
    const int received = recvmmsg(fd, b.in.data(), kBatch, MSG_WAITFORONE, nullptr);
    if (received <= 0) continue;
    unsigned replies = 0;
    std::array<iovec, kBatch> out_iov{};
    for (int i = 0; i < received; ++i) {
      const std::size_t size = turn_into_reply(b.data[i].data(), b.in[i].msg_len);
      if (size == 0) continue;
      out_iov[replies] = {b.data[i].data(), size};
      b.out[replies].msg_hdr = {};
      b.out[replies].msg_hdr.msg_name = &b.peers[i];
      b.out[replies].msg_hdr.msg_namelen = b.in[i].msg_hdr.msg_namelen;
      b.out[replies].msg_hdr.msg_iov = &out_iov[replies];
      b.out[replies].msg_hdr.msg_iovlen = 1;
      ++replies;
    }
    unsigned sent = 0;
    while (sent < replies) {
      const int n = sendmmsg(fd, &b.out[sent], replies - sent, MSG_DONTWAIT);
      if (n <= 0) break;
      sent += static_cast<unsigned>(n);
    }
  }
}
