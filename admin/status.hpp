// What the admin API reports, as plain data: the daemon fills these on its
// control thread and admin/ renders them as JSON (json_views.hpp) and as
// Prometheus text (metrics.hpp). Times are Unix milliseconds (wall clock);
// ages are seconds before Status::now_unix_ms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dns/query_stats.hpp"

namespace driad::admin {

using UnixMs = std::int64_t;

struct TlsPaths {
  std::string ca;
  std::string cert;
  std::string key;
  std::string server_name;
};

// One relay of a live group: its MX or one of its gateways.
struct RelayStatus {
  std::string role;   // "mx" or "gateway"
  std::string relay;  // the address advertised to AMT gateways
  // MX: unknown, healthy, unhealthy, stale. Gateway: healthy, unhealthy,
  // redirecting (and unprobed gateways count as healthy).
  std::string state;
  std::string detail;   // the feed's last word: "lo0 oper-status DOWN", "no answer in 500 ms"
  bool watched = true;  // false: a gateway without a probe
  bool connected = false;
  std::optional<UnixMs> last_message_unix_ms;
  std::optional<double> last_message_age_s;
  std::optional<UnixMs> state_since_unix_ms;  // MX: when its state last changed
  std::uint64_t messages = 0;
  std::uint64_t failures = 0;
  std::uint64_t rejects = 0;
  // MX only.
  double load = 0;  // tunnels / max_tunnels, or the byte rate over capacity_bps
  std::optional<std::uint64_t> tunnels;
  std::uint32_t max_tunnels = 0;
  std::string gnmi_target;
  std::optional<TlsPaths> tls;
  // Gateway only.
  std::optional<double> rtt_ms;  // of the last answered probe
  std::uint16_t probe_port = 0;
};

struct DecisionStatus {
  std::string kind;         // policy::to_string(DecisionKind): "mx_first", ...
  std::string reason;       // a label: "mx_unhealthy"
  std::string reason_text;  // "MX unhealthy"
  std::vector<std::string> relays;
  std::uint32_t ttl = 0;
  std::optional<UnixMs> since_unix_ms;  // when kind or relays last changed
};

struct GroupStatus {
  std::string name;
  std::string origin;  // "config" or "traffic_ops"
  // "static", "live", or "pending" (named by a source, not known yet: SERVFAIL).
  std::string type;
  bool available = true;            // live: some relay healthy (else fail static)
  std::vector<std::string> answer;  // the relays served now, in order
  std::uint32_t ttl = 0;
  std::optional<DecisionStatus> decision;  // live groups
  std::vector<RelayStatus> relays;         // live groups
  std::size_t sources = 0;                 // source prefixes naming this group
  std::string sample_source;               // the first of them, for driadctl verify
};

struct ZoneStatus {
  std::string origin;
  std::uint32_t serial = 0;
};

struct SnapshotStatus {
  std::uint64_t generation = 0;
  UnixMs built_unix_ms = 0;
  double build_ms = 0;
  std::uint64_t bytes = 0;
  std::size_t zones = 0;
  std::size_t sources = 0;
  std::size_t groups = 0;
  std::size_t client_views = 0;
};

struct TrafficOpsStatus {
  std::string url;
  std::string api_version;
  std::string cdn;
  std::string ca_file;
  bool insecure = false;
  std::uint32_t timeout_ms = 0;
  bool polling = false;  // false: not started (no credentials, bad settings)
  bool connected = false;
  std::optional<UnixMs> last_success_unix_ms;
  std::optional<double> last_success_age_s;
  std::uint64_t fetches = 0;  // successful
  std::uint64_t failures = 0;
  std::uint64_t rejects = 0;
  std::uint64_t updates = 0;
  std::size_t servers = 0;  // of the topology in use
  std::size_t cachegroups = 0;
};

struct DecisionChangeCount {
  std::string group;
  std::string to;      // decision kind
  std::string reason;  // label
  std::uint64_t count = 0;
};

// What the query workers' relay-set answer counter c (QueryTotals::
// relay_set_answers[c]) counts: a group under a decision ("static" for
// configured relays; "_other" for counter 0, shared once all are taken).
struct AnswerCounterName {
  std::string group;
  std::string decision;
};

struct Status {
  std::string version;
  UnixMs now_unix_ms = 0;
  double uptime_s = 0;
  bool ready = false;
  std::string not_ready;  // why, when not ready
  std::string config_file;
  std::vector<std::string> listen;
  std::string admin_listen;
  SnapshotStatus snapshot;
  std::vector<ZoneStatus> zones;
  std::vector<GroupStatus> groups;
  std::optional<TrafficOpsStatus> traffic_ops;
  std::string coverage_zone_file;
  std::size_t coverage_zones = 0;
  std::vector<DecisionChangeCount> decision_changes;
  std::uint64_t reloads = 0;
  std::uint64_t reload_failures = 0;
  unsigned tcp_connections = 0;
  dns::QueryTotals queries;
  std::vector<AnswerCounterName> answer_counters;  // [c] names queries.relay_set_answers[c]
};

// One change of decision, for /api/v1/decisions.
struct DecisionRecord {
  UnixMs time_unix_ms = 0;
  std::string group;
  std::string from;  // empty: the group's first decision
  std::string to;
  std::string reason;  // label
  std::string reason_text;
  std::string description;  // policy::describe_change(): relays and TTL before and after
};

struct Readiness {
  bool ready = false;
  std::string reason;  // why not, or "ready"
};

// What driad answers for one source and client, and why (/api/v1/explain).
struct Explanation {
  std::string source;
  std::string client;  // empty: no client given
  std::string qname;
  std::string zone;                // empty: in no zone
  std::string source_prefix;       // the longest source prefix holding the source
  std::string source_group;        // its relay group
  std::string client_view;         // the coverage-zone cachegroup of the client; empty: none
  std::string mapping;             // own, fallback, closest, none; empty without a relay set
  std::string answer_group;        // the group whose answer is served
  std::string rcode;               // NOERROR, NXDOMAIN, SERVFAIL, REFUSED...
  std::string kind;                // dns::AnswerKind: relay_set, nxdomain...
  std::vector<std::string> rrset;  // the answer section in presentation form
  std::string decision;            // of the answer group: mx_first..., or "static"
  std::string reason;              // in words
  std::string summary;             // one sentence
};

struct ReloadResult {
  bool ok = false;
  std::vector<std::string> errors;  // every problem found, as --check-config says them
  std::string message;
  std::uint64_t generation = 0;  // of the snapshot serving afterwards
};

}  // namespace driad::admin
