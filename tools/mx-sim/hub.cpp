// Implements the Hub (hub.hpp): subscription validation, the per-subscriber
// send decisions and the control commands that change the simulated MX.
#include "tools/mx-sim/hub.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "tools/mx-sim/path.hpp"

namespace driad::mxsim {
namespace {

using namespace std::chrono_literals;

grpc::Status Error(grpc::StatusCode code, const std::string& message) {
  return grpc::Status(code, message);
}

std::chrono::nanoseconds Interval(uint64_t nanos, std::chrono::nanoseconds if_zero) {
  if (nanos == 0) return if_zero;
  // Anything above a day is as good as "never" for a simulator, and keeps the
  // time_point arithmetic far from overflow.
  const auto capped = std::chrono::nanoseconds(
      static_cast<int64_t>(std::min<uint64_t>(nanos, uint64_t{86'400'000'000'000})));
  return std::max<std::chrono::nanoseconds>(capped, kMinInterval);
}

void AddHeader(const SimOptions& options,
               google::protobuf::RepeatedPtrField<gnmi_ext::Extension>* extensions) {
  // JunOS tags responses with a registered extension of id 1 (its header).
  if (options.juniper_header) {
    extensions->Add()->mutable_registered_ext()->set_id(static_cast<gnmi_ext::ExtensionID>(1));
  }
}

tl::expected<void, grpc::Status> CheckEncoding(gnmi::Encoding encoding) {
  if (encoding == gnmi::PROTO || encoding == gnmi::JSON) return {};
  return tl::unexpected(
      Error(grpc::StatusCode::UNIMPLEMENTED,
            "encoding " + gnmi::Encoding_Name(encoding) + " not supported; use PROTO or JSON"));
}

tl::expected<void, grpc::Status> CheckPath(const gnmi::Path& path) {
  // Reading the deprecated field is the point here: refuse pre-0.4 paths.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  const bool old_style = path.element_size() > 0;
#pragma GCC diagnostic pop
  if (!old_style) return {};
  return tl::unexpected(Error(grpc::StatusCode::INVALID_ARGUMENT,
                              "deprecated Path.element is not supported; use Path.elem"));
}

}  // namespace

Hub::Hub(SimOptions options, MxState initial)
    : options_(std::move(options)), state_(initial), worker_([this] { Run(); }) {}

Hub::~Hub() {
  Stop();
}

void Hub::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void Hub::Wake() {
  wake_ = true;
  cv_.notify_all();
}

tl::expected<void, grpc::Status> Hub::Open(Stream* stream, const gnmi::SubscriptionList& list) {
  std::lock_guard lock(mutex_);
  if (refusing_) {
    return tl::unexpected(
        Error(grpc::StatusCode::UNAVAILABLE, "subscriptions refused (mx-sim: refuse on)"));
  }
  if (list.has_qos())
    return tl::unexpected(Error(grpc::StatusCode::UNIMPLEMENTED, "Qos not supported"));
  if (auto ok = CheckEncoding(list.encoding()); !ok) return ok;
  if (auto ok = CheckPath(list.prefix()); !ok) return ok;
  if (!gnmi::SubscriptionList::Mode_IsValid(list.mode())) {
    return tl::unexpected(Error(grpc::StatusCode::INVALID_ARGUMENT, "unknown subscription mode"));
  }
  if (list.subscription_size() == 0) {
    return tl::unexpected(
        Error(grpc::StatusCode::INVALID_ARGUMENT, "the SubscriptionList has no subscription"));
  }

  Subscriber sub;
  sub.mode = list.mode();
  sub.encoding = list.encoding();
  sub.updates_only = list.updates_only();
  sub.target = list.prefix().target();
  for (const auto& subscription : list.subscription()) {
    if (auto ok = CheckPath(subscription.path()); !ok) return ok;
    Entry entry;
    entry.path = JoinPath(list.prefix(), subscription.path());
    switch (subscription.mode()) {
      case gnmi::TARGET_DEFINED:  // our choice: every leaf here is event-like
      case gnmi::ON_CHANGE:
        entry.mode = gnmi::ON_CHANGE;
        break;
      case gnmi::SAMPLE:
        entry.mode = gnmi::SAMPLE;
        break;
      default:
        return tl::unexpected(Error(grpc::StatusCode::INVALID_ARGUMENT,
                                    "unknown mode in subscription for " + PathString(entry.path)));
    }
    entry.sample = Interval(subscription.sample_interval(), kDefaultSampleInterval);
    entry.heartbeat = Interval(subscription.heartbeat_interval(), 0ns);
    entry.suppress_redundant = subscription.suppress_redundant();
    sub.entries.push_back(std::move(entry));
  }
  subscribers_[stream] = std::move(sub);
  Wake();
  return {};
}

tl::expected<void, grpc::Status> Hub::Poll(Stream* stream) {
  std::lock_guard lock(mutex_);
  const auto it = subscribers_.find(stream);
  if (it == subscribers_.end() || it->second.closed) {
    return tl::unexpected(Error(grpc::StatusCode::FAILED_PRECONDITION, "no open subscription"));
  }
  if (it->second.mode != gnmi::SubscriptionList::POLL) {
    return tl::unexpected(
        Error(grpc::StatusCode::INVALID_ARGUMENT, "Poll on a subscription that is not POLL"));
  }
  ++it->second.pending_polls;
  Wake();
  return {};
}

void Hub::Remove(Stream* stream) {
  std::lock_guard lock(mutex_);
  subscribers_.erase(stream);
}

tl::expected<gnmi::GetResponse, grpc::Status> Hub::Get(const gnmi::GetRequest& request) {
  if (auto ok = CheckEncoding(request.encoding()); !ok) return tl::unexpected(ok.error());
  if (auto ok = CheckPath(request.prefix()); !ok) return tl::unexpected(ok.error());
  std::vector<Leaf> leaves;
  {
    std::lock_guard lock(mutex_);
    leaves = Leaves(options_, state_, Clock::now());
  }
  std::vector<gnmi::Path> wanted;
  if (request.path_size() == 0) wanted.push_back(request.prefix());
  for (const auto& path : request.path()) {
    if (auto ok = CheckPath(path); !ok) return tl::unexpected(ok.error());
    wanted.push_back(JoinPath(request.prefix(), path));
  }
  std::vector<const Leaf*> found;
  for (const auto& pattern : wanted) {
    const size_t before = found.size();
    for (const auto& leaf : leaves) {
      if (PathMatches(pattern, leaf.path)) found.push_back(&leaf);
    }
    if (found.size() == before) {
      return tl::unexpected(
          Error(grpc::StatusCode::NOT_FOUND, "no data at " + PathString(pattern)));
    }
  }
  gnmi::GetResponse response;
  RenderOptions render{request.encoding(), request.prefix().target(), false, NowNanos()};
  for (auto& notification : Render(found, {}, render)) {
    *response.add_notification() = std::move(notification);
  }
  AddHeader(options_, response.mutable_extension());
  return response;
}

tl::expected<std::string, std::string> Hub::Apply(const Command& command) {
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  std::string output;
  switch (command.kind) {
    case Command::Kind::kOperStatus:
      state_.relay_up = command.flag;
      break;
    case Command::Kind::kUdStatus:
      state_.ud_up = command.flag;
      break;
    case Command::Kind::kAnycast:
      state_.anycast_present = command.flag;
      break;
    case Command::Kind::kTunnels:
      if (churn_) EndChurn(now);  // the churn's base gives way to the new count
      state_.Rebase(now);         // the old rate applies up to now
      state_.tunnels = static_cast<uint32_t>(command.number.value_or(0));
      break;
    case Command::Kind::kRate:
      state_.Rebase(now);
      state_.rate_bps = command.number;
      break;
    case Command::Kind::kCpuIdle:
      state_.cpu_idle = static_cast<uint32_t>(command.number.value_or(0));
      break;
    case Command::Kind::kStall:
      stalled_ = true;
      break;
    case Command::Kind::kResume:
      stalled_ = false;
      break;
    case Command::Kind::kDrop:
      for (auto& [stream, sub] : subscribers_) {
        if (sub.closed) continue;
        stream->Close(Error(grpc::StatusCode::UNAVAILABLE, "stream dropped (mx-sim: drop)"));
        sub.closed = true;
      }
      break;
    case Command::Kind::kRefuse:
      refusing_ = command.flag;
      break;
    case Command::Kind::kGarbage: {
      // A stalled MX sends nothing; garbage would break that promise.
      if (stalled_) return tl::unexpected(std::string("stalled: resume first"));
      size_t streams = 0;
      size_t responses = 0;
      for (auto& [stream, sub] : subscribers_) {
        if (sub.closed || !sub.synced) continue;
        auto garbage = Garbage(command.garbage, options_, sub.target);
        responses = garbage.size();  // the same for every stream
        ++streams;
        stream->Send(std::move(garbage));
      }
      return "garbage " + std::string(GarbageKindName(command.garbage)) + ": " +
             std::to_string(responses) + " responses to each of " + std::to_string(streams) +
             " streams";
    }
    case Command::Kind::kChurn:
      if (!command.number) {
        if (churn_) EndChurn(now);
        break;
      }
      StartChurn(*command.number, command.seconds, now);
      Wake();
      return output;
    case Command::Kind::kState: {
      size_t open = 0;
      size_t queued = 0;
      for (const auto& [stream, sub] : subscribers_) {
        open += sub.closed ? 0 : 1;
        queued += stream->Queued();
      }
      std::string churn = "off";
      if (churn_) {
        char left[32];
        std::snprintf(left, sizeof left, "%.1f",
                      std::chrono::duration<double>(churn_->end - now).count());
        churn = std::to_string(churn_->rate) + "/s(" + left + "s-left)";
      }
      output = state_.Describe(options_, now) + " stalled=" + (stalled_ ? "yes" : "no") +
               " refuse=" + (refusing_ ? "on" : "off") + " streams=" + std::to_string(open) +
               " queued=" + std::to_string(queued) + " churn=" + churn +
               " churned=" + std::to_string(churned_);
      return output;
    }
    case Command::Kind::kQuit:
      return output;
  }
  // Every other command may have changed what ON_CHANGE subscribers see; after
  // `resume` this also flushes what changed while stalled.
  changed_ = true;
  Wake();
  return output;
}

void Hub::CloseAll(const grpc::Status& status) {
  std::lock_guard lock(mutex_);
  for (auto& [stream, sub] : subscribers_) {
    if (sub.closed) continue;
    stream->Close(status);
    sub.closed = true;
  }
}

void Hub::Run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    const auto now = Clock::now();
    if (!stalled_) {
      if (churn_) Churn(now);
      if (!subscribers_.empty()) {
        const auto leaves = Leaves(options_, state_, now);
        for (auto& [stream, sub] : subscribers_) {
          if (!sub.closed) Service(stream, sub, leaves, now, changed_);
        }
      }
      changed_ = false;
    }
    wake_ = false;
    // Wake at least once a second so a lost notify can never stall a timer
    // for long.
    const auto deadline = stalled_ ? now + 1s : std::min(NextDue(now), now + 1s);
    cv_.wait_until(lock, deadline, [this] { return stop_ || wake_; });
  }
}

Hub::Clock::time_point Hub::NextDue(Clock::time_point now) const {
  // A churn sends a batch at every floor interval.
  auto due = churn_ ? now + kMinInterval : Clock::time_point::max();
  for (const auto& [stream, sub] : subscribers_) {
    if (sub.closed) continue;
    if (!sub.synced || sub.pending_polls > 0) return now;
    if (sub.mode != gnmi::SubscriptionList::STREAM) continue;
    for (const auto& entry : sub.entries) {
      if (entry.mode == gnmi::SAMPLE) due = std::min(due, entry.next_sample);
      if (entry.heartbeat.count() > 0) due = std::min(due, entry.next_heartbeat);
    }
  }
  return due;
}

void Hub::StartChurn(uint64_t rate, uint64_t seconds, Clock::time_point now) {
  // A new run replaces a running one and flips around the same base.
  const uint32_t base = churn_ ? churn_->base : state_.tunnels;
  const auto churn_leaf = [](Leaf leaf) {
    std::string serialized = leaf.value.SerializeAsString();
    return ChurnLeaf{std::move(leaf), std::move(serialized)};
  };
  ChurnRun run;
  run.rate = rate;
  run.base = base;
  run.start = now;
  run.end = now + std::chrono::seconds(seconds);
  for (auto& leaf : TunnelLeaves(options_, base + 1)) run.extra.push_back(churn_leaf(leaf));
  run.low = churn_leaf(TunnelCountLeaf(base));
  run.high = churn_leaf(TunnelCountLeaf(base + 1));
  churn_ = std::move(run);
}

void Hub::Churn(Clock::time_point now) {
  ChurnRun& run = *churn_;
  const double elapsed = std::chrono::duration<double>(std::min(now, run.end) - run.start).count();
  const auto target = static_cast<uint64_t>(elapsed * static_cast<double>(run.rate));
  // At most 50 ms worth at once: what a stall or a starved worker left
  // behind is skipped, not sent as a burst.
  const uint64_t most = std::max<uint64_t>(1, run.rate / 20);
  if (target > run.accounted + most) run.accounted = target - most;
  const uint64_t flips = target > run.accounted ? target - run.accounted : 0;
  run.accounted += flips;
  std::map<Stream*, std::vector<gnmi::SubscribeResponse>> out;
  for (uint64_t i = 0; i < flips; ++i) {
    const bool present = state_.tunnels == run.base;
    state_.Rebase(now);  // with rate auto, the tunnel count sets the counter's growth
    state_.tunnels = present ? run.base + 1 : run.base;
    for (auto& [stream, sub] : subscribers_) {
      if (sub.closed || !sub.synced || sub.mode != gnmi::SubscriptionList::STREAM) continue;
      ChurnFlip(sub, present, out[stream]);
    }
  }
  churned_ += flips;
  for (auto& [stream, responses] : out) {
    if (!responses.empty()) stream->Send(std::move(responses));
  }
  if (now >= run.end) EndChurn(now);
}

void Hub::ChurnFlip(Subscriber& sub, bool present, std::vector<gnmi::SubscribeResponse>& out) {
  const ChurnRun& run = *churn_;
  const ChurnLeaf& count = present ? run.high : run.low;
  std::vector<const Leaf*> updates;
  std::vector<gnmi::Path> deletes;
  for (auto& entry : sub.entries) {
    if (entry.mode != gnmi::ON_CHANGE) continue;  // SAMPLE entries see the count when sampled
    for (const auto& extra : run.extra) {
      if (!PathMatches(entry.path, extra.leaf.path)) continue;
      if (present) {
        entry.sent[extra.leaf.key] = extra.serialized;
        updates.push_back(&extra.leaf);
      } else if (entry.sent.erase(extra.leaf.key) > 0) {
        deletes.push_back(extra.leaf.path);
      }
    }
    if (PathMatches(entry.path, count.leaf.path)) {
      entry.sent[count.leaf.key] = count.serialized;
      updates.push_back(&count.leaf);
    }
  }
  if (updates.empty() && deletes.empty()) return;
  const RenderOptions render{sub.encoding, sub.target, options_.legacy_leaves, NowNanos()};
  for (auto& notification : Render(updates, deletes, render)) {
    auto& response = out.emplace_back();
    *response.mutable_update() = std::move(notification);
    AddHeader(options_, response.mutable_extension());
  }
}

void Hub::EndChurn(Clock::time_point now) {
  state_.Rebase(now);
  state_.tunnels = churn_->base;
  churn_.reset();
  // The regular diff sends whatever the last flip left different.
  changed_ = true;
  Wake();
}

void Hub::Service(Stream* stream, Subscriber& sub, const std::vector<Leaf>& leaves,
                  Clock::time_point now, bool changed) {
  std::vector<const Leaf*> updates;
  std::vector<gnmi::Path> deletes;
  std::vector<gnmi::SubscribeResponse> out;

  const auto matching = [&](const Entry& entry) {
    std::vector<const Leaf*> found;
    for (const auto& leaf : leaves) {
      if (PathMatches(entry.path, leaf.path)) found.push_back(&leaf);
    }
    return found;
  };
  // Compares with what the entry last sent: changed or new leaves become
  // updates (all of them when `everything`), vanished leaves become deletes.
  const auto diff = [&](Entry& entry, bool everything, bool record_only) {
    std::map<std::string, std::string> now_sent;
    for (const Leaf* leaf : matching(entry)) {
      std::string value = leaf->value.SerializeAsString();
      const auto it = entry.sent.find(leaf->key);
      const bool differs = it == entry.sent.end() || it->second != value;
      if (!record_only && (everything || differs)) updates.push_back(leaf);
      now_sent.emplace(leaf->key, std::move(value));
    }
    for (const auto& [key, value] : entry.sent) {
      if (!record_only && !now_sent.contains(key))
        deletes.push_back(ParsePath(key).value_or(gnmi::Path{}));
    }
    entry.sent = std::move(now_sent);
  };
  const auto flush = [&](bool sync) {
    const RenderOptions render{sub.encoding, sub.target, options_.legacy_leaves, NowNanos()};
    for (auto& notification : Render(updates, deletes, render)) {
      auto& response = out.emplace_back();
      *response.mutable_update() = std::move(notification);
      AddHeader(options_, response.mutable_extension());
    }
    updates.clear();
    deletes.clear();
    if (sync) {
      auto& response = out.emplace_back();
      response.set_sync_response(true);
      AddHeader(options_, response.mutable_extension());
    }
  };

  if (!sub.synced) {
    // With updates_only the current values become the baseline unsent, so the
    // first thing the client sees is sync_response.
    for (auto& entry : sub.entries) {
      diff(entry, true, sub.updates_only);
      entry.next_sample = now + entry.sample;
      entry.next_heartbeat = now + entry.heartbeat;
    }
    flush(true);
    sub.synced = true;
  } else if (sub.mode == gnmi::SubscriptionList::POLL) {
    for (; sub.pending_polls > 0; --sub.pending_polls) {
      for (auto& entry : sub.entries) diff(entry, true, sub.updates_only);
      flush(true);
    }
  } else if (sub.mode == gnmi::SubscriptionList::STREAM) {
    for (auto& entry : sub.entries) {
      const bool heartbeat = entry.heartbeat.count() > 0 && now >= entry.next_heartbeat;
      if (heartbeat) entry.next_heartbeat = now + entry.heartbeat;
      if (entry.mode == gnmi::ON_CHANGE) {
        if (changed || heartbeat) diff(entry, heartbeat, false);
      } else if (now >= entry.next_sample) {
        entry.next_sample += entry.sample;
        if (entry.next_sample <= now) entry.next_sample = now + entry.sample;
        diff(entry, !entry.suppress_redundant || heartbeat, false);
      } else if (heartbeat && entry.suppress_redundant) {
        diff(entry, true, false);
      }
    }
    flush(false);
  }

  if (!out.empty()) stream->Send(std::move(out));
  if (sub.mode == gnmi::SubscriptionList::ONCE && sub.synced) {
    stream->Close(grpc::Status::OK);
    sub.closed = true;
  }
}

}  // namespace driad::mxsim
