// The immutable Snapshot the query path reads: per zone its prebuilt SOA and NS
// records, the source-prefix table, per relay group its prebuilt AMTRELAY answer
// in wire form, and the client views that pick another group's answer for some
// clients. Built whole by the control path from a SnapshotSpec, never modified
// after build; see snapshot_holder.hpp for how it is published.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "policy/amt_relay.hpp"
#include "zones/prefix.hpp"
#include "zones/prefix_table.hpp"
#include "zones/source_list.hpp"

namespace driad::zones {

using WireName = std::vector<std::uint8_t>;  // uncompressed, with the root octet

struct SoaFields {
  WireName mname;
  WireName rname;
  std::uint32_t serial = 0;
  std::uint32_t refresh = 3600;
  std::uint32_t retry = 600;
  std::uint32_t expire = 86400;
  std::uint32_t minimum = 30;
};

struct ZoneSpec {
  WireName origin;  // lower case
  Prefix prefix;    // the addresses whose reverse names lie in this zone
  SoaFields soa;
  std::vector<WireName> ns;
  std::uint32_t ttl = 3600;  // of the SOA and NS records
};

struct GroupAnswerSpec {
  std::string name;
  std::vector<policy::AmtRelay> relays;  // in answer order
  std::uint32_t ttl = 60;
  // The group is not known yet (Traffic Ops has not supplied it): SERVFAIL.
  bool unavailable = false;
  // Which of the query workers' answer counters (dns/query_stats.hpp) an
  // answer of this group bumps: the control path gives each group and
  // decision its own, kept across snapshots. 0: the shared "other" counter.
  std::uint16_t answer_counter = 0;
};

// Clients (resolver or EDNS Client Subnet addresses) in `prefix` belong to
// client view `view` (a coverage-zone cachegroup), in [0, view_count).
struct ClientNetworkSpec {
  Prefix prefix;
  std::uint32_t view = 0;
};

struct SnapshotSpec {
  std::uint64_t generation = 0;
  std::uint16_t edns_udp_size = 1232;
  std::vector<ZoneSpec> zones;
  // Shared, not copied: a snapshot built from a list another snapshot was
  // built from reuses that one's table (source_list.hpp).
  SourceList sources;
  std::vector<GroupAnswerSpec> groups;

  bool ecs = false;  // honour EDNS Client Subnet (RFC 7871)
  std::uint32_t view_count = 0;
  std::vector<ClientNetworkSpec> client_networks;  // the longest prefix wins
  // Row-major, one row per entry of `groups` (the source's group), view_count + 1
  // columns: column 0 for a client in no view, column v + 1 for view v. Each cell
  // is the index into `groups` whose answer that client gets. Empty: every cell
  // answers the row's own group.
  std::vector<std::uint32_t> view_answers;
};

// Wire-format records whose owner is the compression pointer to offset 12, the
// question name: valid in any response that echoes the question first.
struct PrebuiltRecords {
  std::vector<std::uint8_t> wire;
  std::uint16_t count = 0;
};

struct Zone {
  WireName origin;
  unsigned origin_labels = 0;  // without the root
  Prefix prefix;
  std::uint32_t serial = 0;
  PrebuiltRecords soa;  // the SOA as an answer at the apex
  PrebuiltRecords ns;   // the NS RRset as an answer at the apex
  // TYPE..RDATA of the SOA for the authority section of negative answers, TTL
  // min(SOA TTL, MINIMUM) (RFC 2308 section 3); the writer adds the owner.
  std::vector<std::uint8_t> negative_soa_tail;
};

// What a name in a zone is, given the address bits its labels spell.
enum class NameKind : std::uint8_t { apex, relay_set, empty_non_terminal, nonexistent };

// The query path for a relay set: source LPM -> source group; client LPM ->
// column; answer_group(source group, column) -> the group whose prebuilt answer
// is served, or SERVFAIL when that group is unavailable.
class Snapshot {
 public:
  // Checks the spec (zones disjoint, every source inside a zone, group indexes in
  // range, duplicate prefixes, view indexes and the view_answers table) and
  // prebuilds every answer. The source table is the one of spec.sources
  // (built on first use, then shared), so a rebuild with the same source list
  // costs what its groups and views cost, not what a million prefixes do.
  static tl::expected<std::shared_ptr<const Snapshot>, std::string> build(const SnapshotSpec& spec);

  std::uint64_t generation() const noexcept { return generation_; }
  std::uint16_t edns_udp_size() const noexcept { return edns_udp_size_; }
  const std::vector<Zone>& zones() const noexcept { return zones_; }

  // `name` is the prefix spelled by a name's labels inside `zone` (zone.prefix
  // extended by one octet or nibble per label). Sets `group` for relay_set.
  NameKind classify(const Zone& zone, const Prefix& name, std::uint32_t& group) const noexcept;

  const PrebuiltRecords& answer(std::uint32_t group) const noexcept { return answers_[group]; }
  const std::string& group_name(std::uint32_t group) const noexcept { return group_names_[group]; }
  std::size_t group_count() const noexcept { return answers_.size(); }
  // Valid as long as the snapshot; snapshots built from one SourceList share it.
  const PrefixTable& sources() const noexcept { return *sources_; }

  // What the snapshot holds on the heap (tables, prebuilt records, names),
  // measured from the containers' capacities, for the size metric.
  std::size_t memory_bytes() const noexcept;

  bool ecs() const noexcept { return ecs_; }
  std::uint32_t view_count() const noexcept { return view_count_; }

  // The view_answers column of a client address: view + 1, or 0 in no view.
  std::uint32_t client_column(Family family, Bits128 address) const noexcept {
    const std::uint32_t column = clients_.lookup(family, address);
    return column == PrefixTable::kNoValue ? 0 : column;
  }

  // The group whose answer a client in `column` gets for a source of
  // `source_group`. `column` comes from client_column().
  std::uint32_t answer_group(std::uint32_t source_group, std::uint32_t column) const noexcept {
    return view_answers_[std::size_t{source_group} * row_stride_ + column * column_stride_];
  }

  bool unavailable(std::uint32_t group) const noexcept { return group_flags_[group].unavailable; }
  std::uint16_t answer_counter(std::uint32_t group) const noexcept {
    return group_flags_[group].answer_counter;
  }

  // Whether clients in different views get different groups for this source
  // group: then the answer depends on the client (the ECS scope is non-zero).
  bool varies_by_client(std::uint32_t source_group) const noexcept {
    return group_flags_[source_group].varies_by_client;
  }

 private:
  struct GroupFlags {
    bool unavailable = false;
    bool varies_by_client = false;
    std::uint16_t answer_counter = 0;
  };

  tl::expected<void, std::string> build_views(const SnapshotSpec& spec);

  std::uint64_t generation_ = 0;
  std::uint16_t edns_udp_size_ = 1232;
  std::vector<Zone> zones_;
  std::shared_ptr<const PrefixTable> sources_;
  std::vector<PrebuiltRecords> answers_;
  std::vector<std::string> group_names_;
  std::vector<GroupFlags> group_flags_;

  bool ecs_ = false;
  std::uint32_t view_count_ = 0;
  PrefixTable clients_;  // value: the column (view + 1)
  // The spec's table, or without one the identity (one cell per group) read
  // with a column stride of 0, so that answer_group() is one index either way.
  std::vector<std::uint32_t> view_answers_;
  std::size_t row_stride_ = 1;
  std::size_t column_stride_ = 0;
};

// RDATA of an AMTRELAY record (RFC 8777 section 4.2).
std::vector<std::uint8_t> amtrelay_rdata(const policy::AmtRelay& relay);

}  // namespace driad::zones
