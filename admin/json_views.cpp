// Implements the JSON views (json_views.hpp) with nlohmann/json.
#include "admin/json_views.hpp"

#include <nlohmann/json.hpp>

namespace driad::admin {
namespace {

using json = nlohmann::ordered_json;  // members in the order written here

template <typename T>
json optional(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json relay_json(const RelayStatus& relay) {
  json out = {{"role", relay.role},
              {"relay", relay.relay},
              {"state", relay.state},
              {"detail", relay.detail},
              {"watched", relay.watched},
              {"connected", relay.connected},
              {"last_message_unix_ms", optional(relay.last_message_unix_ms)},
              {"last_message_age_s", optional(relay.last_message_age_s)},
              {"messages", relay.messages},
              {"failures", relay.failures},
              {"rejects", relay.rejects}};
  if (relay.role == "mx") {
    out["state_since_unix_ms"] = optional(relay.state_since_unix_ms);
    out["load"] = relay.load;
    out["tunnels"] = optional(relay.tunnels);
    out["max_tunnels"] = relay.max_tunnels;
    out["gnmi_target"] = relay.gnmi_target;
    if (relay.tls) {
      out["tls"] = {{"ca", relay.tls->ca},
                    {"cert", relay.tls->cert},
                    {"key", relay.tls->key},
                    {"server_name", relay.tls->server_name}};
    } else {
      out["tls"] = nullptr;
    }
  } else {
    out["rtt_ms"] = optional(relay.rtt_ms);
    out["probe_port"] = relay.probe_port;
  }
  return out;
}

json group_json(const GroupStatus& group) {
  json out = {
      {"name", group.name},
      {"origin", group.origin},
      {"type", group.type},
      {"available", group.available},
      {"answer", group.answer},
      {"ttl", group.ttl},
      {"sources", group.sources},
      {"sample_source", group.sample_source.empty() ? json(nullptr) : json(group.sample_source)}};
  if (group.decision) {
    const DecisionStatus& decision = *group.decision;
    out["decision"] = {{"kind", decision.kind},
                       {"reason", decision.reason},
                       {"reason_text", decision.reason_text},
                       {"relays", decision.relays},
                       {"ttl", decision.ttl},
                       {"since_unix_ms", optional(decision.since_unix_ms)}};
  } else {
    out["decision"] = nullptr;
  }
  json relays = json::array();
  for (const RelayStatus& relay : group.relays) relays.push_back(relay_json(relay));
  out["relays"] = std::move(relays);
  return out;
}

json traffic_ops_json(const TrafficOpsStatus& to) {
  return {{"url", to.url},
          {"api_version", to.api_version},
          {"cdn", to.cdn},
          {"ca_file", to.ca_file},
          {"insecure", to.insecure},
          {"timeout_ms", to.timeout_ms},
          {"polling", to.polling},
          {"connected", to.connected},
          {"last_success_unix_ms", optional(to.last_success_unix_ms)},
          {"last_success_age_s", optional(to.last_success_age_s)},
          {"fetches", to.fetches},
          {"failures", to.failures},
          {"rejects", to.rejects},
          {"updates", to.updates},
          {"servers", to.servers},
          {"cachegroups", to.cachegroups}};
}

json queries_json(const dns::QueryTotals& totals) {
  json out = {{"total", totals.total()}};
  for (std::size_t t = 0; t < dns::kTransports; ++t) {
    json kinds = json::object();
    for (std::size_t k = 0; k < dns::kAnswerKinds; ++k) {
      kinds[std::string(dns::to_string(static_cast<dns::AnswerKind>(k)))] = totals.answers[t][k];
    }
    out[std::string(dns::to_string(static_cast<dns::Transport>(t)))] = std::move(kinds);
  }
  return out;
}

}  // namespace

std::string state_json(const Status& status) {
  json zones = json::array();
  for (const ZoneStatus& zone : status.zones) {
    zones.push_back({{"origin", zone.origin}, {"serial", zone.serial}});
  }
  json groups = json::array();
  for (const GroupStatus& group : status.groups) groups.push_back(group_json(group));
  json changes = json::array();
  for (const DecisionChangeCount& change : status.decision_changes) {
    changes.push_back({{"group", change.group},
                       {"to", change.to},
                       {"reason", change.reason},
                       {"count", change.count}});
  }
  const SnapshotStatus& snapshot = status.snapshot;
  const json out = {
      {"version", status.version},
      {"now_unix_ms", status.now_unix_ms},
      {"uptime_s", status.uptime_s},
      {"ready", status.ready},
      {"not_ready", status.not_ready},
      {"config_file", status.config_file},
      {"listen", status.listen},
      {"admin_listen", status.admin_listen},
      {"snapshot",
       {{"generation", snapshot.generation},
        {"built_unix_ms", snapshot.built_unix_ms},
        {"build_ms", snapshot.build_ms},
        {"bytes", snapshot.bytes},
        {"zones", snapshot.zones},
        {"sources", snapshot.sources},
        {"groups", snapshot.groups},
        {"client_views", snapshot.client_views}}},
      {"zones", std::move(zones)},
      {"relay_groups", std::move(groups)},
      {"traffic_ops", status.traffic_ops ? traffic_ops_json(*status.traffic_ops) : json(nullptr)},
      {"coverage_zone_file", status.coverage_zone_file},
      {"coverage_zones", status.coverage_zones},
      {"decision_changes", std::move(changes)},
      {"reloads", {{"applied", status.reloads}, {"rejected", status.reload_failures}}},
      {"tcp_connections", status.tcp_connections},
      {"queries", queries_json(status.queries)}};
  return out.dump(2);
}

std::string decisions_json(const std::vector<DecisionRecord>& records) {
  json list = json::array();
  for (const DecisionRecord& record : records) {
    list.push_back({{"time_unix_ms", record.time_unix_ms},
                    {"group", record.group},
                    {"from", record.from.empty() ? json(nullptr) : json(record.from)},
                    {"to", record.to},
                    {"reason", record.reason},
                    {"reason_text", record.reason_text},
                    {"description", record.description}});
  }
  return json{{"decisions", std::move(list)}}.dump(2);
}

std::string explanation_json(const Explanation& e) {
  return json{{"source", e.source},
              {"client", e.client.empty() ? json(nullptr) : json(e.client)},
              {"qname", e.qname},
              {"zone", e.zone.empty() ? json(nullptr) : json(e.zone)},
              {"source_prefix", e.source_prefix.empty() ? json(nullptr) : json(e.source_prefix)},
              {"source_group", e.source_group.empty() ? json(nullptr) : json(e.source_group)},
              {"client_view", e.client_view.empty() ? json(nullptr) : json(e.client_view)},
              {"mapping", e.mapping.empty() ? json(nullptr) : json(e.mapping)},
              {"answer_group", e.answer_group.empty() ? json(nullptr) : json(e.answer_group)},
              {"rcode", e.rcode},
              {"kind", e.kind},
              {"rrset", e.rrset},
              {"decision", e.decision.empty() ? json(nullptr) : json(e.decision)},
              {"reason", e.reason},
              {"summary", e.summary}}
      .dump(2);
}

std::string reload_json(const ReloadResult& result) {
  return json{{"ok", result.ok},
              {"errors", result.errors},
              {"message", result.message},
              {"generation", result.generation}}
      .dump(2);
}

}  // namespace driad::admin
