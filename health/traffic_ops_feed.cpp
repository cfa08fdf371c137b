// Implements TrafficOpsFeed (traffic_ops_feed.hpp): fetch, judge, deliver, sleep.
#include "health/traffic_ops_feed.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

namespace driad::health {
namespace {

// A failure that keeps saying the same thing is logged again at most this often.
constexpr auto kRepeatLogInterval = std::chrono::minutes(5);

std::string describe(const Topology& topology) {
  const auto mx = std::count_if(topology.servers.begin(), topology.servers.end(),
                                [](const RelayServer& s) { return s.role == RelayRole::mx; });
  return std::to_string(topology.servers.size()) + " relays (" + std::to_string(mx) + " MX) in " +
         std::to_string(topology.cachegroups.size()) + " cachegroups, gnmi.port " +
         (topology.mx_gnmi_port ? std::to_string(*topology.mx_gnmi_port) : "unset");
}

}  // namespace

tl::expected<std::unique_ptr<TrafficOpsFeed>, std::string> TrafficOpsFeed::create(
    TrafficOpsFeedConfig config, TopologySink sink) {
  if (config.poll_interval.count() <= 0) {
    return tl::unexpected(std::string("traffic ops poll_interval: not > 0"));
  }
  auto client = TrafficOpsClient::create(config.settings);
  if (!client) return tl::unexpected(client.error());
  return std::unique_ptr<TrafficOpsFeed>(
      new TrafficOpsFeed(std::move(config), std::move(*client), std::move(sink)));
}

TrafficOpsFeed::TrafficOpsFeed(TrafficOpsFeedConfig config,
                               std::unique_ptr<TrafficOpsClient> client, TopologySink sink)
    : config_(std::move(config)),
      client_(std::move(client)),
      sink_(std::move(sink)),
      backoff_(std::min(config_.retry_initial, config_.poll_interval), config_.poll_interval),
      last_delivered_(config_.initial) {}

TrafficOpsFeed::~TrafficOpsFeed() {
  stop();
}

void TrafficOpsFeed::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  if (config_.settings.insecure) {
    spdlog::warn("traffic ops {}: TLS certificate and host name checks are OFF (insecure)",
                 config_.settings.url);
  }
  thread_ = std::thread([this] {
    // Nothing may escape the thread: log and end the feed (the last topology
    // stays in use) rather than terminate the daemon.
    try {
      run();
    } catch (const std::exception& error) {
      spdlog::error("traffic ops {}: feed thread ended: {}", config_.settings.url, error.what());
    }
    counters_.connected = false;
  });
}

void TrafficOpsFeed::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  client_->abort();
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void TrafficOpsFeed::run() {
  while (true) {
    const auto delay = poll_once();
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, delay, [this] { return stopping_; })) break;
  }
}

std::chrono::milliseconds TrafficOpsFeed::poll_once() {
  auto result = client_->fetch();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return {};
  }
  if (!result) {
    on_failure(result.error());
    return std::min(backoff_.next(), config_.poll_interval);
  }
  if (streak_ > 0) {
    spdlog::info("traffic ops {}: fetching again after {} failures", config_.settings.url, streak_);
  }
  streak_ = 0;
  last_error_.clear();
  backoff_.reset();
  ++counters_.messages;
  counters_.connected = true;
  counters_.last_message_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
  counters_.last_success_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
  if (result->not_modified()) {
    ++counters_.unchanged;
  } else {
    on_topology(std::move(*result->topology));
  }
  return config_.poll_interval;
}

void TrafficOpsFeed::on_failure(const std::string& error) {
  ++counters_.failures;
  counters_.connected = false;
  ++streak_;
  const auto now = Clock::now();
  if (error != last_error_ || now - last_error_logged_ >= kRepeatLogInterval) {
    spdlog::warn("traffic ops {}: {} (failure {} in a row; keeping the last topology)",
                 config_.settings.url, error, streak_);
    last_error_ = error;
    last_error_logged_ = now;
  }
}

void TrafficOpsFeed::on_topology(Topology topology) {
  if (last_delivered_ && topology == *last_delivered_) {
    ++counters_.unchanged;
    rejecting_ = false;
    return;
  }
  // Every server gone, or none left ONLINE or REPORTED: as likely a fault
  // (an import gone wrong) as an intent, and it would empty every answer.
  const auto advertised = [](const Topology& of) {
    return std::count_if(of.servers.begin(), of.servers.end(),
                         [](const RelayServer& server) { return server.advertised(); });
  };
  if (advertised(topology) == 0 && last_delivered_ && advertised(*last_delivered_) > 0) {
    ++counters_.rejects;
    if (!rejecting_) {
      spdlog::warn(
          "traffic ops {}: refusing a topology without advertised relays ({} servers, none "
          "ONLINE or REPORTED; the last one had {}); keeping it",
          config_.settings.url, topology.servers.size(), advertised(*last_delivered_));
      rejecting_ = true;
    }
    return;
  }
  rejecting_ = false;
  spdlog::info("traffic ops {}: new topology: {}", config_.settings.url, describe(topology));
  last_delivered_ = std::move(topology);
  ++counters_.updates;
  try {
    sink_(*last_delivered_);
  } catch (const std::exception& error) {
    spdlog::error("traffic ops {}: topology sink threw: {}", config_.settings.url, error.what());
  }
}

}  // namespace driad::health
