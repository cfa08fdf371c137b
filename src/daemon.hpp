// The daemon: owns the snapshot publisher, the DNS server, the live relay
// groups and their health feeds. Its control thread (the caller of run())
// turns config loads and health observations into snapshots and reacts to
// signals (SIGHUP reload, SIGTERM/SIGINT stop); query work happens on the
// server's workers.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/config.hpp"
#include "dns/server.hpp"
#include "src/feeds.hpp"
#include "src/live_groups.hpp"
#include "src/snapshot_spec.hpp"
#include "zones/snapshot_holder.hpp"

namespace driad::app {

// Applied to every config the daemon loads, at start and on reload (command
// line overrides, the demo's MX address).
using ConfigAdjuster = std::function<void(config::Config&)>;

class Daemon {
 public:
  // `config_path` empty: the demo config, which SIGHUP reloads from memory.
  Daemon(config::Config config, std::string config_path, ConfigAdjuster adjust = {});
  ~Daemon();

  // Binds, serves and blocks until SIGTERM or SIGINT; the exit status.
  int run();

 private:
  tl::expected<void, std::string> publish(const config::Config& config, const LiveGroups& live);
  void reload();
  void reevaluate();
  void tick();
  void log_changes(const std::vector<DecisionChange>& changes);

  config::Config config_;
  std::string config_path_;
  ConfigAdjuster adjust_;
  zones::SnapshotPublisher publisher_;
  SerialKeeper serials_;
  std::uint64_t generation_ = 0;
  boost::asio::io_context control_;
  boost::asio::steady_timer ticker_{control_};
  std::unique_ptr<LiveGroups> live_;
  std::unique_ptr<Feeds> feeds_;
};

}  // namespace driad::app
