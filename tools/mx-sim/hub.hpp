// The Hub owns the simulated MX and every open subscription. One worker
// thread decides what each subscriber is sent (initial sync, on-change diffs,
// heartbeats, samples, polls) so the gRPC callbacks never block on timing.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/support/status.h>
#include <tl/expected.hpp>

#include "proto/gnmi.pb.h"
#include "tools/mx-sim/command.hpp"
#include "tools/mx-sim/model.hpp"

namespace driad::mxsim {

// The sending side of one Subscribe RPC, as the Hub sees it. Every call is
// made with the Hub's lock held and must not call back into the Hub.
class Stream {
 public:
  virtual ~Stream() = default;
  virtual void Send(std::vector<gnmi::SubscribeResponse> responses) = 0;
  // Ends the RPC with `status` once what was sent has been written.
  virtual void Close(const grpc::Status& status) = 0;
  // Responses sent but not yet written to the client.
  virtual size_t Queued() = 0;
};

// Intervals below this are raised to it so a careless client cannot make the
// simulator spin; real JunOS floors are far higher (seconds).
inline constexpr std::chrono::milliseconds kMinInterval{10};
// SAMPLE with sample_interval 0 means "the target's choice".
inline constexpr std::chrono::seconds kDefaultSampleInterval{1};

class Hub {
 public:
  Hub(SimOptions options, MxState initial);
  ~Hub();
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  const SimOptions& options() const { return options_; }

  // Validates the first request of a Subscribe RPC the way JunOS does and
  // registers the stream; the initial values follow from the worker.
  tl::expected<void, grpc::Status> Open(Stream* stream, const gnmi::SubscriptionList& list);
  // A Poll request on a POLL-mode stream.
  tl::expected<void, grpc::Status> Poll(Stream* stream);
  // Forgets the stream; after this returns the Hub never touches it again.
  void Remove(Stream* stream);

  tl::expected<gnmi::GetResponse, grpc::Status> Get(const gnmi::GetRequest& request);

  // Runs one control command; the value is an extra line of output (state).
  tl::expected<std::string, std::string> Apply(const Command& command);

  // Ends every stream with `status` (used by `drop` and at shutdown).
  void CloseAll(const grpc::Status& status);
  // Stops the worker. Streams still open stay registered until Remove.
  void Stop();

 private:
  using Clock = SteadyClock;

  // One Subscription of a stream, with its timers and what it last sent.
  struct Entry {
    gnmi::Path path;  // prefix + path
    gnmi::SubscriptionMode mode = gnmi::ON_CHANGE;
    Clock::duration sample{};
    Clock::duration heartbeat{};  // zero: none
    bool suppress_redundant = false;
    Clock::time_point next_sample{};
    Clock::time_point next_heartbeat{};
    std::map<std::string, std::string> sent;  // leaf key -> serialized value
  };
  struct Subscriber {
    gnmi::SubscriptionList::Mode mode = gnmi::SubscriptionList::STREAM;
    gnmi::Encoding encoding = gnmi::PROTO;
    bool updates_only = false;
    std::string target;
    std::vector<Entry> entries;
    bool synced = false;  // initial values and sync_response have gone out
    int pending_polls = 0;
    bool closed = false;
  };

  // A churn run (`churn RATE SECONDS`): the tunnel count flips between base
  // and base + 1, `rate` times a second, until `end`; then it is base again.
  struct ChurnLeaf {
    Leaf leaf;
    std::string serialized;  // as Entry::sent keeps it
  };
  struct ChurnRun {
    uint64_t rate = 0;
    uint32_t base = 0;
    Clock::time_point start{};
    Clock::time_point end{};
    uint64_t accounted = 0;        // flips sent, or skipped after a stall, since start
    std::vector<ChurnLeaf> extra;  // the leaves of tunnel base + 1
    ChurnLeaf low, high;           // the tunnel-count leaf at base and at base + 1
  };

  void Run();
  void StartChurn(uint64_t rate, uint64_t seconds, Clock::time_point now);
  // Sends the flips due by `now` to every synced STREAM subscriber; ends the
  // run when it is over.
  void Churn(Clock::time_point now);
  // What one flip (to base + 1 when `present`, else to base) sends to `sub`:
  // only its ON_CHANGE entries, and their `sent` tables kept up to date, so
  // later diffs and heartbeats carry on from the truth.
  void ChurnFlip(Subscriber& sub, bool present, std::vector<gnmi::SubscribeResponse>& out);
  void EndChurn(Clock::time_point now);
  // Sends everything now due to one subscriber (closing it after ONCE).
  void Service(Stream* stream, Subscriber& sub, const std::vector<Leaf>& leaves,
               Clock::time_point now, bool changed);
  Clock::time_point NextDue(Clock::time_point now) const;
  void Wake();

  const SimOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  MxState state_;
  std::map<Stream*, Subscriber> subscribers_;
  bool stalled_ = false;
  bool refusing_ = false;
  bool changed_ = false;  // state changed since the worker last looked
  std::optional<ChurnRun> churn_;
  uint64_t churned_ = 0;  // flips sent since start-up
  bool wake_ = false;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace driad::mxsim
