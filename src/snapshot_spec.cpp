// Config -> SnapshotSpec, and serial bookkeeping across rebuilds.
#include "src/snapshot_spec.hpp"

#include "src/live_groups.hpp"

#include <map>
#include <set>
#include <string_view>

namespace driad::app {
namespace {

// FNV-1a over the bytes that make up the answers; serials excluded.
class Fingerprint {
 public:
  void add(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    for (std::size_t i = 0; i < size; ++i) hash_ = (hash_ ^ bytes[i]) * 1099511628211ULL;
  }
  template <typename T>
  void add_value(const T& value) {
    add(&value, sizeof value);
  }
  void add_bytes(const std::vector<std::uint8_t>& bytes) {
    add_value(bytes.size());
    add(bytes.data(), bytes.size());
  }
  std::uint64_t value() const { return hash_; }

 private:
  std::uint64_t hash_ = 14695981039346656037ULL;
};

std::uint64_t fingerprint(const zones::SnapshotSpec& spec) {
  Fingerprint print;
  for (const auto& zone : spec.zones) {
    print.add_bytes(zone.origin);
    print.add_bytes(zone.soa.mname);
    print.add_bytes(zone.soa.rname);
    for (const std::uint32_t field :
         {zone.soa.refresh, zone.soa.retry, zone.soa.expire, zone.soa.minimum, zone.ttl}) {
      print.add_value(field);
    }
    for (const auto& ns : zone.ns) print.add_bytes(ns);
  }
  // Hashed once per source list, not at every rebuild.
  print.add_value(spec.sources.size());
  print.add_value(spec.sources.fingerprint());
  for (const auto& group : spec.groups) {
    print.add_value(group.ttl);
    print.add_value(group.unavailable);
    for (const auto& relay : group.relays) print.add_bytes(zones::amtrelay_rdata(relay));
  }
  // Which client gets which group's answer is part of the zone's data too.
  print.add_value(spec.ecs);
  print.add_value(spec.view_count);
  for (const auto& network : spec.client_networks) {
    print.add_value(network.prefix.address);
    print.add_value(network.prefix.length);
    print.add_value(network.view);
  }
  for (const std::uint32_t cell : spec.view_answers) print.add_value(cell);
  return print.value();
}

policy::AmtRelay relay_at(const zones::Prefix& address, std::uint8_t precedence) {
  policy::AmtRelay relay;
  relay.precedence = precedence;
  relay.type =
      address.family == zones::Family::ipv4 ? policy::RelayType::ipv4 : policy::RelayType::ipv6;
  relay.relay.resize(zones::address_bits(address.family) / 8);
  zones::address_octets(address.family, address.address, relay.relay.data());
  return relay;
}

}  // namespace

std::vector<policy::AmtRelay> advertised_relays(const config::RelayGroupConfig& group,
                                                const config::PolicyConfig& policy) {
  if (group.is_static()) return group.relays;
  std::vector<policy::AmtRelay> relays;
  if (group.mx) relays.push_back(relay_at(group.mx->relay, policy.mx_precedence));
  for (const auto& gateway : group.gateways)
    relays.push_back(relay_at(gateway.relay, policy.gateway_precedence));
  return relays;
}

zones::SnapshotSpec snapshot_spec(const config::Config& config, std::uint64_t generation,
                                  const LiveGroups* live) {
  zones::SnapshotSpec spec;
  spec.generation = generation;
  spec.edns_udp_size = config.edns_udp_size;
  for (const auto& zone : config.zones) {
    spec.zones.push_back({zone.origin, zone.prefix, zone.soa, zone.ns, zone.ttl});
  }
  std::map<std::string_view, const config::RelayGroupConfig*> defined;
  for (const auto& group : config.relay_groups) defined.emplace(group.name, &group);
  const auto add_group = [&](const std::string& name) {
    const auto it = defined.find(name);
    if (it == defined.end()) {
      // A cachegroup Traffic Ops has not supplied yet: SERVFAIL, not a guess.
      zones::GroupAnswerSpec pending;
      pending.name = name;
      pending.unavailable = true;
      spec.groups.push_back(std::move(pending));
      return;
    }
    const policy::Decision* decision = live != nullptr ? live->decision(name) : nullptr;
    if (decision != nullptr) {
      spec.groups.push_back({name, decision->relays, decision->ttl});
    } else {
      spec.groups.push_back(
          {name, advertised_relays(*it->second, config.policy), config.policy.ttl});
    }
  };
  // Row g is config.source_groups[g], the group of the sources that name g:
  // the source list (and the table built from it) serves every spec of this
  // config as it is. Then the groups no source names (from Traffic Ops).
  std::set<std::string_view> named;
  for (const auto& name : config.source_groups) {
    add_group(name);
    named.insert(name);
  }
  for (const auto& group : config.relay_groups) {
    if (!named.contains(group.name)) add_group(group.name);
  }
  spec.sources = config.sources;
  spec.ecs = config.ecs;
  return spec;
}

void SerialKeeper::assign(zones::SnapshotSpec& spec, const config::Config& config,
                          std::uint64_t now_unix) {
  const std::uint64_t print = fingerprint(spec);
  const bool changed = print != last_fingerprint_;
  last_fingerprint_ = print;
  std::map<std::string, std::uint32_t> next;
  for (std::size_t i = 0; i < spec.zones.size(); ++i) {
    const config::ZoneConfig& zone = config.zones[i];
    const std::string key(zone.origin.begin(), zone.origin.end());
    const auto known = serials_.find(key);
    std::uint32_t serial = 0;
    if (known == serials_.end()) {
      serial = zone.serial_configured ? zone.soa.serial : static_cast<std::uint32_t>(now_unix);
    } else {
      serial = changed ? known->second + 1 : known->second;
      // An operator who raises the configured serial past ours wins (RFC 1982 order).
      if (zone.serial_configured && static_cast<std::int32_t>(zone.soa.serial - serial) > 0)
        serial = zone.soa.serial;
    }
    spec.zones[i].soa.serial = serial;
    next.emplace(key, serial);
  }
  serials_ = std::move(next);
}

}  // namespace driad::app
