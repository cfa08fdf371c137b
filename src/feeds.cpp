// Creating the feeds of the live groups and routing their observations.
#include "src/feeds.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

namespace driad::app {
namespace {

std::string address_text(const zones::Prefix& address) {
  const std::string text = zones::to_string(address);
  return text.substr(0, text.find('/'));
}

// An error when `path` (non-empty) cannot be opened and read.
void check_readable(const config::Config& config, const std::string& pointer,
                    const std::string& path, std::vector<std::string>& errors) {
  if (path.empty()) return;
  errno = 0;
  std::ifstream file(path, std::ios::binary);
  char octet = 0;
  if (file && (file.read(&octet, 1) || file.eof())) return;
  const int error = errno;
  errors.push_back(config.file + ": " + pointer + ": cannot read " + path + ": " +
                   (error != 0 ? std::strerror(error) : "read error"));
}

void check_tls(const config::Config& config, const std::string& pointer,
               const std::optional<config::TlsConfig>& tls, std::vector<std::string>& errors) {
  if (!tls) return;
  check_readable(config, pointer + "/ca", tls->ca, errors);
  check_readable(config, pointer + "/cert", tls->cert, errors);
  check_readable(config, pointer + "/key", tls->key, errors);
}

}  // namespace

health::MxFeedConfig mx_feed_config(const config::RelayGroupConfig& group,
                                    const config::PolicyConfig& policy,
                                    const health::GnmiCredentials& credentials) {
  const config::MxConfig& mx = *group.mx;
  health::MxFeedConfig feed;
  feed.name = group.name;
  feed.target = mx.gnmi_target;
  feed.relay_ip = address_text(mx.relay);
  if (mx.tls)
    feed.tls = health::MxTlsConfig{mx.tls->ca, mx.tls->cert, mx.tls->key, mx.tls->server_name};
  feed.credentials = credentials;
  feed.stale_after = std::chrono::milliseconds(policy.stale_after_ms);
  const std::string relay_interface = "/interfaces/interface[name=" + mx.relay_interface + "]";
  const std::string tunnel_device = "/interfaces/interface[name=" + mx.tunnel_device + "]";
  const std::string family = mx.relay.family == zones::Family::ipv4 ? "ipv4" : "ipv6";
  feed.paths.relay_status = relay_interface + "/state/oper-status";
  feed.paths.anycast = relay_interface + "/subinterfaces/subinterface[index=0]/" + family +
                       "/addresses/address[ip=" + feed.relay_ip + "]/state/ip";
  feed.paths.ud_status = tunnel_device + "/state/oper-status";
  feed.paths.tunnel_subinterfaces = tunnel_device + "/subinterfaces";
  feed.paths.out_octets = tunnel_device + "/state/counters/out-octets";
  feed.paths.tunnel_count_leaf = mx.tunnel_count_path;
  const auto override_with = [](std::string& path, const std::string& configured) {
    if (!configured.empty()) path = configured;
  };
  override_with(feed.paths.relay_status, mx.paths.relay_status);
  override_with(feed.paths.anycast, mx.paths.anycast);
  override_with(feed.paths.ud_status, mx.paths.tunnel_status);
  override_with(feed.paths.tunnel_subinterfaces, mx.paths.tunnel_subinterfaces);
  override_with(feed.paths.out_octets, mx.paths.out_octets);
  return feed;
}

std::vector<std::string> check_feeds(const config::Config& config) {
  std::vector<std::string> errors;
  for (std::size_t i = 0; i < config.relay_groups.size(); ++i) {
    const config::RelayGroupConfig& group = config.relay_groups[i];
    if (!group.mx) continue;
    auto resolved = health::resolve_paths(mx_feed_config(group, config.policy, {}));
    if (!resolved) {
      errors.push_back(config.file + ": /relay_groups/" + std::to_string(i) +
                       "/mx/paths: " + resolved.error());
    }
    check_tls(config, "/relay_groups/" + std::to_string(i) + "/mx/tls", group.mx->tls, errors);
  }
  if (config.traffic_ops) {
    check_tls(config, "/traffic_ops/mx/tls", config.traffic_ops->mx.tls, errors);
    check_readable(config, "/traffic_ops/ca_file", config.traffic_ops->ca_file, errors);
  }
  return errors;
}

// The feeds of one relay group, with the token their posted observations
// check: reset when they stop, so late observations are dropped.
struct Feeds::GroupFeeds {
  config::RelayGroupConfig config;
  std::shared_ptr<int> alive = std::make_shared<int>(0);
  std::unique_ptr<health::MxFeed> mx;
  std::vector<std::unique_ptr<health::AmtProbe>> probes;  // per gateway; null: not probed

  ~GroupFeeds() {
    alive.reset();
    if (mx) mx->stop();
    for (auto& probe : probes) {
      if (probe) probe->stop();
    }
  }
};

Feeds::Feeds(boost::asio::io_context& control, std::function<void()> on_observation)
    : control_(control), on_observation_(std::move(on_observation)) {}

Feeds::~Feeds() {
  stop();
}

// Feeds call their sinks on their own threads; the observation is copied into
// a closure that runs on the control thread, the only one touching live_.
template <typename Observation, typename Apply>
health::ObservationSink<Observation> Feeds::post_to_control(const std::shared_ptr<int>& alive,
                                                            Apply apply) {
  return [this, apply, token = std::weak_ptr<int>(alive)](const Observation& observation) {
    boost::asio::post(control_, [this, apply, token, observation] {
      if (token.expired() || live_ == nullptr) return;
      apply(*live_, observation);
      on_observation_();
    });
  };
}

tl::expected<std::unique_ptr<Feeds::GroupFeeds>, std::string> Feeds::start_group(
    const config::RelayGroupConfig& group, const config::PolicyConfig& policy) {
  auto feeds = std::make_unique<GroupFeeds>();
  feeds->config = group;
  const std::string name = group.name;
  if (group.mx) {
    if (!credentials_) {
      auto read = health::read_gnmi_credentials();
      if (!read) return tl::make_unexpected("gNMI credentials: " + read.error());
      credentials_ = std::move(*read);
    }
    auto feed = health::MxFeed::create(
        mx_feed_config(group, policy, *credentials_),
        post_to_control<health::MxObservation>(
            feeds->alive, [name](LiveGroups& live, const health::MxObservation& seen) {
              if (const auto g = live.index_of(name)) live.observe_mx(*g, seen);
            }));
    if (!feed) return tl::make_unexpected("relay group '" + name + "' mx: " + feed.error());
    (*feed)->start();
    feeds->mx = std::move(*feed);
  }
  for (std::size_t i = 0; i < group.gateways.size(); ++i) {
    const config::GatewayConfig& gateway = group.gateways[i];
    if (!gateway.probe) {
      feeds->probes.emplace_back();
      continue;
    }
    health::AmtProbeConfig probe;
    probe.relay = boost::asio::ip::make_address(address_text(gateway.relay));
    probe.port = gateway.probe_port;
    probe.interval = std::chrono::milliseconds(gateway.probe_interval_ms);
    probe.timeout = std::chrono::milliseconds(gateway.probe_timeout_ms);
    auto amt = std::make_unique<health::AmtProbe>(
        probe,
        post_to_control<health::GatewayObservation>(
            feeds->alive, [name, i](LiveGroups& live, const health::GatewayObservation& seen) {
              if (const auto g = live.index_of(name)) live.observe_gateway(*g, i, seen);
            }));
    if (auto started = amt->start(); !started) {
      return tl::make_unexpected("relay group '" + name + "' gateway " + std::to_string(i) +
                                 " probe: " + started.error());
    }
    feeds->probes.push_back(std::move(amt));
  }
  return feeds;
}

std::vector<std::string> Feeds::update(LiveGroups& live, const config::PolicyConfig& policy) {
  live_ = &live;
  // The policy shapes every feed (stale_after sets the heartbeat): a new one
  // restarts them all.
  if (policy_ && !(*policy_ == policy)) groups_.clear();
  policy_ = policy;
  std::map<std::string, std::unique_ptr<GroupFeeds>> next;
  std::vector<std::string> errors;
  std::size_t started = 0;
  for (std::size_t g = 0; g < live.size(); ++g) {
    const config::RelayGroupConfig& group = live.config(g);
    if (auto running = groups_.find(group.name);
        running != groups_.end() && running->second->config == group) {
      next.emplace(group.name, std::move(running->second));
      continue;
    }
    auto feeds = start_group(group, policy);
    if (!feeds) {
      errors.push_back(feeds.error());
      continue;
    }
    ++started;
    next.emplace(group.name, std::move(*feeds));
  }
  const std::size_t kept = next.size() - started;
  const std::size_t stopped = groups_.size() - kept;  // left over: removed or changed
  groups_ = std::move(next);                          // the left-over feeds stop here
  if (started != 0 || stopped != 0) {
    spdlog::info("health feeds: {} groups started, {} stopped, {} kept; {} gNMI subscriptions",
                 started, stopped, kept, subscriptions());
  }
  return errors;
}

std::size_t Feeds::subscriptions() const noexcept {
  std::size_t count = 0;
  for (const auto& [name, feeds] : groups_) count += feeds->mx ? 1 : 0;
  return count;
}

const health::FeedCounters* Feeds::mx_counters(const std::string& group) const {
  const auto it = groups_.find(group);
  if (it == groups_.end() || !it->second->mx) return nullptr;
  return &it->second->mx->counters();
}

const health::FeedCounters* Feeds::probe_counters(const std::string& group,
                                                  std::size_t gateway) const {
  const auto it = groups_.find(group);
  if (it == groups_.end() || gateway >= it->second->probes.size() || !it->second->probes[gateway]) {
    return nullptr;
  }
  return &it->second->probes[gateway]->counters();
}

void Feeds::stop() {
  groups_.clear();
  live_ = nullptr;
}

}  // namespace driad::app
