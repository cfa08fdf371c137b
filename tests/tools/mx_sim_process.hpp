// Test support: runs the real mx-sim binary on free loopback ports, talks to
// its control port, and collects a Subscribe stream with bounded waits.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <tl/expected.hpp>

#include "proto/gnmi.grpc.pb.h"
#include "tests/support/child_process.hpp"

namespace driad::mxsim::testing {

using namespace std::chrono_literals;

// One mx-sim child process, listening on 127.0.0.1 only, stopped (SIGTERM,
// then SIGKILL) with the object: no test leaves it behind.
class MxSimProcess {
 public:
  // Starts mx-sim with --listen/--control on 127.0.0.1:0 plus `extra_args`,
  // and waits (bounded) for it to announce its ports.
  static tl::expected<std::unique_ptr<MxSimProcess>, std::string> Start(
      const std::vector<std::string>& extra_args);

  const std::string& gnmi_address() const { return gnmi_address_; }
  int control_port() const { return control_port_; }

  // Sends one control command; the value is the output lines before `ok`,
  // the error is the text after `error: ` (or a transport problem).
  tl::expected<std::vector<std::string>, std::string> Control(const std::string& command) const;

  // SIGTERM, then waits up to `patience` for exit; the exit status, or -1.
  int Stop(std::chrono::milliseconds patience = 5s) { return process_->Stop(patience); }

 private:
  MxSimProcess() = default;
  std::unique_ptr<test_support::ChildProcess> process_;
  std::string gnmi_address_;
  int control_port_ = 0;
};

// Latest value of every leaf seen on a stream, keyed by full path string.
struct LeafTable {
  std::map<std::string, gnmi::TypedValue> values;
  std::map<std::string, int> update_counts;  // how often each path was sent
  int sync_count = 0;

  void Apply(const gnmi::SubscribeResponse& response);
  std::optional<std::string> String(const std::string& path) const;
  std::optional<uint64_t> Uint(const std::string& path) const;
  // Distinct subinterface keys under `device` (the tunnel count).
  int Subinterfaces(const std::string& device) const;
};

// A client Subscribe RPC whose responses a background thread queues, so a
// test can wait for the next one with a timeout. The whole RPC has a
// deadline, and the destructor cancels it, so nothing here can hang.
class StreamClient {
 public:
  StreamClient(gnmi::gNMI::Stub& stub, const gnmi::SubscribeRequest& first,
               const std::map<std::string, std::string>& metadata = {},
               std::chrono::seconds deadline = 60s);
  ~StreamClient();

  // The next response, or nullopt after `timeout` or when the RPC ended.
  std::optional<gnmi::SubscribeResponse> Next(std::chrono::milliseconds timeout);
  // Waits for the RPC to end; its status, or nullopt on timeout.
  std::optional<grpc::Status> WaitEnd(std::chrono::milliseconds timeout);
  bool Write(const gnmi::SubscribeRequest& request);

  // Reads, applying every response to `table`, until `done(table)` or timeout.
  template <typename Pred>
  bool ReadUntil(LeafTable& table, Pred done, std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (!done(table)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      if (left <= 0ms) return false;
      auto response = Next(left);
      if (!response) return done(table);
      table.Apply(*response);
    }
    return true;
  }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<gnmi::SubscribeRequest, gnmi::SubscribeResponse>>
      stream_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<gnmi::SubscribeResponse> queue_;
  std::optional<grpc::Status> status_;
  std::thread reader_;
};

// Paths of mx-sim with its default names.
inline constexpr const char* kLo0Status = "/interfaces/interface[name=lo0]/state/oper-status";
inline constexpr const char* kAnycastIp =
    "/interfaces/interface[name=lo0]/subinterfaces/subinterface[index=0]/ipv4/addresses/"
    "address[ip=192.0.2.1]/state/ip";
inline constexpr const char* kUdStatus = "/interfaces/interface[name=ud-0/0/0]/state/oper-status";
inline constexpr const char* kUdOctets =
    "/interfaces/interface[name=ud-0/0/0]/state/counters/out-octets";
inline constexpr const char* kUdSubinterfaces =
    "/interfaces/interface[name=ud-0/0/0]/subinterfaces";
inline constexpr const char* kTunnelCount = "/amt/relay/state/tunnel-count";
inline constexpr const char* kCpuIdle =
    "/components/component[name=Routing Engine0]/properties/"
    "property[name=cpu-utilization-idle]/state/value";

// A Subscription for `path` (a path string) with the given mode and
// intervals in milliseconds.
gnmi::Subscription MakeSubscription(const std::string& path, gnmi::SubscriptionMode mode,
                                    int64_t sample_ms = 0, int64_t heartbeat_ms = 0);

// The default driad subscription: every path above, ON_CHANGE with the given
// heartbeat for the state leaves, SAMPLE for the counter and the CPU.
gnmi::SubscribeRequest DefaultSubscribe(int64_t heartbeat_ms = 0, int64_t sample_ms = 200);

std::unique_ptr<gnmi::gNMI::Stub> Connect(
    const std::string& address,
    std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials(),
    const grpc::ChannelArguments& arguments = {});

}  // namespace driad::mxsim::testing
