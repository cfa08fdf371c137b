// The daemon: owns the snapshot publisher, the DNS server, the live relay
// groups and their health feeds, the Traffic Ops topology, the coverage zones
// and the admin API. Its control thread (the caller of run()) turns config
// loads, topology updates and health observations into snapshots, serves the
// admin API (which reads this state without locks, being on the same thread)
// and reacts to signals (SIGHUP reload, SIGTERM/SIGINT drain and stop); query
// work happens on the server's workers.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "admin/backend.hpp"
#include "admin/http_server.hpp"
#include "admin/routes.hpp"
#include "config/config.hpp"
#include "config/coverage_zone_file.hpp"
#include "dns/server.hpp"
#include "health/topology.hpp"
#include "health/traffic_ops_feed.hpp"
#include "src/answer_counters.hpp"
#include "src/client_views.hpp"
#include "src/decision_log.hpp"
#include "src/feeds.hpp"
#include "src/live_groups.hpp"
#include "src/privileges.hpp"
#include "src/snapshot_spec.hpp"
#include "src/topology_groups.hpp"
#include "zones/snapshot_holder.hpp"

namespace driad::app {

// Applied to every config the daemon loads, at start and on reload (command
// line overrides, the demo's MX address).
using ConfigAdjuster = std::function<void(config::Config&)>;

struct DaemonOptions {
  std::string config_path;  // empty: the demo config, which SIGHUP reloads from memory
  ConfigAdjuster adjust;
  std::optional<RunAs> run_as;  // --user: switch to it once every socket is bound
  std::uint32_t query_log_sample = 0;
  // SIGTERM: after the listeners close, open TCP connections get this long.
  std::chrono::milliseconds drain_timeout{2000};
  std::string admin_token;  // DRIAD_ADMIN_TOKEN; empty: the API asks for none
};

class Daemon final : private admin::Backend {
 public:
  Daemon(config::Config config, DaemonOptions options);
  ~Daemon() override;
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Binds, serves and blocks until SIGTERM or SIGINT has drained the
  // listeners; the exit status.
  int run();

 private:
  // admin::Backend, on the control thread (daemon_status.cpp).
  admin::Readiness readiness() const override;
  admin::Status status() const override;
  std::vector<admin::DecisionRecord> decisions(std::size_t limit) const override;
  tl::expected<admin::Explanation, std::string> explain(std::string_view source,
                                                        std::string_view client) const override;
  admin::ReloadResult reload() override;

  // What the snapshot is built from besides the config file: Traffic Ops'
  // topology (last good one) and the coverage zone file (last good one).
  struct Topology {
    std::optional<health::Topology> traffic_ops;
    TopologyGroups groups;
  };

  // How many nice levels below the query threads control work runs.
  static constexpr int kControlNiceIncrement = 10;
  void yield_to_query_threads();

  tl::expected<void, std::string> publish(const config::Config& effective, const LiveGroups& live);
  config::Config effective_config(const config::Config& config, const Topology& topology) const;
  // Builds the live groups for `effective` (keeping the health of unchanged
  // ones), publishes, and makes the feeds match; the build error otherwise.
  tl::expected<void, std::string> adopt(config::Config effective, const char* what);
  void reevaluate();
  void republish(const char* why);
  void tick();
  void log_changes(const std::vector<DecisionChange>& changes);
  void log_pending(const zones::SnapshotSpec& spec);

  void load_topology_cache();
  void start_traffic_ops();
  void on_topology(health::Topology topology);
  void check_coverage_zone_file(bool at_start);

  tl::expected<void, std::string> start_admin();
  void begin_drain(int signal);
  void wait_drained();
  void log_sampled_queries();

  config::Config config_;     // as loaded from the file
  config::Config effective_;  // config_ plus the Traffic Ops groups
  DaemonOptions options_;
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

  // What the snapshot serving now was built from, for explain and status.
  zones::SnapshotSpec spec_;
  ClientViews views_;
  // Sources per relay group of spec_ (and the first of each), counted once per
  // source list: a million sources are not walked at every scrape.
  struct SourceCounts {
    zones::SourceList of;
    std::size_t groups = 0;
    std::vector<std::size_t> counts;
    std::vector<std::string> samples;
  };
  mutable SourceCounts source_counts_;
  std::int64_t published_unix_ms_ = 0;
  double build_ms_ = 0;

  DecisionLog decision_log_;
  AnswerCounters answer_counters_{dns::kAnswerCounters};  // which counter counts which answers
  std::uint64_t reloads_ = 0;
  std::uint64_t reload_failures_ = 0;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();

  std::unique_ptr<dns::Server> server_;
  bool serving_ = false;   // the listeners are bound and the workers run
  bool draining_ = false;  // SIGTERM: listeners closed, waiting for TCP
  std::chrono::steady_clock::time_point drain_deadline_{};
  boost::asio::steady_timer drain_timer_{control_};
  std::unique_ptr<admin::Router> router_;
  std::unique_ptr<admin::HttpServer> admin_;
};

}  // namespace driad::app
