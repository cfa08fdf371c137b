// The daemon as the admin API sees it (admin::Backend): readiness, the Status
// behind /api/v1/state and /metrics, the decision log, and explain. All on the
// control thread, reading the daemon's own state.
#include <algorithm>
#include <chrono>

#include "dns/name.hpp"
#include "policy/relay_text.hpp"
#include "src/daemon.hpp"
#include "src/explain.hpp"

namespace driad::app {
namespace {

using Steady = std::chrono::steady_clock;

std::string address_text(const zones::Prefix& address) {
  const std::string text = zones::to_string(address);
  return text.substr(0, text.find('/'));
}

// Converts steady-clock readings to wall-clock times, from one pair of
// readings taken together.
struct Clocks {
  Steady::time_point steady = Steady::now();
  std::int64_t unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();

  std::int64_t unix_ms_of(Steady::time_point at) const {
    return unix_ms - std::chrono::duration_cast<std::chrono::milliseconds>(steady - at).count();
  }
  double age_s(Steady::time_point at) const {
    return std::chrono::duration<double>(steady - at).count();
  }
};

// A feed's last good message, from its counters (0: none yet).
std::optional<Steady::time_point> last_message(const health::FeedCounters* counters) {
  if (counters == nullptr) return std::nullopt;
  const std::int64_t ns = counters->last_message_ns.load();
  if (ns == 0) return std::nullopt;
  return Steady::time_point(
      std::chrono::duration_cast<Steady::duration>(std::chrono::nanoseconds(ns)));
}

void add_counters(admin::RelayStatus& relay, const health::FeedCounters* counters,
                  const Clocks& clocks) {
  if (counters == nullptr) return;
  relay.connected = counters->connected.load();
  relay.messages = counters->messages.load();
  relay.failures = counters->failures.load();
  relay.rejects = counters->rejects.load();
  if (const auto last = last_message(counters)) {
    relay.last_message_unix_ms = clocks.unix_ms_of(*last);
    relay.last_message_age_s = clocks.age_s(*last);
  }
}

std::vector<std::string> relay_texts(const std::vector<policy::AmtRelay>& relays) {
  std::vector<std::string> out;
  out.reserve(relays.size());
  for (const auto& relay : relays) out.push_back(policy::to_text(relay));
  return out;
}

}  // namespace

admin::Readiness Daemon::readiness() const {
  if (draining_) return {false, "draining: the listeners are closed"};
  if (!publisher_.latest()) return {false, "no snapshot is loaded"};
  if (!serving_) return {false, "the DNS listeners are not bound yet"};
  return {true, "ready"};
}

admin::Status Daemon::status() const {
  const Clocks clocks;
  admin::Status out;
  out.version = DRIAD_VERSION;
  out.now_unix_ms = clocks.unix_ms;
  out.uptime_s = clocks.age_s(started_);
  const admin::Readiness ready = readiness();
  out.ready = ready.ready;
  if (!ready.ready) out.not_ready = ready.reason;
  out.config_file = options_.config_path.empty() ? "<demo>" : options_.config_path;
  out.listen = config_.listen_text;
  if (config_.admin) out.admin_listen = config_.admin->listen;

  out.snapshot.generation = generation_;
  out.snapshot.built_unix_ms = published_unix_ms_;
  out.snapshot.build_ms = build_ms_;
  if (const auto snapshot = publisher_.latest()) out.snapshot.bytes = snapshot->memory_bytes();
  out.snapshot.zones = spec_.zones.size();
  out.snapshot.sources = spec_.sources.size();
  out.snapshot.groups = spec_.groups.size();
  out.snapshot.client_views = views_.view_names.size();
  for (const zones::ZoneSpec& zone : spec_.zones) {
    out.zones.push_back({dns::name_to_text(zone.origin), zone.soa.serial});
  }

  SourceCounts& counted = source_counts_;
  if (!counted.of.shares(spec_.sources) || counted.groups != spec_.groups.size()) {
    counted.of = spec_.sources;
    counted.groups = spec_.groups.size();
    counted.counts.assign(spec_.groups.size(), 0);
    counted.samples.assign(spec_.groups.size(), std::string());
    for (const zones::SourceSpec& source : spec_.sources) {
      if (counted.counts[source.group]++ == 0)
        counted.samples[source.group] = zones::to_string(source.prefix);
    }
  }
  std::vector<std::string> from_traffic_ops;
  for (const auto& group : topology_.groups.groups) from_traffic_ops.push_back(group.name);
  for (std::size_t row = 0; row < spec_.groups.size(); ++row) {
    const zones::GroupAnswerSpec& answer = spec_.groups[row];
    admin::GroupStatus group;
    group.name = answer.name;
    group.sources = counted.counts[row];
    group.sample_source = counted.samples[row];
    group.answer = relay_texts(answer.relays);
    group.ttl = answer.ttl;
    const bool topology =
        config_.traffic_ops && std::find(from_traffic_ops.begin(), from_traffic_ops.end(),
                                         answer.name) != from_traffic_ops.end();
    group.origin = topology ? "traffic_ops" : "config";
    const auto live = live_ ? live_->index_of(answer.name) : std::nullopt;
    if (answer.unavailable) {
      group.type = "pending";
      group.available = false;
    } else if (!live) {
      group.type = "static";
    } else {
      group.type = "live";
      group.available = live_->available(*live);
      if (const policy::Decision* decision = live_->decision(answer.name)) {
        admin::DecisionStatus status;
        status.kind = std::string(policy::to_string(decision->kind));
        status.reason = std::string(reason_label(decision->reason));
        status.reason_text = std::string(decision->reason_text());
        status.relays = relay_texts(decision->relays);
        status.ttl = decision->ttl;
        if (decision->changed_at != policy::Time{})
          status.since_unix_ms = clocks.unix_ms_of(decision->changed_at);
        group.decision = std::move(status);
      }
      const config::RelayGroupConfig& settings = live_->config(*live);
      const policy::GroupHealth& health = live_->health(*live);
      if (settings.mx) {
        admin::RelayStatus mx;
        mx.role = "mx";
        mx.relay = address_text(settings.mx->relay);
        mx.state = std::string(policy::to_string(health.mx.state));
        if (health.mx.since != policy::Time{})
          mx.state_since_unix_ms = clocks.unix_ms_of(health.mx.since);
        mx.load = health.mx.load;
        mx.max_tunnels = settings.mx->max_tunnels;
        mx.gnmi_target = settings.mx->gnmi_target;
        if (settings.mx->tls) {
          const config::TlsConfig& tls = *settings.mx->tls;
          mx.tls = admin::TlsPaths{tls.ca, tls.cert, tls.key, tls.server_name};
        }
        if (const auto& seen = live_->last_mx(*live)) {
          mx.detail = seen->detail;
          if (seen->tunnels_known) mx.tunnels = seen->tunnels;
        }
        add_counters(mx, feeds_ ? feeds_->mx_counters(answer.name) : nullptr, clocks);
        group.relays.push_back(std::move(mx));
      }
      for (std::size_t i = 0; i < settings.gateways.size(); ++i) {
        const config::GatewayConfig& config = settings.gateways[i];
        admin::RelayStatus gateway;
        gateway.role = "gateway";
        gateway.relay = address_text(config.relay);
        gateway.state = std::string(policy::to_string(health.gateways[i]));
        gateway.watched = config.probe;
        gateway.probe_port = config.probe_port;
        if (!config.probe) gateway.detail = "not probed";
        if (const auto& seen = live_->last_gateway(*live, i)) {
          gateway.detail = seen->detail;
          if (seen->state != policy::GatewayState::unhealthy)
            gateway.rtt_ms = std::chrono::duration<double, std::milli>(seen->rtt).count();
        }
        add_counters(gateway, feeds_ ? feeds_->probe_counters(answer.name, i) : nullptr, clocks);
        group.relays.push_back(std::move(gateway));
      }
    }
    out.groups.push_back(std::move(group));
  }

  if (config_.traffic_ops) {
    const config::TrafficOpsConfig& settings = *config_.traffic_ops;
    admin::TrafficOpsStatus to;
    to.url = settings.url;
    to.api_version = settings.api_version;
    to.cdn = settings.cdn;
    to.ca_file = settings.ca_file;
    to.insecure = settings.insecure;
    to.timeout_ms = settings.timeout_ms;
    to.polling = traffic_ops_ != nullptr;
    if (traffic_ops_) {
      const health::TrafficOpsCounters& counters = traffic_ops_->counters();
      to.connected = counters.connected.load();
      to.fetches = counters.messages.load();
      to.failures = counters.failures.load();
      to.rejects = counters.rejects.load();
      to.updates = counters.updates.load();
      if (const std::int64_t last = counters.last_success_unix_ms.load(); last != 0) {
        to.last_success_unix_ms = last;
        to.last_success_age_s = static_cast<double>(clocks.unix_ms - last) / 1000.0;
      }
    }
    if (topology_.traffic_ops) {
      to.servers = topology_.traffic_ops->servers.size();
      to.cachegroups = topology_.traffic_ops->cachegroups.size();
    }
    out.traffic_ops = std::move(to);
  }
  out.coverage_zone_file = config_.coverage_zone_file;
  out.coverage_zones = coverage_ ? coverage_->zones.size() : 0;

  for (const auto& [key, count] : decision_log_.counts()) {
    const auto& [group, to, reason] = key;
    out.decision_changes.push_back(
        {group, std::string(policy::to_string(to)), std::string(reason_label(reason)), count});
  }
  out.reloads = reloads_;
  out.reload_failures = reload_failures_;
  if (server_) {
    out.tcp_connections = server_->open_tcp_connections();
    out.queries = server_->stats();
  }
  for (const AnswerCounterLabel& label : answer_counters_.labels())
    out.answer_counters.push_back({label.group, label.decision});
  return out;
}

std::vector<admin::DecisionRecord> Daemon::decisions(std::size_t limit) const {
  std::vector<admin::DecisionRecord> out;
  for (const DecisionEvent& event : decision_log_.last(limit)) {
    admin::DecisionRecord record;
    record.time_unix_ms = event.unix_ms;
    record.group = event.group;
    if (event.from) record.from = std::string(policy::to_string(*event.from));
    record.to = std::string(policy::to_string(event.to));
    record.reason = std::string(reason_label(event.reason));
    record.reason_text = std::string(policy::to_string(event.reason));
    record.description = event.description;
    out.push_back(std::move(record));
  }
  return out;
}

tl::expected<admin::Explanation, std::string> Daemon::explain(std::string_view source,
                                                              std::string_view client) const {
  const auto snapshot = publisher_.latest();
  ExplainContext context;
  context.snapshot = snapshot.get();
  context.spec = &spec_;
  context.views = &views_;
  context.live = live_.get();
  return app::explain(context, source, client);
}

}  // namespace driad::app
