// The daemon: owns the snapshot publisher, the DNS server, the live relay
// groups and their health feeds, the Traffic Ops topology and the coverage
// zones. Its control thread (the caller of run()) turns config loads, topology
// updates and health observations into snapshots and reacts to signals
// (SIGHUP reload, SIGTERM/SIGINT stop); query work happens on the server's
// workers.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/config.hpp"
#include "config/coverage_zone_file.hpp"
#include "dns/server.hpp"
#include "health/topology.hpp"
#include "health/traffic_ops_feed.hpp"
#include "src/feeds.hpp"
#include "src/live_groups.hpp"
#include "src/snapshot_spec.hpp"
#include "src/topology_groups.hpp"
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
  // What the snapshot is built from besides the config file: Traffic Ops'
  // topology (last good one) and the coverage zone file (last good one).
  struct Topology {
    std::optional<health::Topology> traffic_ops;
    TopologyGroups groups;
  };

  tl::expected<void, std::string> publish(const config::Config& effective, const LiveGroups& live);
  config::Config effective_config(const config::Config& config, const Topology& topology) const;
  // Builds the live groups for `effective` (keeping the health of unchanged
  // ones), publishes, and makes the feeds match; false if the build failed.
  bool adopt(config::Config effective, const char* what);
  void reload();
  void reevaluate();
  void republish(const char* why);
  void tick();
  void log_changes(const std::vector<DecisionChange>& changes);
  void log_pending(const zones::SnapshotSpec& spec);

  void load_topology_cache();
  void start_traffic_ops();
  void on_topology(health::Topology topology);
  void check_coverage_zone_file(bool at_start);

  config::Config config_;     // as loaded from the file
  config::Config effective_;  // config_ plus the Traffic Ops groups
  std::string config_path_;
  ConfigAdjuster adjust_;
  zones::SnapshotPublisher publisher_;
  SerialKeeper serials_;
  std::uint64_t generation_ = 0;
  boost::asio::io_context control_;
  boost::asio::steady_timer ticker_{control_};
  std::unique_ptr<LiveGroups> live_;
  std::unique_ptr<Feeds> feeds_;
  std::vector<bool> availability_;  // per live group at the last build

  Topology topology_;
  std::unique_ptr<health::TrafficOpsFeed> traffic_ops_;
  std::shared_ptr<int> traffic_ops_alive_;  // posted topologies of a stopped feed are dropped

  std::optional<config::CoverageZones> coverage_;
  std::string coverage_stamp_;  // path, size and mtime of the file last read
  std::uint64_t ticks_ = 0;
  std::vector<std::string> pending_;  // relay groups answered SERVFAIL, for logs
};

}  // namespace driad::app
