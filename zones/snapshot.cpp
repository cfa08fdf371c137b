// Building a Snapshot: validation of the spec and prebuilding of wire records.
#include "zones/snapshot.hpp"

#include <algorithm>
#include <functional>

namespace driad::zones {
namespace {

constexpr std::uint16_t kTypeNs = 2;
constexpr std::uint16_t kTypeSoa = 6;
constexpr std::uint16_t kTypeAmtRelay = 260;
constexpr std::uint16_t kClassIn = 1;
constexpr std::uint8_t kPointerToQuestion[2] = {0xc0, 0x0c};

void put16(std::vector<std::uint8_t>& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}

void put32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  put16(out, static_cast<std::uint16_t>(value >> 16));
  put16(out, static_cast<std::uint16_t>(value));
}

// TYPE CLASS TTL RDLENGTH RDATA: a record without its owner name.
std::vector<std::uint8_t> record_tail(std::uint16_t type, std::uint32_t ttl,
                                      const std::vector<std::uint8_t>& rdata) {
  std::vector<std::uint8_t> out;
  out.reserve(10 + rdata.size());
  put16(out, type);
  put16(out, kClassIn);
  put32(out, ttl);
  put16(out, static_cast<std::uint16_t>(rdata.size()));
  out.insert(out.end(), rdata.begin(), rdata.end());
  return out;
}

void add_record_at_question(PrebuiltRecords& records, const std::vector<std::uint8_t>& tail) {
  records.wire.insert(records.wire.end(), std::begin(kPointerToQuestion),
                      std::end(kPointerToQuestion));
  records.wire.insert(records.wire.end(), tail.begin(), tail.end());
  ++records.count;
}

std::vector<std::uint8_t> soa_rdata(const SoaFields& soa) {
  std::vector<std::uint8_t> rdata(soa.mname);
  rdata.insert(rdata.end(), soa.rname.begin(), soa.rname.end());
  put32(rdata, soa.serial);
  put32(rdata, soa.refresh);
  put32(rdata, soa.retry);
  put32(rdata, soa.expire);
  put32(rdata, soa.minimum);
  return rdata;
}

unsigned count_labels(const WireName& name) {
  unsigned labels = 0;
  for (std::size_t at = 0; at < name.size() && name[at] != 0; at += name[at] + 1U) ++labels;
  return labels;
}

}  // namespace

std::vector<std::uint8_t> amtrelay_rdata(const policy::AmtRelay& relay) {
  std::vector<std::uint8_t> rdata;
  rdata.reserve(2 + relay.relay.size());
  rdata.push_back(relay.precedence);
  rdata.push_back(static_cast<std::uint8_t>((relay.discovery_optional ? 0x80 : 0) |
                                            static_cast<std::uint8_t>(relay.type)));
  rdata.insert(rdata.end(), relay.relay.begin(), relay.relay.end());
  return rdata;
}

tl::expected<std::shared_ptr<const Snapshot>, std::string> Snapshot::build(
    const SnapshotSpec& spec) {
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->generation_ = spec.generation;
  snapshot->edns_udp_size_ = spec.edns_udp_size;

  for (std::size_t i = 0; i < spec.zones.size(); ++i) {
    const ZoneSpec& in = spec.zones[i];
    for (std::size_t j = 0; j < i; ++j) {
      if (spec.zones[j].prefix.overlaps(in.prefix)) {
        return tl::make_unexpected("zones " + std::to_string(j) + " and " + std::to_string(i) +
                                   " overlap (" + to_string(spec.zones[j].prefix) + ", " +
                                   to_string(in.prefix) + ")");
      }
    }
    Zone zone;
    zone.origin = in.origin;
    zone.origin_labels = count_labels(in.origin);
    zone.prefix = in.prefix;
    zone.serial = in.soa.serial;
    const auto rdata = soa_rdata(in.soa);
    add_record_at_question(zone.soa, record_tail(kTypeSoa, in.ttl, rdata));
    zone.negative_soa_tail = record_tail(kTypeSoa, std::min(in.ttl, in.soa.minimum), rdata);
    for (const WireName& ns : in.ns)
      add_record_at_question(zone.ns, record_tail(kTypeNs, in.ttl, ns));
    snapshot->zones_.push_back(std::move(zone));
  }

  if (spec.sources.group_bound() > spec.groups.size()) {
    // Rare enough to look for the culprit by a scan.
    for (const SourceSpec& source : spec.sources) {
      if (source.group >= spec.groups.size()) {
        return tl::make_unexpected("source " + to_string(source.prefix) + " names relay group " +
                                   std::to_string(source.group) + " of " +
                                   std::to_string(spec.groups.size()));
      }
    }
  }
  std::vector<Prefix> zone_prefixes;
  for (const ZoneSpec& zone : spec.zones) zone_prefixes.push_back(zone.prefix);
  if (auto inside = spec.sources.check_inside(zone_prefixes); !inside) {
    return tl::make_unexpected(inside.error());
  }
  auto table = spec.sources.table();
  if (!table) return tl::make_unexpected(table.error());
  snapshot->sources_ = std::move(*table);

  snapshot->answers_.reserve(spec.groups.size());
  for (const GroupAnswerSpec& group : spec.groups) {
    PrebuiltRecords records;
    for (const policy::AmtRelay& relay : group.relays) {
      add_record_at_question(records, record_tail(kTypeAmtRelay, group.ttl, amtrelay_rdata(relay)));
    }
    snapshot->answers_.push_back(std::move(records));
    snapshot->group_names_.push_back(group.name);
    snapshot->group_flags_.push_back({group.unavailable, false, group.answer_counter});
  }
  if (auto views = snapshot->build_views(spec); !views) return tl::make_unexpected(views.error());
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

tl::expected<void, std::string> Snapshot::build_views(const SnapshotSpec& spec) {
  ecs_ = spec.ecs;
  view_count_ = spec.view_count;

  std::vector<PrefixTable::Entry> entries;
  entries.reserve(spec.client_networks.size());
  for (const ClientNetworkSpec& network : spec.client_networks) {
    if (network.view >= spec.view_count) {
      return tl::make_unexpected("client network " + to_string(network.prefix) + " names view " +
                                 std::to_string(network.view) + " of " +
                                 std::to_string(spec.view_count));
    }
    entries.push_back({network.prefix, network.view + 1});
  }
  auto table = PrefixTable::build(std::move(entries));
  if (!table) return tl::make_unexpected("client networks: " + table.error());
  clients_ = std::move(*table);

  const std::size_t groups = spec.groups.size();
  if (spec.view_answers.empty()) {
    view_answers_.resize(groups);
    for (std::size_t g = 0; g < groups; ++g) view_answers_[g] = static_cast<std::uint32_t>(g);
    row_stride_ = 1;
    column_stride_ = 0;
    return {};
  }
  const std::uint64_t columns = std::uint64_t{spec.view_count} + 1;
  if (spec.view_answers.size() / columns != groups || spec.view_answers.size() % columns != 0) {
    return tl::make_unexpected("view_answers holds " + std::to_string(spec.view_answers.size()) +
                               " cells, not " + std::to_string(groups) + " groups x " +
                               std::to_string(columns) + " columns");
  }
  for (std::size_t cell = 0; cell < spec.view_answers.size(); ++cell) {
    if (spec.view_answers[cell] >= groups) {
      return tl::make_unexpected("view_answers row " + std::to_string(cell / columns) + " column " +
                                 std::to_string(cell % columns) + " names group " +
                                 std::to_string(spec.view_answers[cell]) + " of " +
                                 std::to_string(groups));
    }
  }
  view_answers_ = spec.view_answers;
  row_stride_ = static_cast<std::size_t>(columns);
  column_stride_ = 1;
  for (std::size_t g = 0; g < groups; ++g) {
    const auto row = view_answers_.begin() + static_cast<std::ptrdiff_t>(g * row_stride_);
    group_flags_[g].varies_by_client =
        std::adjacent_find(row, row + static_cast<std::ptrdiff_t>(row_stride_),
                           std::not_equal_to<>()) != row + static_cast<std::ptrdiff_t>(row_stride_);
  }
  return {};
}

std::size_t Snapshot::memory_bytes() const noexcept {
  std::size_t bytes = sizeof(Snapshot) + sources_->memory_bytes() + clients_.memory_bytes();
  bytes += zones_.capacity() * sizeof(Zone);
  for (const Zone& zone : zones_) {
    bytes += zone.origin.capacity() + zone.soa.wire.capacity() + zone.ns.wire.capacity() +
             zone.negative_soa_tail.capacity();
  }
  bytes += answers_.capacity() * sizeof(PrebuiltRecords);
  for (const PrebuiltRecords& answer : answers_) bytes += answer.wire.capacity();
  bytes += group_names_.capacity() * sizeof(std::string);
  for (const std::string& name : group_names_) bytes += name.capacity();
  bytes += group_flags_.capacity() * sizeof(GroupFlags);
  bytes += view_answers_.capacity() * sizeof(std::uint32_t);
  return bytes;
}

NameKind Snapshot::classify(const Zone& zone, const Prefix& name,
                            std::uint32_t& group) const noexcept {
  if (name.length == zone.prefix.length) return NameKind::apex;
  if (name.length == address_bits(name.family)) {
    group = sources_->lookup(name.family, name.address);
    return group == PrefixTable::kNoValue ? NameKind::nonexistent : NameKind::relay_set;
  }
  return sources_->overlaps(name) ? NameKind::empty_non_terminal : NameKind::nonexistent;
}

}  // namespace driad::zones
