// Implements the RFC 7450 gateway probe (amt_probe.hpp): one thread, one
// io_context, one UDP socket, two timers.
#include "health/amt_probe.hpp"

#include <array>
#include <random>
#include <thread>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace driad::health {

namespace asio = boost::asio;
using asio::ip::udp;

tl::expected<void, std::string> Validate(const AmtProbeConfig& config) {
  if (config.relay.is_unspecified()) {
    return tl::unexpected(std::string("relay: an address is required"));
  }
  if (config.port == 0) return tl::unexpected(std::string("probe_port: must not be 0"));
  if (config.interval <= std::chrono::milliseconds::zero()) {
    return tl::unexpected(std::string("interval: must be positive"));
  }
  if (config.timeout <= std::chrono::milliseconds::zero() || config.timeout > config.interval) {
    return tl::unexpected(std::string("timeout: must be positive and at most the interval"));
  }
  if (config.miss_threshold == 0) {
    return tl::unexpected(std::string("miss_threshold: must be at least 1"));
  }
  return {};
}

class AmtProbe::Loop {
 public:
  Loop(const AmtProbeConfig& config, const ObservationSink<GatewayObservation>& sink,
       FeedCounters& counters)
      : config_(config),
        sink_(sink),
        counters_(counters),
        socket_(io_),
        target_(config.relay, config.port),
        interval_timer_(io_),
        timeout_timer_(io_),
        random_(std::random_device{}()) {}

  tl::expected<void, std::string> Open() {
    boost::system::error_code error;
    const udp protocol = config_.relay.is_v4() ? udp::v4() : udp::v6();
    socket_.open(protocol, error);
    // Unconnected and on an ephemeral port: the sender of each answer is
    // checked by hand, so a reply from elsewhere is seen and counted.
    if (!error) socket_.bind(udp::endpoint(protocol, 0), error);
    if (error) return tl::unexpected("probe socket: " + error.message());
    return {};
  }

  void Run() {
    Receive();
    Probe();
    thread_ = std::thread([this] {
      try {
        io_.run();
      } catch (...) {
        // Handlers catch what they call; this is the last guard so nothing
        // escapes the thread.
        counters_.failures.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }

  void Stop() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
    counters_.connected.store(false, std::memory_order_relaxed);
  }

 private:
  void Probe() {
    // A timeout due at the same instant may not have run yet: settle it first.
    if (waiting_) Miss();
    amt::Nonce next = nonce_;
    while (next == nonce_) next = static_cast<amt::Nonce>(random_());
    nonce_ = next;
    ++sequence_;
    waiting_ = true;
    last_reject_.clear();
    const auto message = amt::EncodeDiscovery(nonce_);
    sent_at_ = Clock::now();
    boost::system::error_code error;
    socket_.send_to(asio::buffer(message), target_, 0, error);
    if (error) {
      counters_.failures.fetch_add(1, std::memory_order_relaxed);
      last_reject_ = "send failed: " + error.message();
    }
    timeout_timer_.expires_at(sent_at_ + config_.timeout);
    timeout_timer_.async_wait([this, sequence = sequence_](boost::system::error_code waited) {
      if (!waited && waiting_ && sequence == sequence_) Miss();
    });
    interval_timer_.expires_at(sent_at_ + config_.interval);
    interval_timer_.async_wait([this](boost::system::error_code waited) {
      if (!waited) Probe();
    });
  }

  void Receive() {
    socket_.async_receive_from(
        asio::buffer(buffer_), sender_, [this](boost::system::error_code error, std::size_t size) {
          if (error == asio::error::operation_aborted || error == asio::error::bad_descriptor) {
            return;
          }
          if (error) {
            counters_.failures.fetch_add(1, std::memory_order_relaxed);
          } else {
            OnDatagram(std::span<const std::uint8_t>(buffer_.data(), size));
          }
          Receive();
        });
  }

  void OnDatagram(std::span<const std::uint8_t> datagram) {
    const auto received = Clock::now();
    const std::string from = Text(sender_);
    if (sender_ != target_) return Reject("answer from " + from);
    auto advertisement = amt::ParseAdvertisement(datagram);
    if (!advertisement) {
      return Reject(std::string(amt::to_string(advertisement.error())) + " from " + from);
    }
    if (advertisement->nonce != nonce_) return Reject("wrong nonce from " + from);
    // The right nonce after its timeout: already counted as a miss.
    if (!waiting_) return Reject("late answer from " + from);
    waiting_ = false;
    timeout_timer_.cancel();
    misses_ = 0;
    counters_.messages.fetch_add(1, std::memory_order_relaxed);
    counters_.last_message_ns.store(
        std::chrono::duration_cast<std::chrono::nanoseconds>(received.time_since_epoch()).count(),
        std::memory_order_relaxed);
    counters_.connected.store(true, std::memory_order_relaxed);
    rtt_ = std::chrono::duration_cast<std::chrono::microseconds>(received - sent_at_);
    if (advertisement->relay == config_.relay) {
      state_ = policy::GatewayState::healthy;
      Report(received, "answered in " + std::to_string(rtt_.count()) + " us");
    } else {
      state_ = policy::GatewayState::redirecting;
      Report(received, "advertisement names " + advertisement->relay.to_string());
    }
  }

  void Reject(std::string why) {
    counters_.rejects.fetch_add(1, std::memory_order_relaxed);
    last_reject_ = std::move(why);
  }

  void Miss() {
    waiting_ = false;
    counters_.connected.store(false, std::memory_order_relaxed);
    ++misses_;
    std::string detail = "no answer in " + std::to_string(config_.timeout.count()) + " ms";
    if (!last_reject_.empty()) detail += " (last refused: " + last_reject_ + ")";
    if (misses_ >= config_.miss_threshold) {
      state_ = policy::GatewayState::unhealthy;
    } else if (state_ != policy::GatewayState::unhealthy) {
      detail +=
          "; miss " + std::to_string(misses_) + " of " + std::to_string(config_.miss_threshold);
    }
    Report(Clock::now(), std::move(detail));
  }

  void Report(Clock::time_point when, std::string detail) {
    GatewayObservation observation;
    observation.state = state_;
    observation.rtt = rtt_;
    observation.received = when;
    observation.detail = std::move(detail);
    try {
      if (sink_) sink_(observation);
    } catch (...) {
      // A throwing sink must not end the probe; count it and carry on.
      counters_.failures.fetch_add(1, std::memory_order_relaxed);
    }
  }

  static std::string Text(const udp::endpoint& endpoint) {
    const auto address = endpoint.address();
    const std::string host =
        address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    return host + ":" + std::to_string(endpoint.port());
  }

  const AmtProbeConfig& config_;
  const ObservationSink<GatewayObservation>& sink_;
  FeedCounters& counters_;
  asio::io_context io_;
  udp::socket socket_;
  udp::endpoint target_;
  udp::endpoint sender_;
  asio::steady_timer interval_timer_;
  asio::steady_timer timeout_timer_;
  // Larger than any Advertisement, so an oversized datagram shows as a bad
  // length instead of being truncated into a valid one.
  std::array<std::uint8_t, 512> buffer_{};
  std::mt19937 random_;
  amt::Nonce nonce_ = 0;
  std::uint64_t sequence_ = 0;  // tells a stale timeout from the current one
  bool waiting_ = false;
  Clock::time_point sent_at_{};
  std::chrono::microseconds rtt_{0};
  policy::GatewayState state_ = policy::GatewayState::unhealthy;
  unsigned misses_ = 0;
  std::string last_reject_;
  std::thread thread_;
};

AmtProbe::AmtProbe(AmtProbeConfig config, ObservationSink<GatewayObservation> sink)
    : config_(std::move(config)), sink_(std::move(sink)) {}

AmtProbe::~AmtProbe() {
  stop();
}

tl::expected<void, std::string> AmtProbe::start() {
  if (loop_) return tl::unexpected(std::string("already started"));
  if (auto valid = Validate(config_); !valid) return valid;
  auto loop = std::make_unique<Loop>(config_, sink_, counters_);
  if (auto opened = loop->Open(); !opened) return opened;
  loop->Run();
  loop_ = std::move(loop);
  return {};
}

void AmtProbe::stop() {
  if (!loop_) return;
  loop_->Stop();
  loop_.reset();
}

}  // namespace driad::health
