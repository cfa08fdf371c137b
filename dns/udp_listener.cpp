// The UDP listener thread: batches in with recvmmsg, answers (rate limited
// when RRL is on), batches out with sendmmsg.
#include "dns/udp_listener.hpp"

#include <netinet/in.h>
#include <pthread.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include <boost/asio/ip/udp.hpp>

#include "dns/peer_address.hpp"
#include "dns/responder.hpp"
#include "dns/server.hpp"

namespace driad::dns {
namespace {

// Batches answered after stop_reading(), at most: more than the receive
// buffer below holds (about 1,300 small datagrams), not an endless flood.
constexpr unsigned kDrainBatches = 64;
// A blocked recvmmsg returns this often even without traffic, so that the
// thread lets go of a replaced snapshot (see snapshot_holder.hpp).
constexpr timeval kReceiveTimeout{1, 0};
// Room for a burst of about a thousand queries (NSD asks for the same): with
// the usual 208 KiB default, ~250 queued datagrams and the rest are dropped.
constexpr int kReceiveBuffer = 1 << 20;

// Set where a socket is bound to a wildcard address, so each reply leaves from
// the address its query arrived at.
struct PacketInfo {
  alignas(cmsghdr) std::uint8_t control[CMSG_SPACE(sizeof(in6_pktinfo))];
};

std::string errno_text() {
  return std::error_code(errno, std::generic_category()).message();
}

}  // namespace

// Reused for every batch; one allocation per listener.
struct UdpListener::Buffers {
  std::array<std::array<std::uint8_t, kBufferSize>, kBatch> in{};
  std::array<std::array<std::uint8_t, kBufferSize>, kBatch> out{};
  std::array<sockaddr_storage, kBatch> peers{};
  std::array<PacketInfo, kBatch> info{};
  std::array<iovec, kBatch> in_iov{};
  std::array<iovec, kBatch> out_iov{};
  std::array<mmsghdr, kBatch> in_msgs{};
  std::array<mmsghdr, kBatch> out_msgs{};
};

UdpListener::UdpListener(const zones::SnapshotPublisher& publisher, std::uint32_t query_log_sample,
                         const std::optional<RrlOptions>& rrl)
    : recorder_(query_log_sample), buffers_(std::make_unique<Buffers>()), reader_(publisher) {
  if (rrl) limiter_.emplace(*rrl);
}

UdpListener::~UdpListener() {
  stop();
  close_socket();
}

tl::expected<void, std::string> UdpListener::bind(const ListenEndpoint& endpoint) {
  const std::string where =
      "UDP " + endpoint.address.to_string() + " port " + std::to_string(endpoint.port) + ": ";
  const boost::asio::ip::udp::endpoint address(endpoint.address, endpoint.port);
  const bool v6 = endpoint.address.is_v6();
  fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return tl::make_unexpected(where + errno_text());
  const int on = 1;
  bool ok = setsockopt(fd_, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) == 0 &&
            setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &kReceiveTimeout, sizeof kReceiveTimeout) == 0;
  if (ok && v6) ok = setsockopt(fd_, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) == 0;
  // Best effort: past net.core.rmem_max only with CAP_NET_ADMIN (FORCE).
  if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof kReceiveBuffer) != 0)
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof kReceiveBuffer);
  wildcard_ = endpoint.address.is_unspecified();
  if (ok && wildcard_) {
    ok = v6 ? setsockopt(fd_, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on) == 0
            : setsockopt(fd_, IPPROTO_IP, IP_PKTINFO, &on, sizeof on) == 0;
  }
  if (ok) ok = ::bind(fd_, address.data(), static_cast<socklen_t>(address.size())) == 0;
  if (!ok) {
    std::string error = where + errno_text();
    close_socket();
    return tl::make_unexpected(std::move(error));
  }

  Buffers& b = *buffers_;
  for (std::size_t i = 0; i < kBatch; ++i) {
    b.in_iov[i] = {b.in[i].data(), b.in[i].size()};
    msghdr& header = b.in_msgs[i].msg_hdr;
    header = {};
    header.msg_name = &b.peers[i];
    header.msg_namelen = sizeof(sockaddr_storage);
    header.msg_iov = &b.in_iov[i];
    header.msg_iovlen = 1;
    if (wildcard_) {
      header.msg_control = b.info[i].control;
      header.msg_controllen = sizeof b.info[i].control;
    }
  }
  return {};
}

void UdpListener::start() {
  thread_ = std::thread([this] { run(); });
}

void UdpListener::stop_reading() noexcept {
  State expected = State::running;
  state_.compare_exchange_strong(expected, State::draining, std::memory_order_acq_rel);
  wake();
}

void UdpListener::stop() noexcept {
  state_.store(State::stopping, std::memory_order_release);
  wake();
  if (thread_.joinable()) thread_.join();
}

// shutdown(SHUT_RD) on a UDP socket makes a blocked (or the next) recvmmsg
// return what is queued, then 0, instead of waiting.
void UdpListener::wake() noexcept {
  const std::lock_guard lock(socket_mutex_);
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RD);
}

void UdpListener::close_socket() noexcept {
  const std::lock_guard lock(socket_mutex_);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void UdpListener::run() noexcept {
  pthread_setname_np(pthread_self(), "driad-udp");
  while (state_.load(std::memory_order_acquire) == State::running) {
    // A time-out, EINTR or a transient error: look again. Reading the
    // snapshot on a time-out releases a replaced one on an idle thread.
    if (answer_batch(MSG_WAITFORONE) < 0) reader_.current();
  }
  if (state_.load(std::memory_order_acquire) == State::draining) {
    for (unsigned batch = 0; batch < kDrainBatches; ++batch) {
      if (answer_batch(MSG_DONTWAIT) < static_cast<int>(kBatch)) break;
    }
  }
  close_socket();
}

// A wildcard socket echoes each query's destination as the source.
int UdpListener::answer_batch(int flags) noexcept {
  Buffers& b = *buffers_;
  const int received = recvmmsg(fd_, b.in_msgs.data(), kBatch, flags, nullptr);
  if (received <= 0) return received;
  const auto started = std::chrono::steady_clock::now();
  const auto now_ns = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(started.time_since_epoch()).count());
  const zones::Snapshot* snapshot = reader_.current();
  unsigned replies = 0;
  for (int i = 0; i < received; ++i) {
    msghdr& in = b.in_msgs[i].msg_hdr;
    const std::span<const std::uint8_t> query{b.in[i].data(), b.in_msgs[i].msg_len};
    std::size_t size = 0;
    if ((in.msg_flags & MSG_TRUNC) == 0) {  // else larger than any query we answer
      const ClientAddress client =
          peer_address(reinterpret_cast<const sockaddr*>(&b.peers[i]), in.msg_namelen);
      const ResponseInfo info = respond(snapshot, query, b.out[i], Transport::udp, client);
      recorder_.record(Transport::udp, query, info, client);
      size = info.size;
      if (size != 0 && limiter_) {
        switch (limiter_->check(client, now_ns)) {
          case RrlVerdict::drop:
            recorder_.count_rrl_dropped();
            size = 0;
            break;
          case RrlVerdict::slip:
            recorder_.count_rrl_slipped();
            size = truncate_response(b.out[i], size);
            break;
          case RrlVerdict::send:
            if (!info.truncated && limiter_->too_large(query.size(), size))
              size = truncate_response(b.out[i], size);
            break;
        }
      }
    }
    if (size != 0) {
      b.out_iov[replies] = {b.out[i].data(), size};
      msghdr& out = b.out_msgs[replies].msg_hdr;
      out = {};
      out.msg_name = &b.peers[i];
      out.msg_namelen = in.msg_namelen;
      out.msg_iov = &b.out_iov[replies];
      out.msg_iovlen = 1;
      if (wildcard_ && in.msg_controllen > 0) {
        // The received IP_PKTINFO / IPV6_PKTINFO names the local address; sent
        // back, it becomes the source. The interface is left to routing.
        for (cmsghdr* c = CMSG_FIRSTHDR(&in); c != nullptr; c = CMSG_NXTHDR(&in, c)) {
          if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            auto* info4 = reinterpret_cast<in_pktinfo*>(CMSG_DATA(c));
            info4->ipi_spec_dst = info4->ipi_addr;
            info4->ipi_ifindex = 0;
          }
        }
        out.msg_control = in.msg_control;
        out.msg_controllen = in.msg_controllen;
      }
      ++replies;
    }
  }
  unsigned sent = 0;
  while (sent < replies) {
    const int n = sendmmsg(fd_, &b.out_msgs[sent], replies - sent, MSG_DONTWAIT);
    if (n <= 0) break;  // a full socket buffer drops the rest, as UDP may
    sent += static_cast<unsigned>(n);
  }
  recorder_.observe_latency(Transport::udp, std::chrono::steady_clock::now() - started, replies);
  // The kernel wrote back each header's lengths and flags: ready them again.
  for (int i = 0; i < received; ++i) {
    msghdr& header = b.in_msgs[i].msg_hdr;
    header.msg_namelen = sizeof(sockaddr_storage);
    header.msg_controllen = wildcard_ ? sizeof b.info[i].control : 0;
    header.msg_flags = 0;
  }
  return received;
}

}  // namespace driad::dns
