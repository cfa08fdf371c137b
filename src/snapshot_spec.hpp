// From the typed Config to the SnapshotSpec the zone model builds from: which
// relays each group advertises now, and which SOA serial each zone carries.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "config/config.hpp"
#include "zones/snapshot.hpp"

namespace driad::app {

// The relays a group advertises without a decision. A static group: its list.
// A live group: the MX at mx_precedence, then each gateway at
// gateway_precedence, as if all were healthy and under the watermark (the
// steady state of design.md's policy table).
std::vector<policy::AmtRelay> advertised_relays(const config::RelayGroupConfig& group,
                                                const config::PolicyConfig& policy);

// Keeps SOA serials going up: a zone starts at its configured serial, or the
// Unix time when none is configured, and every change of answers adds one.
class SerialKeeper {
 public:
  // Fills every zone's serial in `spec`; `now_unix` is the wall clock.
  void assign(zones::SnapshotSpec& spec, const config::Config& config, std::uint64_t now_unix);

 private:
  std::map<std::string, std::uint32_t> serials_;  // by origin
  std::uint64_t last_fingerprint_ = 0;
};

class LiveGroups;

// `live`: the current decisions of the live groups, whose relays and TTL replace
// the steady-state guess of advertised_relays(); null before any feed exists.
// A source whose relay group the config does not define (a cachegroup Traffic
// Ops has not supplied yet) gets an unavailable group: SERVFAIL. The client
// views are left empty (client_views.hpp adds them).
// The groups are numbered as config.source_groups (then the relay groups no
// source names), so spec.sources is config.sources itself: shared, not copied,
// and every snapshot built from one config shares one source table.
zones::SnapshotSpec snapshot_spec(const config::Config& config, std::uint64_t generation,
                                  const LiveGroups* live = nullptr);

}  // namespace driad::app
