// Implements render_metrics (metrics.hpp): every driad_ family, in one place.
#include "admin/metrics.hpp"

#include <array>
#include <string>

#include "admin/prometheus.hpp"

namespace driad::admin {
namespace {

using Type = Exposition::Type;

constexpr std::array<std::string_view, 6> kDecisionKinds = {
    "mx_first", "spill", "gateway_first", "gateway_only", "mx_only", "fail_static"};
constexpr std::array<std::string_view, 4> kMxStates = {"unknown", "healthy", "unhealthy", "stale"};
constexpr std::array<std::string_view, 3> kGatewayStates = {"healthy", "unhealthy", "redirecting"};

double seconds(std::int64_t unix_ms) {
  return static_cast<double>(unix_ms) / 1000.0;
}

// Answers served per relay group and decision; series appear once non-zero.
void relay_set_answers(Exposition& out, const Status& status) {
  out.family("driad_relay_group_answers_total", Type::counter,
             "AMTRELAY answers served, by the relay group whose relays they carry and the "
             "decision they came from (static: configured relays)");
  const auto& counts = status.queries.relay_set_answers;
  for (std::size_t c = 0; c < status.answer_counters.size() && c < counts.size(); ++c) {
    if (counts[c] == 0) continue;
    const AnswerCounterName& name = status.answer_counters[c];
    out.sample("driad_relay_group_answers_total",
               {{"group", name.group}, {"decision", name.decision}}, counts[c]);
  }
}

void queries(Exposition& out, const dns::QueryTotals& totals) {
  out.family("driad_queries_total", Type::counter,
             "DNS queries read, by transport, QTYPE and response RCODE (series appear once "
             "non-zero)");
  for (std::size_t t = 0; t < dns::kTransports; ++t) {
    const auto transport = dns::to_string(static_cast<dns::Transport>(t));
    for (std::size_t q = 0; q < dns::kQtypeBuckets; ++q) {
      for (std::size_t r = 0; r < dns::kRcodeBuckets; ++r) {
        const std::uint64_t count = totals.queries[t][q][r];
        if (count == 0) continue;
        out.sample("driad_queries_total",
                   {{"transport", transport},
                    {"qtype", dns::to_string(static_cast<dns::QtypeBucket>(q))},
                    {"rcode", dns::to_string(static_cast<dns::RcodeBucket>(r))}},
                   count);
      }
    }
  }
  out.family("driad_answers_total", Type::counter,
             "DNS queries by transport and the kind of answer given (dropped: none sent)");
  for (std::size_t t = 0; t < dns::kTransports; ++t) {
    for (std::size_t k = 0; k < dns::kAnswerKinds; ++k) {
      out.sample("driad_answers_total",
                 {{"transport", dns::to_string(static_cast<dns::Transport>(t))},
                  {"kind", dns::to_string(static_cast<dns::AnswerKind>(k))}},
                 totals.answers[t][k]);
    }
  }
  out.family("driad_query_duration_seconds", Type::histogram,
             "Time from reading a query (its UDP batch or TCP read) to handing its answer to the "
             "kernel");
  std::array<double, dns::kLatencyBoundsNs.size()> bounds{};
  for (std::size_t b = 0; b < bounds.size(); ++b)
    bounds[b] = static_cast<double>(dns::kLatencyBoundsNs[b]) / 1e9;
  for (std::size_t t = 0; t < dns::kTransports; ++t) {
    out.histogram("driad_query_duration_seconds",
                  {{"transport", dns::to_string(static_cast<dns::Transport>(t))}}, bounds,
                  totals.latency[t], static_cast<double>(totals.latency_sum_ns[t]) / 1e9);
  }
  out.family("driad_query_log_sampled_total", Type::counter,
             "Queries sampled for the query log (--query-log-sample)");
  out.sample("driad_query_log_sampled_total", {}, totals.query_log_sampled);
  out.family("driad_query_log_dropped_total", Type::counter,
             "Sampled queries dropped because a worker's query-log ring was full");
  out.sample("driad_query_log_dropped_total", {}, totals.query_log_dropped);
  out.family("driad_rrl_dropped_total", Type::counter,
             "UDP responses response rate limiting did not send");
  out.sample("driad_rrl_dropped_total", {}, totals.rrl_dropped);
  out.family("driad_rrl_slipped_total", Type::counter,
             "UDP responses response rate limiting sent truncated (TC) instead");
  out.sample("driad_rrl_slipped_total", {}, totals.rrl_slipped);
}

void groups(Exposition& out, const Status& status) {
  out.family("driad_relay_group_decision", Type::gauge,
             "1 for the current decision of each live relay group, 0 for the others");
  for (const GroupStatus& group : status.groups) {
    if (!group.decision) continue;
    for (const std::string_view kind : kDecisionKinds) {
      out.sample("driad_relay_group_decision", {{"group", group.name}, {"decision", kind}},
                 kind == group.decision->kind ? 1.0 : 0.0);
    }
  }
  out.family("driad_relay_group_available", Type::gauge,
             "1 when a relay group answers from healthy relays (0: fail static, or not known yet)");
  for (const GroupStatus& group : status.groups) {
    out.sample("driad_relay_group_available", {{"group", group.name}, {"type", group.type}},
               group.available ? 1.0 : 0.0);
  }
  out.family("driad_relay_group_ttl_seconds", Type::gauge, "TTL of a relay group's answer now");
  for (const GroupStatus& group : status.groups) {
    out.sample("driad_relay_group_ttl_seconds", {{"group", group.name}},
               static_cast<double>(group.ttl));
  }
  out.family("driad_relay_group_answer_relays", Type::gauge,
             "AMTRELAY records in a relay group's answer now");
  for (const GroupStatus& group : status.groups) {
    out.sample("driad_relay_group_answer_relays", {{"group", group.name}},
               static_cast<double>(group.answer.size()));
  }
  out.family("driad_decision_changes_total", Type::counter,
             "Changes of a live relay group's decision, by the decision taken and its reason");
  for (const DecisionChangeCount& change : status.decision_changes) {
    out.sample("driad_decision_changes_total",
               {{"group", change.group}, {"to", change.to}, {"reason", change.reason}},
               change.count);
  }
}

void relays(Exposition& out, const Status& status) {
  // One pass per family: the format wants a family's samples together.
  const auto each = [&](std::string_view role, auto&& emit) {
    for (const GroupStatus& group : status.groups) {
      for (const RelayStatus& relay : group.relays) {
        if (relay.role == role) emit(group, relay);
      }
    }
  };
  out.family("driad_mx_connected", Type::gauge, "1 while the gNMI stream to the MX is up");
  each("mx", [&](const GroupStatus& g, const RelayStatus& r) {
    out.sample("driad_mx_connected", {{"group", g.name}, {"relay", r.relay}},
               r.connected ? 1.0 : 0.0);
  });
  out.family("driad_mx_last_message_age_seconds", Type::gauge,
             "Seconds since the last gNMI message from the MX (absent before the first)");
  each("mx", [&](const GroupStatus& g, const RelayStatus& r) {
    if (r.last_message_age_s)
      out.sample("driad_mx_last_message_age_seconds", {{"group", g.name}, {"relay", r.relay}},
                 *r.last_message_age_s);
  });
  out.family("driad_mx_stale", Type::gauge, "1 when the MX said nothing within stale_after");
  each("mx", [&](const GroupStatus& g, const RelayStatus& r) {
    out.sample("driad_mx_stale", {{"group", g.name}, {"relay", r.relay}},
               r.state == "stale" ? 1.0 : 0.0);
  });
  out.family("driad_mx_state", Type::gauge, "1 for the MX's current health state");
  each("mx", [&](const GroupStatus& g, const RelayStatus& r) {
    for (const std::string_view state : kMxStates) {
      out.sample("driad_mx_state", {{"group", g.name}, {"relay", r.relay}, {"state", state}},
                 state == r.state ? 1.0 : 0.0);
    }
  });
  out.family("driad_mx_load_ratio", Type::gauge,
             "MX load: AMT tunnels over max_tunnels (or the byte rate over capacity_bps)");
  each("mx", [&](const GroupStatus& g, const RelayStatus& r) {
    out.sample("driad_mx_load_ratio", {{"group", g.name}, {"relay", r.relay}}, r.load);
  });
  out.family("driad_mx_tunnels", Type::gauge, "Active AMT tunnels the MX reports");
  each("mx", [&](const GroupStatus& g, const RelayStatus& r) {
    if (r.tunnels)
      out.sample("driad_mx_tunnels", {{"group", g.name}, {"relay", r.relay}}, *r.tunnels);
  });
  out.family("driad_mx_messages_total", Type::counter, "Good gNMI messages received from the MX");
  each("mx", [&](const GroupStatus& g, const RelayStatus& r) {
    out.sample("driad_mx_messages_total", {{"group", g.name}, {"relay", r.relay}}, r.messages);
  });
  out.family("driad_mx_failures_total", Type::counter, "gNMI connection and RPC failures");
  each("mx", [&](const GroupStatus& g, const RelayStatus& r) {
    out.sample("driad_mx_failures_total", {{"group", g.name}, {"relay", r.relay}}, r.failures);
  });
  out.family("driad_mx_rejects_total", Type::counter,
             "Values of watched gNMI leaves the MX sent that could not be decoded");
  each("mx", [&](const GroupStatus& g, const RelayStatus& r) {
    out.sample("driad_mx_rejects_total", {{"group", g.name}, {"relay", r.relay}}, r.rejects);
  });

  out.family("driad_gateway_probe_state", Type::gauge,
             "1 for the gateway's current probe state (an unprobed gateway counts as healthy)");
  each("gateway", [&](const GroupStatus& g, const RelayStatus& r) {
    for (const std::string_view state : kGatewayStates) {
      out.sample("driad_gateway_probe_state",
                 {{"group", g.name}, {"relay", r.relay}, {"state", state}},
                 state == r.state ? 1.0 : 0.0);
    }
  });
  out.family("driad_gateway_probe_rtt_seconds", Type::gauge,
             "Round-trip time of the last answered RFC 7450 discovery probe");
  each("gateway", [&](const GroupStatus& g, const RelayStatus& r) {
    if (r.rtt_ms)
      out.sample("driad_gateway_probe_rtt_seconds", {{"group", g.name}, {"relay", r.relay}},
                 *r.rtt_ms / 1000.0);
  });
  out.family("driad_gateway_probe_answers_total", Type::counter,
             "Acceptable relay advertisements received by the probe");
  each("gateway", [&](const GroupStatus& g, const RelayStatus& r) {
    if (r.watched)
      out.sample("driad_gateway_probe_answers_total", {{"group", g.name}, {"relay", r.relay}},
                 r.messages);
  });
  out.family("driad_gateway_probe_failures_total", Type::counter, "Probe send or receive errors");
  each("gateway", [&](const GroupStatus& g, const RelayStatus& r) {
    if (r.watched)
      out.sample("driad_gateway_probe_failures_total", {{"group", g.name}, {"relay", r.relay}},
                 r.failures);
  });
}

void traffic_ops(Exposition& out, const TrafficOpsStatus& to) {
  out.family("driad_traffic_ops_polling", Type::gauge, "1 while the Traffic Ops feed runs");
  out.sample("driad_traffic_ops_polling", {}, to.polling ? 1.0 : 0.0);
  out.family("driad_traffic_ops_last_success_age_seconds", Type::gauge,
             "Seconds since the last successful Traffic Ops fetch (absent before the first)");
  if (to.last_success_age_s)
    out.sample("driad_traffic_ops_last_success_age_seconds", {}, *to.last_success_age_s);
  out.family("driad_traffic_ops_last_success_time_seconds", Type::gauge,
             "Unix time of the last successful Traffic Ops fetch");
  if (to.last_success_unix_ms)
    out.sample("driad_traffic_ops_last_success_time_seconds", {},
               seconds(*to.last_success_unix_ms));
  out.family("driad_traffic_ops_fetches_total", Type::counter,
             "Successful Traffic Ops fetches (new, unchanged or 304)");
  out.sample("driad_traffic_ops_fetches_total", {}, to.fetches);
  out.family("driad_traffic_ops_failures_total", Type::counter,
             "Failed Traffic Ops fetches (transport, HTTP, login, malformed body)");
  out.sample("driad_traffic_ops_failures_total", {}, to.failures);
  out.family("driad_traffic_ops_updates_total", Type::counter,
             "New topologies handed to the daemon");
  out.sample("driad_traffic_ops_updates_total", {}, to.updates);
  out.family("driad_traffic_ops_rejects_total", Type::counter,
             "Topologies refused (an empty server list after a non-empty one)");
  out.sample("driad_traffic_ops_rejects_total", {}, to.rejects);
}

}  // namespace

std::string render_metrics(const Status& status) {
  Exposition out;
  out.family("driad_build_info", Type::gauge, "driad's version, as a label");
  out.sample("driad_build_info", {{"version", status.version}}, 1.0);
  out.family("driad_ready", Type::gauge,
             "1 when a snapshot is loaded and the DNS listeners are bound (see /readyz)");
  out.sample("driad_ready", {}, status.ready ? 1.0 : 0.0);
  out.family("driad_uptime_seconds", Type::gauge, "Seconds since driadd started");
  out.sample("driad_uptime_seconds", {}, status.uptime_s);
  out.family("driad_tcp_connections", Type::gauge, "Open DNS-over-TCP connections");
  out.sample("driad_tcp_connections", {}, static_cast<double>(status.tcp_connections));

  queries(out, status.queries);
  relay_set_answers(out, status);

  const SnapshotStatus& snapshot = status.snapshot;
  out.family("driad_snapshot_generation", Type::gauge, "Generation of the snapshot answering now");
  out.sample("driad_snapshot_generation", {}, snapshot.generation);
  out.family("driad_snapshot_build_seconds", Type::gauge,
             "How long the last snapshot took to build");
  out.sample("driad_snapshot_build_seconds", {}, snapshot.build_ms / 1000.0);
  out.family("driad_snapshot_built_time_seconds", Type::gauge,
             "Unix time the snapshot answering now was published");
  out.sample("driad_snapshot_built_time_seconds", {}, seconds(snapshot.built_unix_ms));
  out.family("driad_snapshot_bytes", Type::gauge, "Heap bytes of the snapshot answering now");
  out.sample("driad_snapshot_bytes", {}, snapshot.bytes);
  out.family("driad_snapshot_sources", Type::gauge, "Source prefixes in the snapshot");
  out.sample("driad_snapshot_sources", {}, static_cast<double>(snapshot.sources));
  out.family("driad_snapshot_relay_groups", Type::gauge, "Relay groups in the snapshot");
  out.sample("driad_snapshot_relay_groups", {}, static_cast<double>(snapshot.groups));
  out.family("driad_snapshot_client_views", Type::gauge,
             "Client views (coverage-zone cachegroups) in the snapshot");
  out.sample("driad_snapshot_client_views", {}, static_cast<double>(snapshot.client_views));
  out.family("driad_zone_serial", Type::gauge, "SOA serial of each zone");
  for (const ZoneStatus& zone : status.zones) {
    out.sample("driad_zone_serial", {{"zone", zone.origin}}, static_cast<double>(zone.serial));
  }
  out.family("driad_reloads_total", Type::counter, "Config reloads (SIGHUP or the API), by result");
  out.sample("driad_reloads_total", {{"result", "applied"}}, status.reloads);
  out.sample("driad_reloads_total", {{"result", "rejected"}}, status.reload_failures);

  groups(out, status);
  relays(out, status);
  if (status.traffic_ops) traffic_ops(out, *status.traffic_ops);
  return out.text();
}

}  // namespace driad::admin
