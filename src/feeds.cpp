// Creating the feeds of the live groups and routing their observations.
#include "src/feeds.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

namespace driad::app {
namespace {

std::string address_text(const zones::Prefix& address) {
  const std::string text = zones::to_string(address);
  return text.substr(0, text.find('/'));
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

std::vector<std::string> check_feed_paths(const config::Config& config) {
  std::vector<std::string> errors;
  for (std::size_t i = 0; i < config.relay_groups.size(); ++i) {
    const config::RelayGroupConfig& group = config.relay_groups[i];
    if (!group.mx) continue;
    auto resolved = health::resolve_paths(mx_feed_config(group, config.policy, {}));
    if (!resolved) {
      errors.push_back(config.file + ": /relay_groups/" + std::to_string(i) +
                       "/mx/paths: " + resolved.error());
    }
  }
  return errors;
}

Feeds::Feeds(LiveGroups& live, boost::asio::io_context& control,
             std::function<void()> on_observation)
    : live_(live), control_(control), on_observation_(std::move(on_observation)) {}

Feeds::~Feeds() {
  stop();
}

// Feeds call their sinks on their own threads; the observation is copied into
// a closure that runs on the control thread, the only one touching live_.
template <typename Observation, typename Apply>
health::ObservationSink<Observation> Feeds::post_to_control(Apply apply) {
  return [this, apply, alive = std::weak_ptr<int>(alive_)](const Observation& observation) {
    boost::asio::post(control_, [this, apply, alive, observation] {
      if (alive.expired()) return;
      apply(observation);
      on_observation_();
    });
  };
}

tl::expected<void, std::string> Feeds::start(const config::PolicyConfig& policy) {
  health::GnmiCredentials credentials;
  bool credentials_read = false;
  for (std::size_t g = 0; g < live_.size(); ++g) {
    const config::RelayGroupConfig& group = live_.config(g);
    if (group.mx) {
      if (!credentials_read) {
        auto read = health::read_gnmi_credentials();
        if (!read) return tl::make_unexpected("gNMI credentials: " + read.error());
        credentials = std::move(*read);
        credentials_read = true;
      }
      auto feed = health::MxFeed::create(
          mx_feed_config(group, policy, credentials),
          post_to_control<health::MxObservation>(
              [this, g](const health::MxObservation& seen) { live_.observe_mx(g, seen); }));
      if (!feed) {
        stop();
        return tl::make_unexpected("relay group '" + group.name + "' mx: " + feed.error());
      }
      (*feed)->start();
      mx_feeds_.push_back(std::move(*feed));
    }
    for (std::size_t i = 0; i < group.gateways.size(); ++i) {
      const config::GatewayConfig& gateway = group.gateways[i];
      if (!gateway.probe) continue;
      health::AmtProbeConfig probe;
      probe.relay = boost::asio::ip::make_address(address_text(gateway.relay));
      probe.port = gateway.probe_port;
      probe.interval = std::chrono::milliseconds(gateway.probe_interval_ms);
      probe.timeout = std::chrono::milliseconds(gateway.probe_timeout_ms);
      auto amt = std::make_unique<health::AmtProbe>(
          probe, post_to_control<health::GatewayObservation>(
                     [this, g, i](const health::GatewayObservation& seen) {
                       live_.observe_gateway(g, i, seen);
                     }));
      if (auto started = amt->start(); !started) {
        stop();
        return tl::make_unexpected("relay group '" + group.name + "' gateway " + std::to_string(i) +
                                   " probe: " + started.error());
      }
      probes_.push_back(std::move(amt));
    }
  }
  if (!mx_feeds_.empty() || !probes_.empty()) {
    spdlog::info("health feeds: {} gNMI subscriptions, {} gateway probes", mx_feeds_.size(),
                 probes_.size());
  }
  return {};
}

void Feeds::stop() {
  alive_ = std::make_shared<int>(0);  // posted observations of the old feeds are dropped
  for (auto& feed : mx_feeds_) feed->stop();
  for (auto& probe : probes_) probe->stop();
  mx_feeds_.clear();
  probes_.clear();
}

}  // namespace driad::app
