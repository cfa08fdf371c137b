// Start-up, health- and topology-driven rebuilds, reload, the admin server and
// the drain at shutdown of driadd. What the admin API reports is built in
// daemon_status.cpp.
#include "src/daemon.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include "health/topology_cache.hpp"
#include "health/traffic_ops_credentials.hpp"
#include "src/client_views.hpp"
#include "src/logging.hpp"
#include "src/query_log.hpp"

namespace driad::app {
namespace {

// How often decisions are re-run without a new observation: staleness,
// hold-up and the degraded-TTL window are all judged by the clock.
constexpr std::chrono::milliseconds kTick{100};
// The coverage zone file is checked for a change every this many ticks.
constexpr std::uint64_t kCoverageCheckTicks = 10;
// While draining, how often the open TCP connections are counted.
constexpr std::chrono::milliseconds kDrainPoll{20};

std::uint64_t unix_now() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// Size and modification time: enough to notice an edit or a replacement.
std::string file_stamp(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return {};
  return std::to_string(info.st_size) + ":" + std::to_string(info.st_mtim.tv_sec) + "." +
         std::to_string(info.st_mtim.tv_nsec) + ":" + std::to_string(info.st_ino);
}

std::vector<AnswerRow> answer_rows(const zones::SnapshotSpec& spec, const LiveGroups& live) {
  std::vector<AnswerRow> rows;
  rows.reserve(spec.groups.size());
  for (const auto& group : spec.groups) {
    const auto index = live.index_of(group.name);
    rows.push_back({index.has_value(), index && live.available(*index)});
  }
  return rows;
}

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<bool> availability(const LiveGroups& live) {
  std::vector<bool> out;
  for (std::size_t g = 0; g < live.size(); ++g) out.push_back(live.available(g));
  return out;
}

}  // namespace

Daemon::Daemon(config::Config config, DaemonOptions options)
    : config_(std::move(config)), options_(std::move(options)) {
  if (options_.adjust) options_.adjust(config_);
  effective_ = config_;
}

Daemon::~Daemon() {
  if (traffic_ops_) traffic_ops_->stop();
  if (feeds_) feeds_->stop();
}

config::Config Daemon::effective_config(const config::Config& config,
                                        const Topology& topology) const {
  if (!config.traffic_ops || !topology.traffic_ops) return config;
  return with_topology_groups(config, topology.groups);
}

tl::expected<void, std::string> Daemon::publish(const config::Config& effective,
                                                const LiveGroups& live) {
  const auto started = std::chrono::steady_clock::now();
  zones::SnapshotSpec spec = snapshot_spec(effective, generation_ + 1, &live);
  const std::vector<health::Cachegroup> no_cachegroups;
  ClientViews views =
      add_client_views(spec, answer_rows(spec, live), coverage_ ? &*coverage_ : nullptr,
                       topology_.traffic_ops ? topology_.traffic_ops->cachegroups : no_cachegroups);
  SerialKeeper serials = serials_;  // committed only if the build succeeds
  serials.assign(spec, effective, unix_now());
  answer_counters_.assign(spec, &live);
  auto snapshot = zones::Snapshot::build(spec);
  if (!snapshot) return tl::make_unexpected(snapshot.error());
  serials_ = std::move(serials);
  ++generation_;
  publisher_.publish(std::move(*snapshot));
  availability_ = availability(live);
  const auto elapsed =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
  spdlog::info(
      "snapshot {} published: {} zones, {} sources, {} relay groups, {} client views, built in "
      "{:.1f} ms",
      generation_, spec.zones.size(), spec.sources.size(), spec.groups.size(),
      views.view_names.size(), elapsed.count());
  log_pending(spec);
  spec_ = std::move(spec);
  views_ = std::move(views);
  published_unix_ms_ = unix_ms_now();
  build_ms_ = elapsed.count();
  return {};
}

void Daemon::log_pending(const zones::SnapshotSpec& spec) {
  std::vector<std::string> pending;
  for (const auto& group : spec.groups) {
    if (group.unavailable) pending.push_back(group.name);
  }
  if (pending == pending_) return;
  for (const auto& name : pending) {
    spdlog::warn(
        "relay group '{}' is not known yet (no Traffic Ops topology names it): its sources "
        "answer SERVFAIL until it is",
        name);
  }
  for (const auto& name : pending_) {
    if (std::find(pending.begin(), pending.end(), name) == pending.end())
      spdlog::info("relay group '{}' is known now", name);
  }
  pending_ = std::move(pending);
}

void Daemon::log_changes(const std::vector<DecisionChange>& changes) {
  const std::int64_t now = unix_ms_now();
  for (const auto& change : changes) {
    decision_log_.add(change, now);
    log_fields(spdlog::level::info, "decision " + change.group + ": " + change.description,
               {{"group", change.group},
                {"from", change.from ? std::string(policy::to_string(*change.from)) : "none"},
                {"to", std::string(policy::to_string(change.to))},
                {"reason", std::string(reason_label(change.reason))}});
  }
}

void Daemon::reevaluate() {
  const auto changes = live_->evaluate(std::chrono::steady_clock::now());
  log_changes(changes);
  // A group gaining or losing its last healthy relay moves clients between
  // groups even when its own answer stays (fail static).
  const bool rebuild =
      std::any_of(changes.begin(), changes.end(), [](const auto& c) { return c.answer_changed; }) ||
      availability(*live_) != availability_;
  if (!rebuild) return;
  if (auto published = publish(effective_, *live_); !published) {
    spdlog::error("snapshot rebuild failed: {}; still serving the previous one", published.error());
  }
}

void Daemon::republish(const char* why) {
  if (auto published = publish(effective_, *live_); !published) {
    spdlog::error("snapshot rebuild for the {} failed: {}; still serving the previous one", why,
                  published.error());
  }
}

void Daemon::tick() {
  ticker_.expires_after(kTick);
  ticker_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    reevaluate();
    if (++ticks_ % kCoverageCheckTicks == 0) check_coverage_zone_file(false);
    log_sampled_queries();
    publisher_.reap();
    tick();
  });
}

tl::expected<void, std::string> Daemon::adopt(config::Config effective, const char* what) {
  auto live = std::make_unique<LiveGroups>(effective, live_.get());
  log_changes(live->evaluate(std::chrono::steady_clock::now()));
  if (auto published = publish(effective, *live); !published) {
    spdlog::error("{} rejected: {}; still serving the previous snapshot", what, published.error());
    return tl::make_unexpected(published.error());
  }
  effective_ = std::move(effective);
  for (const auto& error : feeds_->update(*live, effective_.policy)) {
    spdlog::error("health feeds: {}", error);
  }
  live_ = std::move(live);
  return {};
}

void Daemon::on_topology(health::Topology topology) {
  const config::TrafficOpsConfig& settings = *config_.traffic_ops;
  Topology next;
  next.groups = topology_groups(topology, settings, config_.relay_groups);
  next.traffic_ops = std::move(topology);
  for (const auto& problem : next.groups.problems) spdlog::warn("Traffic Ops: {}", problem);
  if (!adopt(effective_config(config_, next), "Traffic Ops topology")) return;
  topology_ = std::move(next);
  spdlog::info("Traffic Ops topology applied: {} servers, {} cachegroups, {} relay groups",
               topology_.traffic_ops->servers.size(), topology_.traffic_ops->cachegroups.size(),
               topology_.groups.groups.size());
}

void Daemon::load_topology_cache() {
  if (!config_.traffic_ops || config_.traffic_ops->cache_file.empty()) return;
  auto cached = health::load_topology_cache(config_.traffic_ops->cache_file);
  if (!cached) {
    spdlog::warn("Traffic Ops cache: {}; waiting for Traffic Ops", cached.error());
    return;
  }
  spdlog::info("Traffic Ops cache {} loaded; it serves until Traffic Ops answers",
               config_.traffic_ops->cache_file);
  Topology next;
  next.groups = topology_groups(*cached, *config_.traffic_ops, config_.relay_groups);
  next.traffic_ops = std::move(*cached);
  for (const auto& problem : next.groups.problems) spdlog::warn("Traffic Ops: {}", problem);
  topology_ = std::move(next);
  effective_ = effective_config(config_, topology_);
}

void Daemon::start_traffic_ops() {
  if (traffic_ops_) traffic_ops_->stop();
  traffic_ops_.reset();
  traffic_ops_alive_ = std::make_shared<int>(0);
  if (!config_.traffic_ops) return;
  const config::TrafficOpsConfig& to = *config_.traffic_ops;
  auto credentials = health::read_traffic_ops_credentials();
  if (!credentials) {
    spdlog::error("Traffic Ops: {}; not polling", credentials.error());
    return;
  }
  health::TrafficOpsFeedConfig feed;
  feed.settings.url = to.url;
  feed.settings.api_version = to.api_version;
  feed.settings.cdn = to.cdn;
  feed.settings.ca_file = to.ca_file;
  feed.settings.insecure = to.insecure;
  feed.settings.timeout = std::chrono::milliseconds(to.timeout_ms);
  feed.settings.user = credentials->user;
  feed.settings.password = credentials->password;
  feed.poll_interval = std::chrono::seconds(to.poll_interval_s);
  feed.initial = topology_.traffic_ops;
  const std::string cache_file = to.cache_file;
  auto created = health::TrafficOpsFeed::create(
      std::move(feed), [this, cache_file, alive = std::weak_ptr<int>(traffic_ops_alive_)](
                           const health::Topology& topology) {
        // On the feed thread: keep it on disk first, so a restart finds it.
        if (!cache_file.empty()) {
          if (auto saved = health::save_topology_cache(cache_file, topology); !saved) {
            spdlog::warn("Traffic Ops cache: {}", saved.error());
          }
        }
        boost::asio::post(control_, [this, alive, topology] {
          if (!alive.expired()) on_topology(topology);
        });
      });
  if (!created) {
    spdlog::error("Traffic Ops: {}; not polling", created.error());
    return;
  }
  traffic_ops_ = std::move(*created);
  traffic_ops_->start();
  spdlog::info("Traffic Ops: polling {} (API {}, CDN {}) every {} s", to.url, to.api_version,
               to.cdn, to.poll_interval_s);
}

void Daemon::check_coverage_zone_file(bool at_start) {
  const std::string& path = config_.coverage_zone_file;
  if (path.empty()) {
    if (coverage_) {
      coverage_.reset();
      coverage_stamp_.clear();
      if (!at_start) republish("coverage zone file");
    }
    return;
  }
  const std::string stamp = path + "|" + file_stamp(path);
  if (stamp == coverage_stamp_) return;
  coverage_stamp_ = stamp;
  auto loaded = config::load_coverage_zone_file(path);
  if (!loaded) {
    spdlog::error("coverage zone file rejected: {}; {}", loaded.error(),
                  coverage_ ? "keeping the previous one" : "clients are not mapped");
    return;
  }
  if (coverage_ && *coverage_ == *loaded) return;
  std::size_t networks = 0;
  for (const auto& zone : loaded->zones) networks += zone.networks.size();
  spdlog::info("coverage zone file {} loaded: {} cachegroups, {} networks{}", path,
               loaded->zones.size(), networks,
               loaded->revision.empty() ? "" : ", revision " + loaded->revision);
  coverage_ = std::move(*loaded);
  if (!at_start) republish("coverage zone file");
}

admin::ReloadResult Daemon::reload() {
  const std::string& path = options_.config_path;
  admin::ReloadResult result;
  const auto rejected = [&](std::vector<std::string> errors) {
    for (const auto& error : errors) spdlog::error("reload rejected: {}", error);
    spdlog::error("reload rejected: still serving the previous config");
    ++reload_failures_;
    result.errors = std::move(errors);
    result.message = "rejected: still serving the previous config";
    result.generation = generation_;
    return result;
  };
  tl::expected<config::Config, config::ConfigErrors> next =
      path.empty() ? config::parse_config(config::demo_config_json(), "<demo>")
                   : config::load_config_file(path);
  if (!next) return rejected(next.error());
  if (options_.adjust) options_.adjust(*next);
  if (auto errors = check_feeds(*next); !errors.empty()) return rejected(std::move(errors));
  if (next->listen_text != config_.listen_text || next->threads != config_.threads) {
    spdlog::warn("reload: 'listen' and 'threads' take effect only at restart");
  }
  if (next->rrl != config_.rrl) spdlog::warn("reload: 'rrl' takes effect only at restart");
  if (next->admin.has_value() != config_.admin.has_value() ||
      (next->admin && next->admin->listen != config_.admin->listen)) {
    spdlog::warn("reload: 'admin' takes effect only at restart");
  }
  // The topology stays; its groups are rebuilt for the new settings and names.
  Topology topology = topology_;
  if (next->traffic_ops && topology.traffic_ops) {
    topology.groups =
        topology_groups(*topology.traffic_ops, *next->traffic_ops, next->relay_groups);
  }
  const bool traffic_ops_changed = next->traffic_ops != config_.traffic_ops;
  const config::Config previous = config_;
  config_ = std::move(*next);
  if (auto adopted = adopt(effective_config(config_, topology), "reload"); !adopted) {
    config_ = previous;
    return rejected({adopted.error()});
  }
  topology_ = std::move(topology);
  if (!config_.traffic_ops) topology_ = Topology{};
  if (traffic_ops_changed) start_traffic_ops();
  check_coverage_zone_file(false);
  ++reloads_;
  spdlog::info("reload: config {} applied", path.empty() ? "<demo>" : path);
  result.ok = true;
  result.message = "applied " + (path.empty() ? std::string("<demo>") : path);
  result.generation = generation_;
  return result;
}

tl::expected<void, std::string> Daemon::start_admin() {
  if (!config_.admin) return {};
  auto endpoint = dns::parse_listen_endpoint(config_.admin->listen);
  if (!endpoint) return tl::make_unexpected("admin.listen: " + endpoint.error());
  admin::Backend& backend = *this;
  router_ = std::make_unique<admin::Router>(backend, options_.admin_token);
  admin_ = std::make_unique<admin::HttpServer>(
      control_, [this](const admin::HttpRequest& request) { return router_->handle(request); });
  if (auto listening =
          admin_->listen(boost::asio::ip::tcp::endpoint(endpoint->address, endpoint->port));
      !listening) {
    return tl::make_unexpected("admin: cannot listen on " + listening.error());
  }
  if (!endpoint->address.is_loopback()) {
    spdlog::warn("admin API on {}, not a loopback address{}", config_.admin->listen,
                 options_.admin_token.empty() ? ", and no DRIAD_ADMIN_TOKEN is set" : "");
  }
  spdlog::info("admin API on http://{} ({})", config_.admin->listen,
               options_.admin_token.empty() ? "no token" : "bearer token required");
  return {};
}

void Daemon::log_sampled_queries() {
  if (server_ && options_.query_log_sample != 0) server_->drain_query_log(log_query);
}

// SIGTERM or SIGINT: no new queries (the listeners close once the datagrams
// already queued are answered); open TCP connections keep answering what they
// read until they close or drain_timeout passes; then run() returns.
void Daemon::begin_drain(int signal) {
  draining_ = true;
  spdlog::info(
      "signal {}: stopping: draining: listeners closed, {} TCP connections get up to {} ms", signal,
      server_->open_tcp_connections(), options_.drain_timeout.count());
  server_->stop_accepting();
  drain_deadline_ = std::chrono::steady_clock::now() + options_.drain_timeout;
  wait_drained();
}

void Daemon::wait_drained() {
  // The first look comes after one poll, so that every worker has run the
  // posted close of its listeners.
  drain_timer_.expires_after(kDrainPoll);
  drain_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    const unsigned open = server_->open_tcp_connections();
    if (open == 0 || std::chrono::steady_clock::now() >= drain_deadline_) {
      if (open != 0) spdlog::info("drain: closing {} TCP connections still open", open);
      control_.stop();
      return;
    }
    wait_drained();
  });
}

// Once the query threads run, this (control) thread and every thread it
// starts later (feeds, Traffic Ops, gRPC) run 10 nice levels lower. Why: a
// running thread keeps its core until its time slice ends, so on a core shared
// with a 1M-source reload a query waited up to a tick (4 ms) behind it; the
// lower the reload's priority, the sooner a waking query thread takes the core.
// bench/RESULTS.md: p99 during reloads on one core 3.6-3.8 ms at +0, 1.9-2.4 at
// +10, 0.5 at +19. Not 19: against any busy process of nice 0 (another
// daemon, a build) control work would get ~1.5% of a core, health decisions
// included; at +10 it keeps ~10%. On Linux the nice value is per thread;
// raising it needs no privilege.
void Daemon::yield_to_query_threads() {
  errno = 0;
  const int query_nice = getpriority(PRIO_PROCESS, 0);
  if (errno != 0) return;
  const int control_nice = std::min(query_nice + kControlNiceIncrement, 19);
  if (setpriority(PRIO_PROCESS, 0, control_nice) != 0) {
    spdlog::warn("control thread: nice {}: {}", control_nice, std::strerror(errno));
    return;
  }
  spdlog::info("control work at nice {}, query threads at nice {}", control_nice, query_nice);
}

int Daemon::run() {
  // Signals are caught from here on: one that arrives while the listeners
  // start is queued, not fatal.
  boost::asio::signal_set signals(control_, SIGHUP, SIGTERM, SIGINT);
  // Start-up never waits on Traffic Ops: the cached topology (if any) serves
  // until it answers.
  load_topology_cache();
  check_coverage_zone_file(true);
  live_ = std::make_unique<LiveGroups>(effective_);
  log_changes(live_->evaluate(std::chrono::steady_clock::now()));
  if (auto published = publish(effective_, *live_); !published) {
    spdlog::error("{}: {}", config_.file, published.error());
    return 1;
  }
  dns::ServerOptions options;
  options.listen = config_.listen;
  options.threads = config_.threads;
  options.tcp_idle_timeout = config_.tcp.idle_timeout;
  options.tcp_max_connections = config_.tcp.max_connections;
  options.tcp_max_connections_per_client = config_.tcp.max_connections_per_client;
  options.rrl = config_.rrl;
  options.query_log_sample = options_.query_log_sample;
  server_ = std::make_unique<dns::Server>(publisher_, options);
  if (auto bound = server_->bind(); !bound) {
    const bool denied = bound.error().find("ermission denied") != std::string::npos;
    spdlog::error("cannot listen: {}{}", bound.error(),
                  denied ? "; " + privileged_port_hint() : std::string());
    return 1;
  }
  if (auto admin = start_admin(); !admin) {
    spdlog::error("{}", admin.error());
    return 1;
  }
  // Every socket is bound: nothing below needs a privilege.
  auto dropped = drop_privileges(options_.run_as ? &*options_.run_as : nullptr);
  if (!dropped) {
    spdlog::error("cannot drop privileges: {}", dropped.error());
    return 1;
  }
  if (geteuid() == 0) {
    spdlog::warn("{}", *dropped);
  } else {
    spdlog::info("{}", *dropped);
  }
  feeds_ = std::make_unique<Feeds>(control_, [this] { reevaluate(); });
  if (auto errors = feeds_->update(*live_, effective_.policy); !errors.empty()) {
    for (const auto& error : errors) spdlog::error("{}", error);
    return 1;
  }
  server_->start();
  yield_to_query_threads();
  serving_ = true;
  for (const auto& text : config_.listen_text) spdlog::info("answering on {} (UDP and TCP)", text);
  start_traffic_ops();

  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        if (signal == SIGHUP) {
          spdlog::info("SIGHUP: reloading");
          reload();
          publisher_.reap();
        } else if (!draining_) {
          begin_drain(signal);
        } else {
          spdlog::info("signal {} while draining: stopping now", signal);
          control_.stop();
          return;
        }
        signals.async_wait(on_signal);
      };
  signals.async_wait(on_signal);
  tick();
  control_.run();
  if (admin_) admin_->close();
  if (traffic_ops_) traffic_ops_->stop();
  feeds_->stop();
  server_->stop();
  log_sampled_queries();
  spdlog::info("stopped");
  return 0;
}

}  // namespace driad::app
