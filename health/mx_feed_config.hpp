// What one MX feed is told: where the MX's gNMI server is, how to
// authenticate, how quickly silence counts as stale, and which leaves to
// watch. Every path has the JunOS default of gnmi-facts.md.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "health/gnmi_credentials.hpp"
#include "health/mx_leaves.hpp"

namespace driad::health {

using namespace std::chrono_literals;

struct MxTlsConfig {
  std::string ca_file;      // PEM roots that sign the MX's server certificate
  std::string cert_file;    // client certificate chain (PEM); with key_file: mTLS
  std::string key_file;     // client private key (PEM): ECDSA P-256, Ed25519, RSA
  std::string server_name;  // expected name in the server certificate, when the
                            // dialled address differs (GRPC_SSL_TARGET_NAME_OVERRIDE_ARG)
};

struct MxPathConfig {
  std::string relay_status = "/interfaces/interface[name=lo0]/state/oper-status";
  // Empty: built from MxFeedConfig::relay_ip by default_anycast_path().
  std::string anycast;
  std::string ud_status = "/interfaces/interface[name=ud-0/0/0]/state/oper-status";
  // Empty: count the subinterface keys under `tunnel_subinterfaces`. Set
  // (e.g. "/amt/relay/state/tunnel-count"): read that leaf's number instead.
  std::string tunnel_count_leaf;
  std::string tunnel_subinterfaces = "/interfaces/interface[name=ud-0/0/0]/subinterfaces";
  std::string out_octets = "/interfaces/interface[name=ud-0/0/0]/state/counters/out-octets";
};

struct MxFeedConfig {
  std::string name = "mx";         // for logs and details
  std::string target;              // "host:port" of the MX's gNMI server (JunOS: 32767)
  std::string relay_ip;            // the anycast relay address advertised for this MX
  std::optional<MxTlsConfig> tls;  // none: plaintext (logged as a warning)
  GnmiCredentials credentials;     // sent as metadata on every RPC
  // The receiver calls the MX stale after this much silence; heartbeats (and
  // POLL rounds) are requested at a third of it so two may be lost.
  std::chrono::milliseconds stale_after = 30s;
  std::chrono::milliseconds sample_interval = 10s;  // out-octets SAMPLE interval
  MxPathConfig paths;
  std::chrono::milliseconds backoff_initial = 100ms;  // reconnect delay, doubling...
  std::chrono::milliseconds backoff_max = 30s;        // ...up to this, ±20% jitter
  std::chrono::milliseconds rpc_timeout = 10s;        // Capabilities deadline
  std::chrono::milliseconds keepalive_time = 30s;     // HTTP/2 PING when idle
  std::chrono::milliseconds keepalive_timeout = 10s;  // PING answer deadline
};

// The default anycast leaf for `relay_ip`: the ipv4 path for an IPv4
// address, the ipv6 one for an IPv6 address (a ':' in it).
std::string default_anycast_path(const std::string& relay_ip);

// Parses every configured path; errors name the setting and the column.
tl::expected<MxWatchedPaths, std::string> resolve_paths(const MxFeedConfig& config);

// Interval derived from stale_after: the heartbeat and POLL period.
std::chrono::milliseconds heartbeat_interval(const MxFeedConfig& config);

}  // namespace driad::health
