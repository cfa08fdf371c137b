// The immutable Snapshot the query path reads: per zone its prebuilt SOA and NS
// records, the source-prefix table, and per relay group its prebuilt AMTRELAY
// answer in wire form. Built whole by the control path from a SnapshotSpec,
// never modified after build; see snapshot_holder.hpp for how it is published.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "policy/amt_relay.hpp"
#include "zones/prefix.hpp"
#include "zones/prefix_table.hpp"

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

struct SourceSpec {
  Prefix prefix;
  std::uint32_t group = 0;  // index into SnapshotSpec::groups
};

struct GroupAnswerSpec {
  std::string name;
  std::vector<policy::AmtRelay> relays;  // in answer order
  std::uint32_t ttl = 60;
};

struct SnapshotSpec {
  std::uint64_t generation = 0;
  std::uint16_t edns_udp_size = 1232;
  std::vector<ZoneSpec> zones;
  std::vector<SourceSpec> sources;
  std::vector<GroupAnswerSpec> groups;
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

class Snapshot {
 public:
  // Checks the spec (zones disjoint, every source inside a zone, group indexes in
  // range, duplicate prefixes) and prebuilds every answer.
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
  const PrefixTable& sources() const noexcept { return sources_; }

 private:
  std::uint64_t generation_ = 0;
  std::uint16_t edns_udp_size_ = 1232;
  std::vector<Zone> zones_;
  PrefixTable sources_;
  std::vector<PrebuiltRecords> answers_;
  std::vector<std::string> group_names_;
};

// RDATA of an AMTRELAY record (RFC 8777 section 4.2).
std::vector<std::uint8_t> amtrelay_rdata(const policy::AmtRelay& relay);

}  // namespace driad::zones
