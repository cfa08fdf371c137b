// One UDP socket and the thread that answers it: a blocking recvmmsg that
// returns as soon as one datagram is queued (MSG_WAITFORONE, up to a batch),
// the answers, one sendmmsg. Two system calls per batch and no event loop: the
// wake-up is the datagram itself.
//
// Threads: the listener's own thread does everything on the query path (its
// SnapshotReader, QueryRecorder and RateLimiter are its alone). stop_reading()
// and stop() come from the control thread; they flip an atomic state and
// shut the socket's read side down, which wakes a blocked recvmmsg.
#pragma once

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <tl/expected.hpp>

#include "dns/query_stats.hpp"
#include "dns/rrl.hpp"
#include "zones/snapshot_holder.hpp"

namespace driad::dns {

struct ListenEndpoint;

class UdpListener {
 public:
  UdpListener(const zones::SnapshotPublisher& publisher, std::uint32_t query_log_sample,
              const std::optional<RrlOptions>& rrl);
  ~UdpListener();
  UdpListener(const UdpListener&) = delete;
  UdpListener& operator=(const UdpListener&) = delete;

  // Opens and binds the SO_REUSEPORT socket.
  tl::expected<void, std::string> bind(const ListenEndpoint& endpoint);
  // Starts the thread; it inherits the caller's signal mask.
  void start();
  // Answers the datagrams already queued (a bounded number of batches), then
  // closes the socket and ends the thread. Any thread; returns at once.
  void stop_reading() noexcept;
  // Ends the thread after the batch in hand and joins it; idempotent.
  void stop() noexcept;

  const QueryRecorder& recorder() const noexcept { return recorder_; }
  QueryRecorder& recorder() noexcept { return recorder_; }

  static constexpr std::size_t kBatch = 32;
  static constexpr std::size_t kBufferSize = 4096;  // the largest EDNS payload driad offers

 private:
  enum class State : std::uint8_t { running, draining, stopping };
  struct Buffers;

  void run() noexcept;
  int answer_batch(int flags) noexcept;  // datagrams read; <= 0 as recvmmsg
  void wake() noexcept;
  void close_socket() noexcept;

  // Largest alignment first (the recorder is cache-line aligned), so that
  // the members pack.
  QueryRecorder recorder_;
  std::unique_ptr<Buffers> buffers_;
  std::thread thread_;
  zones::SnapshotReader reader_;
  std::mutex socket_mutex_;  // fd_ against close: control path and thread exit only
  std::optional<RateLimiter> limiter_;
  int fd_ = -1;
  bool wildcard_ = false;  // bound to 0.0.0.0 or ::, so replies name their source
  std::atomic<State> state_{State::running};
};

}  // namespace driad::dns
