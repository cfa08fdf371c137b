// Start-up, reload and shutdown of driadd.
#include "src/daemon.hpp"

#include <chrono>
#include <csignal>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

namespace driad::app {

Daemon::Daemon(config::Config config, std::string config_path)
    : config_(std::move(config)), config_path_(std::move(config_path)) {}

tl::expected<void, std::string> Daemon::publish(const config::Config& config) {
  const auto started = std::chrono::steady_clock::now();
  zones::SnapshotSpec spec = snapshot_spec(config, generation_ + 1);
  const auto now_unix =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  SerialKeeper serials = serials_;  // committed only if the build succeeds
  serials.assign(spec, config, now_unix);
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

void Daemon::reload() {
  tl::expected<config::Config, config::ConfigErrors> next =
      config_path_.empty() ? config::parse_config(config::demo_config_json(), "<demo>")
                           : config::load_config_file(config_path_);
  if (!next) {
    for (const auto& error : next.error()) spdlog::error("reload rejected: {}", error);
    spdlog::error("reload rejected: still serving the previous config");
    return;
  }
  if (next->listen_text != config_.listen_text || next->threads != config_.threads) {
    spdlog::warn("reload: 'listen' and 'threads' take effect only at restart");
  }
  if (auto published = publish(*next); !published) {
    spdlog::error("reload rejected: {}; still serving the previous config", published.error());
    return;
  }
  config_ = std::move(*next);
  spdlog::info("reload: config {} applied", config_path_.empty() ? "<demo>" : config_path_);
}

int Daemon::run() {
  // Caught from the start: a SIGHUP or SIGTERM that arrives while the server is
  // starting waits in the set instead of killing the process (default action).
  boost::asio::io_context control;
  boost::asio::signal_set signals(control, SIGHUP, SIGTERM, SIGINT);
  for (const auto& group : config_.relay_groups) {
    if (!group.is_static()) {
      spdlog::warn(
          "relay group '{}' is live, but health feeds are not built yet: it is answered as if "
          "every relay "
          "were healthy",
          group.name);
    }
  }
  if (auto published = publish(config_); !published) {
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
        control.stop();
      };
  signals.async_wait(on_signal);
  control.run();
  server.stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace driad::app
