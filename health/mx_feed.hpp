// The MX feed: a gNMI client that subscribes to one MX's relay leaves and
// reports an MxObservation for every message (changes and heartbeats alike,
// so the receiver's staleness clock is fed), and unhealthy on stream loss.
//
// Threading: start() runs one feed thread (plus, in POLL mode, a poll timer
// thread per stream). The sink is called on the feed thread, never
// concurrently with itself; it must not block for long and must not call
// stop(). counters() may be read from any thread. stop() (and the
// destructor) cancel the RPC in flight and join: bounded by gRPC's cancel,
// not by any timeout of the MX.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <tl/expected.hpp>

#include "health/backoff.hpp"
#include "health/feed.hpp"
#include "health/mx_feed_config.hpp"
#include "health/mx_leaves.hpp"
#include "proto/gnmi.grpc.pb.h"

namespace driad::health {

class MxFeed {
 public:
  // Validates the config (paths, TLS files) and builds the channel; does not
  // connect. Errors name the setting at fault.
  static tl::expected<std::unique_ptr<MxFeed>, std::string> create(
      MxFeedConfig config, ObservationSink<MxObservation> sink);
  ~MxFeed();
  MxFeed(const MxFeed&) = delete;
  MxFeed& operator=(const MxFeed&) = delete;

  void start();  // once
  void stop();   // idempotent; returns when the feed thread has ended

  const FeedCounters& counters() const { return counters_; }
  // True once STREAM was refused (UNIMPLEMENTED / INVALID_ARGUMENT) and the
  // feed polls instead, for the rest of its life.
  bool polling() const { return polling_.load(); }

 private:
  MxFeed(MxFeedConfig config, MxWatchedPaths paths, std::shared_ptr<grpc::Channel> channel,
         ObservationSink<MxObservation> sink);

  struct Outcome {
    grpc::Status status;
    std::string stage;  // "Capabilities" or "Subscribe"
    bool got_message = false;
  };

  void run();
  Outcome connect_once();
  // Before a retry: has the channel start connecting again at once.
  void reconnect_now();
  Outcome subscribe(gnmi::Encoding encoding);
  void poll_loop(grpc::ClientReaderWriter<gnmi::SubscribeRequest, gnmi::SubscribeResponse>& stream,
                 const bool& done);
  gnmi::SubscribeRequest subscribe_request(gnmi::Encoding encoding) const;
  void prepare(grpc::ClientContext& context) const;
  // Makes `context` the one stop() cancels; false when stopping already.
  bool track(grpc::ClientContext* context);
  // Reports to the sink; `leaves_valid` says the tunnel count and rate are
  // current (not after a stream loss).
  void emit(policy::MxState state, std::string detail, Clock::time_point received,
            bool leaves_valid);
  void on_response(const gnmi::SubscribeResponse& response, Outcome& outcome, bool& synced,
                   bool& round_open);

  const MxFeedConfig config_;
  MxLeaves leaves_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<gnmi::gNMI::Stub> stub_;
  ObservationSink<MxObservation> sink_;
  Backoff backoff_;
  FeedCounters counters_;
  std::atomic<bool> polling_{false};
  policy::MxState last_state_ = policy::MxState::unknown;  // feed thread only
  // Values the feed could not decode, logged at most once a second (a
  // garbage-sending MX must not flood the log). Feed thread only.
  std::uint64_t rejects_unlogged_ = 0;
  Clock::time_point rejects_logged_at_{};

  std::mutex mutex_;  // guards the three below
  std::condition_variable wake_;
  bool stopping_ = false;
  grpc::ClientContext* active_ = nullptr;
  std::thread thread_;
};

}  // namespace driad::health
