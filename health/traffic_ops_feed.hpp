// The Traffic Ops feed: a thread that polls the topology (TrafficOpsClient)
// every poll_interval and hands each accepted new Topology to a sink.
//
// Never delivered: failed fetches, 304s, a topology equal to the last one
// delivered (or to `initial`), and an empty server list after a non-empty
// one (a reject: Traffic Ops losing every relay at once is far likelier a
// fault than an intent). Failures are retried sooner than the poll interval,
// with jittered backoff capped at it.
//
// Threading: start() runs the feed thread; the sink is called on it, never
// concurrently with itself, and must not call stop(). counters() may be read
// from any thread. stop() (and the destructor) abort the request in flight
// and join: about a second at worst, whatever Traffic Ops is doing.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <tl/expected.hpp>

#include "health/backoff.hpp"
#include "health/feed.hpp"
#include "health/topology.hpp"
#include "health/traffic_ops_client.hpp"

namespace driad::health {

struct TrafficOpsFeedConfig {
  TrafficOpsSettings settings;
  std::chrono::milliseconds poll_interval{60'000};
  std::chrono::milliseconds retry_initial{1'000};  // after a failure, doubling to poll_interval
  // The topology in use before the first fetch (the disk cache, say): the
  // first delivery must differ from it, and may not empty it.
  std::optional<Topology> initial;
};

// FeedCounters as every feed keeps them: `messages` counts successful fetches
// (new, unchanged or 304), `failures` failed ones (transport, HTTP, login,
// malformed body), `rejects` refused topologies (empty after non-empty),
// `last_message_ns` the steady time of the last successful fetch.
struct TrafficOpsCounters : FeedCounters {
  std::atomic<std::uint64_t> updates{0};              // topologies delivered to the sink
  std::atomic<std::uint64_t> unchanged{0};            // successful fetches with nothing new
  std::atomic<std::int64_t> last_success_unix_ms{0};  // wall clock, for status displays
};

using TopologySink = std::function<void(const Topology&)>;

class TrafficOpsFeed {
 public:
  // Checks the settings (TrafficOpsClient::create); does not connect.
  static tl::expected<std::unique_ptr<TrafficOpsFeed>, std::string> create(
      TrafficOpsFeedConfig config, TopologySink sink);
  ~TrafficOpsFeed();
  TrafficOpsFeed(const TrafficOpsFeed&) = delete;
  TrafficOpsFeed& operator=(const TrafficOpsFeed&) = delete;

  void start();  // once; the first fetch starts at once
  void stop();   // idempotent; returns when the feed thread has ended

  const TrafficOpsCounters& counters() const { return counters_; }

 private:
  TrafficOpsFeed(TrafficOpsFeedConfig config, std::unique_ptr<TrafficOpsClient> client,
                 TopologySink sink);

  void run();
  // One fetch and what follows from it; the delay before the next.
  std::chrono::milliseconds poll_once();
  void on_failure(const std::string& error);
  void on_topology(Topology topology);

  const TrafficOpsFeedConfig config_;
  std::unique_ptr<TrafficOpsClient> client_;
  TopologySink sink_;
  Backoff backoff_;
  TrafficOpsCounters counters_;

  // Feed thread only.
  std::optional<Topology> last_delivered_;
  std::string last_error_;  // of the current failure streak
  Clock::time_point last_error_logged_{};
  std::uint64_t streak_ = 0;  // failures since the last success
  bool rejecting_ = false;    // an empty topology was refused and logged

  std::mutex mutex_;  // guards the three below
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace driad::health
