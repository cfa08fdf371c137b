// Implements MxFeed (mx_feed.hpp): Capabilities, then one Subscribe per
// connection, reconnecting with jittered backoff until stop().
#include "health/mx_feed.hpp"

#include <algorithm>
#include <utility>

#include <grpcpp/channel.h>
#include <spdlog/spdlog.h>

#include "health/gnmi_channel.hpp"
#include "health/gnmi_path.hpp"

namespace driad::health {
namespace {

// How often, at most, a feed logs the values it rejected.
constexpr auto kRejectLogInterval = std::chrono::seconds(1);

// How long a retry waits for the channel to leave TRANSIENT_FAILURE (stop()
// cannot cut this short).
constexpr auto kReconnectWait = std::chrono::milliseconds(500);

gnmi::Subscription watch(const gnmi::Path& path, gnmi::SubscriptionMode mode,
                         std::chrono::milliseconds sample, std::chrono::milliseconds heartbeat) {
  gnmi::Subscription subscription;
  *subscription.mutable_path() = path;
  subscription.set_mode(mode);
  subscription.set_sample_interval(static_cast<std::uint64_t>(sample.count()) * 1'000'000U);
  subscription.set_heartbeat_interval(static_cast<std::uint64_t>(heartbeat.count()) * 1'000'000U);
  return subscription;
}

// Under TLS 1.3 the client's half of the handshake is done before the MX
// checks the client certificate, so an MX that rejects it only closes the
// connection and gRPC reports "Socket closed". Say what that most likely means.
std::string with_tls_hint(std::string detail, const MxFeedConfig& config, const std::string& stage,
                          const grpc::Status& status) {
  if (config.tls && !config.tls->cert_file.empty() && stage == "Capabilities" &&
      status.error_code() == grpc::StatusCode::UNAVAILABLE &&
      status.error_message().find("Socket closed") != std::string::npos) {
    detail +=
        " (the MX closed the connection during the TLS handshake: does it trust our client "
        "certificate (tls cert), and does it serve TLS?)";
  }
  return detail;
}

}  // namespace

tl::expected<std::unique_ptr<MxFeed>, std::string> MxFeed::create(
    MxFeedConfig config, ObservationSink<MxObservation> sink) {
  if (config.target.empty()) return tl::unexpected(std::string("mx feed: no target"));
  auto paths = resolve_paths(config);
  if (!paths) return tl::unexpected("mx feed " + config.name + ": " + paths.error());
  auto channel = make_gnmi_channel(config);
  if (!channel) return tl::unexpected("mx feed " + config.name + ": " + channel.error());
  return std::unique_ptr<MxFeed>(
      new MxFeed(std::move(config), std::move(*paths), std::move(*channel), std::move(sink)));
}

MxFeed::MxFeed(MxFeedConfig config, MxWatchedPaths paths, std::shared_ptr<grpc::Channel> channel,
               ObservationSink<MxObservation> sink)
    : config_(std::move(config)),
      leaves_(std::move(paths)),
      channel_(std::move(channel)),
      stub_(gnmi::gNMI::NewStub(channel_)),
      sink_(std::move(sink)),
      backoff_(config_.backoff_initial, config_.backoff_max) {}

MxFeed::~MxFeed() {
  stop();
}

void MxFeed::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] {
    // Nothing may escape the thread: log and end the feed (the receiver then
    // sees it stale) rather than terminate the daemon.
    try {
      run();
    } catch (const std::exception& error) {
      spdlog::error("mx feed {}: feed thread ended: {}", config_.name, error.what());
    }
    counters_.connected = false;
  });
}

void MxFeed::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (active_ != nullptr) active_->TryCancel();
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

bool MxFeed::track(grpc::ClientContext* context) {
  std::lock_guard lock(mutex_);
  if (stopping_ && context != nullptr) return false;
  active_ = context;
  return true;
}

void MxFeed::prepare(grpc::ClientContext& context) const {
  // JunOS's JGrpcServer fails RPCs without both, even under mTLS.
  context.AddMetadata("username", config_.credentials.username);
  context.AddMetadata("password", config_.credentials.password);
}

void MxFeed::run() {
  while (true) {
    const Outcome outcome = connect_once();
    track(nullptr);
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    counters_.connected = false;
    ++counters_.failures;
    const std::string detail = with_tls_hint(outcome.stage + ": " + describe(outcome.status),
                                             config_, outcome.stage, outcome.status);
    const auto code = outcome.status.error_code();
    if (!polling_ && outcome.stage == "Subscribe" && !outcome.got_message &&
        (code == grpc::StatusCode::UNIMPLEMENTED || code == grpc::StatusCode::INVALID_ARGUMENT)) {
      polling_ = true;
      spdlog::warn("mx feed {}: STREAM refused ({}); falling back to POLL every {} ms",
                   config_.name, detail, heartbeat_interval(config_).count());
    }
    const auto delay = backoff_.next();
    spdlog::warn("mx feed {}: {} {}; retrying in {} ms", config_.name, config_.target, detail,
                 delay.count());
    emit(policy::MxState::unhealthy, "gNMI " + detail, Clock::now(), false);
    {
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, delay, [this] { return stopping_; })) break;
    }
    reconnect_now();
  }
}

void MxFeed::reconnect_now() {
  // A failed channel sits in TRANSIENT_FAILURE under gRPC's own reconnect
  // timer, and its attempts complete only when something polls the channel
  // (gRPC's backup poller: every 5 s); a call made meanwhile fails at once
  // with the old error. Our backoff has passed: start an attempt now and
  // poll until it is under way (bounded), so that the next call waits on it.
  grpc::experimental::ChannelResetConnectionBackoff(channel_.get());
  const grpc_connectivity_state state = channel_->GetState(/*try_to_connect=*/true);
  if (state == GRPC_CHANNEL_TRANSIENT_FAILURE) {
    channel_->WaitForStateChange(state, std::chrono::system_clock::now() + kReconnectWait);
  }
}

MxFeed::Outcome MxFeed::connect_once() {
  grpc::ClientContext context;
  prepare(context);
  context.set_deadline(std::chrono::system_clock::now() + config_.rpc_timeout);
  if (!track(&context)) return {grpc::Status::CANCELLED, "Capabilities"};
  gnmi::CapabilityResponse capabilities;
  const grpc::Status status = stub_->Capabilities(&context, {}, &capabilities);
  track(nullptr);
  if (!status.ok()) return {status, "Capabilities"};
  // PROTO is what JunOS streams best; JSON is the fallback it also serves.
  const auto& offered = capabilities.supported_encodings();
  const auto offers = [&offered](gnmi::Encoding encoding) {
    return std::find(offered.begin(), offered.end(), encoding) != offered.end();
  };
  const gnmi::Encoding encoding =
      offered.empty() || offers(gnmi::PROTO) || !offers(gnmi::JSON) ? gnmi::PROTO : gnmi::JSON;
  spdlog::info("mx feed {}: {} speaks gNMI {}; subscribing ({}, {})", config_.name, config_.target,
               capabilities.gnmi_version(), gnmi::Encoding_Name(encoding),
               polling_ ? "POLL" : "STREAM");
  return subscribe(encoding);
}

gnmi::SubscribeRequest MxFeed::subscribe_request(gnmi::Encoding encoding) const {
  gnmi::SubscribeRequest request;
  auto& list = *request.mutable_subscribe();
  // Never qos: JunOS answers UNIMPLEMENTED "Qos not supported".
  list.set_mode(polling_ ? gnmi::SubscriptionList::POLL : gnmi::SubscriptionList::STREAM);
  list.set_encoding(encoding);
  const auto heartbeat = heartbeat_interval(config_);
  const MxWatchedPaths& paths = leaves_.paths();
  *list.add_subscription() = watch(paths.relay_status, gnmi::ON_CHANGE, {}, heartbeat);
  *list.add_subscription() = watch(paths.anycast, gnmi::ON_CHANGE, {}, heartbeat);
  *list.add_subscription() = watch(paths.ud_status, gnmi::ON_CHANGE, {}, heartbeat);
  // A heartbeat on the subinterface tree would re-send every tunnel's leaves.
  const auto tunnel_heartbeat = paths.tunnels_is_leaf ? heartbeat : std::chrono::milliseconds{};
  *list.add_subscription() = watch(paths.tunnels, gnmi::ON_CHANGE, {}, tunnel_heartbeat);
  *list.add_subscription() = watch(paths.out_octets, gnmi::SAMPLE, config_.sample_interval, {});
  return request;
}

MxFeed::Outcome MxFeed::subscribe(gnmi::Encoding encoding) {
  Outcome outcome{grpc::Status::OK, "Subscribe"};
  grpc::ClientContext context;
  prepare(context);
  if (!track(&context)) return {grpc::Status::CANCELLED, "Subscribe"};
  leaves_.reset();
  auto stream = stub_->Subscribe(&context);
  bool synced = false;
  bool round_open = false;
  bool done = false;  // guarded by mutex_: tells the poll timer the stream ended
  std::thread poller;
  if (stream->Write(subscribe_request(encoding))) {
    if (polling_) poller = std::thread([this, &stream, &done] { poll_loop(*stream, done); });
    gnmi::SubscribeResponse response;
    while (stream->Read(&response)) on_response(response, outcome, synced, round_open);
  }
  {
    std::lock_guard lock(mutex_);
    done = true;
  }
  wake_.notify_all();
  if (poller.joinable()) poller.join();
  outcome.status = stream->Finish();
  // Before `context` goes: stop() must never cancel a destroyed context.
  track(nullptr);
  if (outcome.status.ok()) outcome.status = grpc::Status(grpc::StatusCode::OK, "stream ended");
  return outcome;
}

void MxFeed::poll_loop(
    grpc::ClientReaderWriter<gnmi::SubscribeRequest, gnmi::SubscribeResponse>& stream,
    const bool& done) {
  gnmi::SubscribeRequest poll;
  poll.mutable_poll();
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, heartbeat_interval(config_), [&] { return stopping_ || done; })) {
    lock.unlock();
    // gRPC allows one Write concurrent with the feed thread's Read.
    const bool written = stream.Write(poll);
    lock.lock();
    if (!written) return;
  }
}

void MxFeed::on_response(const gnmi::SubscribeResponse& response, Outcome& outcome, bool& synced,
                         bool& round_open) {
  const auto received = Clock::now();
  ++counters_.messages;
  counters_.last_message_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(received.time_since_epoch()).count();
  if (!outcome.got_message) {
    // Envoy's rule: a stream that delivered counts as good, so the next
    // failure starts again from the shortest delay.
    outcome.got_message = true;
    counters_.connected = true;
    backoff_.reset();
    emit(policy::MxState::unknown, "stream up, waiting for sync_response", received, false);
  }
  // Extensions (JunOS's registered_ext id 1 header) carry nothing we read.
  if (response.has_update()) {
    // POLL rounds re-send everything and never delete: start each afresh.
    if (polling_ && !round_open) leaves_.reset(/*keep_rate=*/true);
    round_open = true;
    const int rejected = leaves_.apply(response.update(), received);
    counters_.rejects += static_cast<std::uint64_t>(rejected);
    rejects_unlogged_ += static_cast<std::uint64_t>(rejected);
  }
  // Checked on every message, so rejects held back by the interval are
  // logged with the next heartbeat at the latest.
  if (rejects_unlogged_ > 0 && received - rejects_logged_at_ >= kRejectLogInterval) {
    spdlog::warn("mx feed {}: rejected {} value(s) it could not decode ({} in all)", config_.name,
                 rejects_unlogged_, counters_.rejects.load());
    rejects_unlogged_ = 0;
    rejects_logged_at_ = received;
  }
  if (response.sync_response()) {
    synced = true;
    round_open = false;
  }
  if (polling_ ? response.sync_response() : synced) {
    MxVerdict verdict = leaves_.verdict();
    emit(verdict.state, std::move(verdict.detail), received, true);
  }
}

void MxFeed::emit(policy::MxState state, std::string detail, Clock::time_point received,
                  bool leaves_valid) {
  MxObservation observation;
  observation.reported = state;
  if (const auto tunnels = leaves_.tunnels(); leaves_valid && tunnels) {
    observation.tunnels = *tunnels;
    observation.tunnels_known = true;
  }
  observation.out_octets_rate_bps = leaves_valid ? leaves_.out_octets_rate_bps() : 0;
  observation.received = received;
  observation.detail = std::move(detail);
  if (state != last_state_) {
    spdlog::info("mx feed {}: {} -> {} ({})", config_.name, policy::to_string(last_state_),
                 policy::to_string(state), observation.detail);
    last_state_ = state;
  }
  try {
    sink_(observation);
  } catch (const std::exception& error) {
    spdlog::error("mx feed {}: observation sink threw: {}", config_.name, error.what());
  }
}

}  // namespace driad::health
