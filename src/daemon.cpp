// Start-up, health-driven rebuilds, reload and shutdown of driadd.
#include "src/daemon.hpp"

#include <chrono>
#include <csignal>

#include <spdlog/spdlog.h>
#include <boost/asio/signal_set.hpp>

namespace driad::app {
namespace {

// How often decisions are re-run without a new observation: staleness,
// hold-up and the degraded-TTL window are all judged by the clock.
constexpr std::chrono::milliseconds kTick{100};

std::uint64_t unix_now() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace

Daemon::Daemon(config::Config config, std::string config_path, ConfigAdjuster adjust)
    : config_(std::move(config)), config_path_(std::move(config_path)), adjust_(std::move(adjust)) {
  if (adjust_) adjust_(config_);
}

Daemon::~Daemon() {
  if (feeds_) feeds_->stop();
}

tl::expected<void, std::string> Daemon::publish(const config::Config& config,
                                                const LiveGroups& live) {
  const auto started = std::chrono::steady_clock::now();
  zones::SnapshotSpec spec = snapshot_spec(config, generation_ + 1, &live);
  SerialKeeper serials = serials_;  // committed only if the build succeeds
  serials.assign(spec, config, unix_now());
  auto snapshot = zones::Snapshot::build(spec);
  if (!snapshot) return tl::make_unexpected(snapshot.error());
  serials_ = std::move(serials);
  ++generation_;
  publisher_.publish(std::move(*snapshot));
  const auto elapsed =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
  spdlog::info("snapshot {} published: {} zones, {} sources, {} relay groups, built in {:.1f} ms",
               generation_, spec.zones.size(), spec.sources.size(), spec.groups.size(),
               elapsed.count());
  return {};
}

void Daemon::log_changes(const std::vector<DecisionChange>& changes) {
  for (const auto& change : changes) {
    spdlog::info("decision {}: {}", change.group, change.description);
  }
}

void Daemon::reevaluate() {
  const auto changes = live_->evaluate(std::chrono::steady_clock::now());
  log_changes(changes);
  const bool rebuild =
      std::any_of(changes.begin(), changes.end(), [](const auto& c) { return c.answer_changed; });
  if (!rebuild) return;
  if (auto published = publish(config_, *live_); !published) {
    spdlog::error("snapshot rebuild failed: {}; still serving the previous one", published.error());
  }
}

void Daemon::tick() {
  ticker_.expires_after(kTick);
  ticker_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    reevaluate();
    publisher_.reap();
    tick();
  });
}

void Daemon::reload() {
  tl::expected<config::Config, config::ConfigErrors> next =
      config_path_.empty() ? config::parse_config(config::demo_config_json(), "<demo>")
                           : config::load_config_file(config_path_);
  if (!next) {
    for (const auto& error : next.error()) spdlog::error("reload rejected: {}", error);
    spdlog::error("reload rejected: still serving the previous config");
    return;
  }
  if (adjust_) adjust_(*next);
  if (next->listen_text != config_.listen_text || next->threads != config_.threads) {
    spdlog::warn("reload: 'listen' and 'threads' take effect only at restart");
  }
  // Live groups whose MX, gateways and policy are unchanged keep their feeds
  // and health; any other change starts them afresh.
  const bool keep_live = live_->same_topology(*next);
  std::unique_ptr<LiveGroups> live;
  if (!keep_live) {
    live = std::make_unique<LiveGroups>(*next);
    log_changes(live->evaluate(std::chrono::steady_clock::now()));
  }
  if (auto published = publish(*next, keep_live ? *live_ : *live); !published) {
    spdlog::error("reload rejected: {}; still serving the previous config", published.error());
    return;
  }
  config_ = std::move(*next);
  if (!keep_live) {
    feeds_->stop();
    live_ = std::move(live);
    feeds_ = std::make_unique<Feeds>(*live_, control_, [this] { reevaluate(); });
    if (auto started = feeds_->start(config_.policy); !started) {
      spdlog::error("reload: health feeds: {}", started.error());
    }
  }
  spdlog::info("reload: config {} applied{}", config_path_.empty() ? "<demo>" : config_path_,
               keep_live ? "" : " (health feeds restarted)");
}

int Daemon::run() {
  // Signals are caught from here on: one that arrives while the listeners
  // start is queued, not fatal.
  boost::asio::signal_set signals(control_, SIGHUP, SIGTERM, SIGINT);
  live_ = std::make_unique<LiveGroups>(config_);
  log_changes(live_->evaluate(std::chrono::steady_clock::now()));
  if (auto published = publish(config_, *live_); !published) {
    spdlog::error("{}: {}", config_.file, published.error());
    return 1;
  }
  dns::ServerOptions options;
  options.listen = config_.listen;
  options.threads = config_.threads;
  options.tcp_idle_timeout = config_.tcp.idle_timeout;
  options.tcp_max_connections = config_.tcp.max_connections;
  dns::Server server(publisher_, options);
  if (auto bound = server.bind(); !bound) {
    spdlog::error("cannot listen: {}", bound.error());
    return 1;
  }
  feeds_ = std::make_unique<Feeds>(*live_, control_, [this] { reevaluate(); });
  if (auto started = feeds_->start(config_.policy); !started) {
    spdlog::error("{}", started.error());
    return 1;
  }
  server.start();
  for (const auto& text : config_.listen_text) spdlog::info("answering on {} (UDP and TCP)", text);

  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        if (signal == SIGHUP) {
          spdlog::info("SIGHUP: reloading");
          reload();
          publisher_.reap();
          signals.async_wait(on_signal);
          return;
        }
        spdlog::info("signal {}: stopping", signal);
        control_.stop();
      };
  signals.async_wait(on_signal);
  tick();
  control_.run();
  feeds_->stop();
  server.stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace driad::app
