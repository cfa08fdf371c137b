// The gateway probe (health/amt_probe.hpp) against the real amt-responder
// binary on 127.0.0.1, in every answer mode, switched over its control port.
#include "health/amt_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace driad::health {
namespace {

using namespace std::chrono_literals;
using boost::asio::ip::make_address;
using policy::GatewayState;

int PortAfter(const std::string& line, const std::string& marker) {
  const auto at = line.find(marker);
  if (at == std::string::npos) return 0;
  std::string rest = line.substr(at + marker.size());
  rest = rest.substr(0, rest.find(' '));
  return std::stoi(rest.substr(rest.rfind(':') + 1));
}

// One amt-responder child on 127.0.0.1 free ports; stopped by the destructor.
class Responder {
 public:
  explicit Responder(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {AMT_RESPONDER_PATH, "--listen", "127.0.0.1:0", "--control",
                                     "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto child = test_support::ChildProcess::Start(
        std::move(args), [](const std::string& line) { return line == "amt-responder: ready"; },
        10s);
    if (!child) {
      ADD_FAILURE() << child.error();
      return;
    }
    process_ = std::move(*child);
    for (const auto& line : process_->lines()) {
      if (int port = PortAfter(line, "udp listening on "); port != 0) udp_port_ = port;
      if (int port = PortAfter(line, "control listening on "); port != 0) control_port_ = port;
    }
  }
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;

  bool ready() const { return process_ != nullptr && udp_port_ != 0 && control_port_ != 0; }
  std::uint16_t udp_port() const { return static_cast<std::uint16_t>(udp_port_); }

  // One control command; the reply lines up to and including `ok` or `error: ...`.
  std::string Control(const std::string& command) const {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(control_port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string reply;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
      const std::string line = command + "\n";
      if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size())) {
        const auto until = Clock::now() + 5s;
        while (auto got = test_support::ReadLine(fd, until)) {
          reply += *got + "\n";
          if (*got == "ok" || got->rfind("error: ", 0) == 0) break;
        }
      }
    }
    ::close(fd);
    return reply;
  }

 private:
  std::unique_ptr<test_support::ChildProcess> process_;
  int udp_port_ = 0;
  int control_port_ = 0;
};

// Collects observations from the probe thread; waits are bounded.
class Recorder {
 public:
  ObservationSink<GatewayObservation> Sink() {
    return [this](const GatewayObservation& observation) {
      std::lock_guard lock(mutex_);
      seen_.push_back(observation);
      cv_.notify_all();
    };
  }
  // Waits for an observation after index `from` that matches; its index.
  template <typename Pred>
  std::optional<std::size_t> WaitFor(Pred match, std::size_t from = 0,
                                     std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex_);
    std::optional<std::size_t> found;
    cv_.wait_for(lock, timeout, [&] {
      for (std::size_t i = from; i < seen_.size(); ++i) {
        if (match(seen_[i])) {
          found = i;
          return true;
        }
      }
      return false;
    });
    return found;
  }
  std::optional<std::size_t> WaitState(GatewayState state, std::size_t from = 0) {
    return WaitFor([state](const GatewayObservation& o) { return o.state == state; }, from);
  }
  std::vector<GatewayObservation> All() {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  std::size_t Size() {
    std::lock_guard lock(mutex_);
    return seen_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<GatewayObservation> seen_;
};

AmtProbeConfig Loopback(std::uint16_t port) {
  AmtProbeConfig config;
  config.relay = make_address("127.0.0.1");
  config.port = port;
  config.interval = 150ms;
  config.timeout = 100ms;
  return config;
}

TEST(AmtProbe, HealthyRelayWithPositiveRtt) {
  Responder responder({});
  ASSERT_TRUE(responder.ready());
  Recorder recorder;
  AmtProbe probe(Loopback(responder.udp_port()), recorder.Sink());
  ASSERT_TRUE(probe.start().has_value());
  const auto at = recorder.WaitState(GatewayState::healthy);
  ASSERT_TRUE(at.has_value());
  const auto observation = recorder.All()[*at];
  EXPECT_GT(observation.rtt.count(), 0);
  EXPECT_LT(observation.rtt, 100ms);
  EXPECT_LE(observation.received, Clock::now());
  EXPECT_EQ(observation.detail.rfind("answered in ", 0), 0U) << observation.detail;
  EXPECT_TRUE(probe.counters().connected.load());
  EXPECT_GE(probe.counters().messages.load(), 1U);
  EXPECT_GT(probe.counters().last_message_ns.load(), 0);
  EXPECT_EQ(probe.counters().rejects.load(), 0U);
  EXPECT_NE(responder.Control("stats").find("discoveries "), std::string::npos);
}

TEST(AmtProbe, SilentFromStartIsUnhealthyAtFirstMiss) {
  Responder responder({"--mode", "silent"});
  ASSERT_TRUE(responder.ready());
  Recorder recorder;
  AmtProbe probe(Loopback(responder.udp_port()), recorder.Sink());
  ASSERT_TRUE(probe.start().has_value());
  ASSERT_TRUE(recorder.WaitFor([](const GatewayObservation&) { return true; }).has_value());
  const auto first = recorder.All().front();
  EXPECT_EQ(first.state, GatewayState::unhealthy);
  EXPECT_EQ(first.detail, "no answer in 100 ms");
  EXPECT_FALSE(probe.counters().connected.load());
}

TEST(AmtProbe, GoingSilentIsUnhealthyAfterMissThreshold) {
  Responder responder({});
  ASSERT_TRUE(responder.ready());
  Recorder recorder;
  AmtProbe probe(Loopback(responder.udp_port()), recorder.Sink());
  ASSERT_TRUE(probe.start().has_value());
  ASSERT_TRUE(recorder.WaitState(GatewayState::healthy).has_value());
  ASSERT_EQ(responder.Control("mode silent"), "ok\n");
  const auto down = recorder.WaitState(GatewayState::unhealthy);
  ASSERT_TRUE(down.has_value());
  const auto all = recorder.All();
  // Exactly one miss (threshold 2) is reported as still healthy, with the
  // miss named, before the unhealthy one.
  ASSERT_GE(*down, 1U);
  EXPECT_EQ(all[*down - 1].state, GatewayState::healthy);
  EXPECT_EQ(all[*down - 1].detail, "no answer in 100 ms; miss 1 of 2");
  EXPECT_EQ(all[*down].detail, "no answer in 100 ms");
  EXPECT_GT(all[*down].rtt.count(), 0);  // the rtt of the last answer stays
}

TEST(AmtProbe, WrongNonceIsUnhealthyAndCounted) {
  Responder responder({"--mode", "wrong-nonce"});
  ASSERT_TRUE(responder.ready());
  Recorder recorder;
  AmtProbe probe(Loopback(responder.udp_port()), recorder.Sink());
  ASSERT_TRUE(probe.start().has_value());
  const auto at = recorder.WaitState(GatewayState::unhealthy);
  ASSERT_TRUE(at.has_value());
  EXPECT_NE(recorder.All()[*at].detail.find("wrong nonce from 127.0.0.1:"), std::string::npos)
      << recorder.All()[*at].detail;
  EXPECT_GE(probe.counters().rejects.load(), 1U);
  EXPECT_EQ(probe.counters().messages.load(), 0U);
}

TEST(AmtProbe, RedirectIsRedirecting) {
  Responder responder({"--mode", "redirect:127.0.0.2"});
  ASSERT_TRUE(responder.ready());
  Recorder recorder;
  AmtProbe probe(Loopback(responder.udp_port()), recorder.Sink());
  ASSERT_TRUE(probe.start().has_value());
  const auto at = recorder.WaitState(GatewayState::redirecting);
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(recorder.All()[*at].detail, "advertisement names 127.0.0.2");
  EXPECT_GT(recorder.All()[*at].rtt.count(), 0);
}

TEST(AmtProbe, FollowsModeChangesAtRunTime) {
  Responder responder({});
  ASSERT_TRUE(responder.ready());
  Recorder recorder;
  AmtProbe probe(Loopback(responder.udp_port()), recorder.Sink());
  ASSERT_TRUE(probe.start().has_value());
  auto at = recorder.WaitState(GatewayState::healthy);
  ASSERT_TRUE(at.has_value());
  ASSERT_EQ(responder.Control("mode redirect 127.0.0.3"), "ok\n");
  at = recorder.WaitState(GatewayState::redirecting, *at);
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(recorder.All()[*at].detail, "advertisement names 127.0.0.3");
  ASSERT_EQ(responder.Control("mode wrong-nonce"), "ok\n");
  at = recorder.WaitState(GatewayState::unhealthy, *at);
  ASSERT_TRUE(at.has_value());
  EXPECT_GE(probe.counters().rejects.load(), 1U);
  ASSERT_EQ(responder.Control("mode ok"), "ok\n");
  at = recorder.WaitState(GatewayState::healthy, *at);
  ASSERT_TRUE(at.has_value());
  EXPECT_TRUE(probe.counters().connected.load());
  EXPECT_EQ(responder.Control("mode bogus").rfind("error: ", 0), 0U);
}

// An answer with the right nonce from another port than the one probed is
// refused: a gateway accepts an Advertisement only from the address it probed.
TEST(AmtProbe, AnswerFromElsewhereIsRefused) {
  const auto open = [] {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  };
  const int relay = open();
  const int elsewhere = open();
  ASSERT_GE(relay, 0);
  ASSERT_GE(elsewhere, 0);
  sockaddr_in bound{};
  socklen_t length = sizeof bound;
  ::getsockname(relay, reinterpret_cast<sockaddr*>(&bound), &length);
  Recorder recorder;
  AmtProbe probe(Loopback(ntohs(bound.sin_port)), recorder.Sink());
  ASSERT_TRUE(probe.start().has_value());
  // Answer the first few Discoveries from the other socket.
  for (int answered = 0; answered < 3;) {
    pollfd waiting{relay, POLLIN, 0};
    ASSERT_EQ(::poll(&waiting, 1, 3000), 1);
    std::uint8_t buffer[64];
    sockaddr_in from{};
    socklen_t from_length = sizeof from;
    const ssize_t got = ::recvfrom(relay, buffer, sizeof buffer, 0,
                                   reinterpret_cast<sockaddr*>(&from), &from_length);
    ASSERT_EQ(got, 8);
    auto nonce = amt::ParseDiscovery(std::span<const std::uint8_t>(buffer, 8));
    ASSERT_TRUE(nonce.has_value());
    const auto answer = amt::EncodeAdvertisement(*nonce, make_address("127.0.0.1"));
    ::sendto(elsewhere, answer.data(), answer.size(), 0, reinterpret_cast<sockaddr*>(&from),
             from_length);
    ++answered;
  }
  const auto at = recorder.WaitState(GatewayState::unhealthy);
  ASSERT_TRUE(at.has_value());
  EXPECT_NE(recorder.All()[*at].detail.find("answer from 127.0.0.1:"), std::string::npos)
      << recorder.All()[*at].detail;
  EXPECT_GE(probe.counters().rejects.load(), 1U);
  EXPECT_EQ(probe.counters().messages.load(), 0U);
  probe.stop();
  ::close(relay);
  ::close(elsewhere);
}

TEST(AmtProbe, RefusesBadConfig) {
  AmtProbeConfig config = Loopback(2268);
  EXPECT_TRUE(Validate(config).has_value());
  config.relay = boost::asio::ip::address();
  EXPECT_EQ(Validate(config).error().rfind("relay:", 0), 0U);
  config = Loopback(2268);
  config.timeout = 200ms;
  EXPECT_EQ(Validate(config).error().rfind("timeout:", 0), 0U);
  config = Loopback(2268);
  config.miss_threshold = 0;
  EXPECT_EQ(Validate(config).error().rfind("miss_threshold:", 0), 0U);
  config = Loopback(0);
  EXPECT_FALSE(Validate(config).has_value());
  AmtProbe probe(config, {});
  EXPECT_FALSE(probe.start().has_value());

  const AmtProbeConfig defaults;
  EXPECT_EQ(defaults.port, 2268);
  EXPECT_EQ(defaults.interval, 1s);
  EXPECT_EQ(defaults.timeout, 500ms);
  EXPECT_EQ(defaults.miss_threshold, 2U);
}

TEST(AmtProbe, StopIsPromptAndRestartable) {
  Responder responder({});
  ASSERT_TRUE(responder.ready());
  Recorder recorder;
  AmtProbeConfig config = Loopback(responder.udp_port());
  config.interval = 10s;  // stop() must not wait for the next tick
  config.timeout = 5s;
  AmtProbe probe(config, recorder.Sink());
  ASSERT_TRUE(probe.start().has_value());
  EXPECT_FALSE(probe.start().has_value());  // already running
  ASSERT_TRUE(recorder.WaitState(GatewayState::healthy).has_value());
  const auto before = Clock::now();
  probe.stop();
  EXPECT_LT(Clock::now() - before, 500ms);
  EXPECT_FALSE(probe.counters().connected.load());
  const auto seen = recorder.Size();
  ASSERT_TRUE(probe.start().has_value());
  EXPECT_TRUE(recorder.WaitState(GatewayState::healthy, seen).has_value());
}

}  // namespace
}  // namespace driad::health
