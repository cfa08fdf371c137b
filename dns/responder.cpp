// The answer stages: parse, class and type checks, zone, name, records, size.
#include "dns/responder.hpp"

#include <algorithm>
#include <cstring>

#include "dns/message.hpp"
#include "dns/reverse_name.hpp"

namespace driad::dns {
namespace {

constexpr std::uint8_t kFlagQr = 0x80;
constexpr std::uint8_t kFlagAa = 0x04;
constexpr std::uint8_t kFlagTc = 0x02;
constexpr std::uint8_t kFlagRd = 0x01;
constexpr std::uint8_t kFlagCd = 0x10;
constexpr std::size_t kOptSize = 11;
constexpr std::size_t kEcsOptionFixed = 8;  // code, length, family, source, scope

// Records to place after the question: the answer section as one prebuilt
// block, and at most one SOA in authority.
struct Sections {
  bool authoritative = false;
  const zones::PrebuiltRecords* answer = nullptr;
  const zones::Zone* negative_soa_zone = nullptr;
  std::size_t soa_owner_offset = 0;            // where the zone origin starts in the message
  std::span<const std::uint8_t> extra_answer;  // a record built in place (CHAOS)
  std::uint16_t extra_answer_count = 0;
};

// The OPT record of a response: present when the query had one, with the
// client subnet echoed (RFC 7871 section 7.2) when ECS is honoured.
struct OptReply {
  bool present = false;
  std::uint16_t payload = 0;
  const ClientSubnet* subnet = nullptr;
  std::uint8_t scope = 0;

  std::size_t size() const noexcept {
    if (!present) return 0;
    return kOptSize + (subnet != nullptr ? kEcsOptionFixed + subnet->address_length : 0);
  }
};

void put16(std::uint8_t* at, std::uint16_t value) noexcept {
  at[0] = static_cast<std::uint8_t>(value >> 8);
  at[1] = static_cast<std::uint8_t>(value);
}

class Writer {
 public:
  Writer(std::span<const std::uint8_t> query, const ParsedQuery& parsed,
         std::span<std::uint8_t> out) noexcept
      : query_(query), parsed_(parsed), out_(out) {}

  // Header, question (when it was read) and nothing else: error replies.
  ResponseInfo error(std::uint8_t code, AnswerKind kind) noexcept {
    const bool with_question = parsed_.question_ok && kind != AnswerKind::dropped;
    const std::size_t question = with_question ? parsed_.question_end - kHeaderSize : 0;
    if (out_.size() < kHeaderSize + question) return {};
    write_header(code, false, false, with_question ? 1 : 0, 0, 0, 0);
    std::memcpy(&out_[kHeaderSize], &query_[kHeaderSize], question);
    return {kHeaderSize + question, kind, code, false};
  }

  ResponseInfo answer(const Sections& sections, AnswerKind kind, std::size_t limit,
                      std::uint16_t extended_rcode, const OptReply& opt) noexcept {
    const std::size_t question = parsed_.question_end - kHeaderSize;
    const zones::PrebuiltRecords* answer = sections.answer;
    std::size_t answer_bytes = answer != nullptr ? answer->wire.size() : 0;
    answer_bytes += sections.extra_answer.size();
    const auto answer_count = static_cast<std::uint16_t>((answer != nullptr ? answer->count : 0) +
                                                         sections.extra_answer_count);
    const std::size_t authority_bytes =
        sections.negative_soa_zone != nullptr
            ? 2 + sections.negative_soa_zone->negative_soa_tail.size()
            : 0;
    const std::size_t opt_bytes = opt.size();
    limit = std::min(limit, out_.size());
    const std::size_t full = kHeaderSize + question + answer_bytes + authority_bytes + opt_bytes;
    const bool truncated = full > limit;
    if (truncated && kHeaderSize + question + opt_bytes > limit) return {};

    const auto rcode_low = static_cast<std::uint8_t>(extended_rcode & 0x0f);
    write_header(rcode_low, sections.authoritative, truncated, 1, truncated ? 0 : answer_count,
                 truncated || authority_bytes == 0 ? 0 : 1, opt.present ? 1 : 0);
    std::size_t at = kHeaderSize;
    std::memcpy(&out_[at], &query_[kHeaderSize], question);
    at += question;
    if (!truncated) {
      if (answer != nullptr) {
        std::memcpy(&out_[at], answer->wire.data(), answer->wire.size());
        at += answer->wire.size();
      }
      if (!sections.extra_answer.empty()) {
        std::memcpy(&out_[at], sections.extra_answer.data(), sections.extra_answer.size());
        at += sections.extra_answer.size();
      }
      if (sections.negative_soa_zone != nullptr) {
        put16(&out_[at], static_cast<std::uint16_t>(0xc000 | sections.soa_owner_offset));
        const auto& tail = sections.negative_soa_zone->negative_soa_tail;
        std::memcpy(&out_[at + 2], tail.data(), tail.size());
        at += 2 + tail.size();
      }
    }
    if (opt.present) at = write_opt(at, opt, extended_rcode);
    return {at, kind, extended_rcode, truncated};
  }

 private:
  void write_header(std::uint8_t code, bool authoritative, bool truncated, std::uint16_t qdcount,
                    std::uint16_t ancount, std::uint16_t nscount, std::uint16_t arcount) noexcept {
    put16(&out_[0], parsed_.id);
    out_[2] = static_cast<std::uint8_t>(kFlagQr | (parsed_.opcode << 3) |
                                        (authoritative ? kFlagAa : 0) | (truncated ? kFlagTc : 0) |
                                        (parsed_.recursion_desired ? kFlagRd : 0));
    out_[3] = static_cast<std::uint8_t>((parsed_.checking_disabled ? kFlagCd : 0) | (code & 0x0f));
    put16(&out_[4], qdcount);
    put16(&out_[6], ancount);
    put16(&out_[8], nscount);
    put16(&out_[10], arcount);
  }

  std::size_t write_opt(std::size_t at, const OptReply& opt,
                        std::uint16_t extended_rcode) noexcept {
    std::uint8_t* record = &out_[at];
    record[0] = 0;  // root owner
    put16(record + 1, rr_type::opt);
    put16(record + 3, opt.payload);
    record[5] = static_cast<std::uint8_t>(extended_rcode >> 4);
    record[6] = 0;  // version
    record[7] = parsed_.dnssec_ok ? 0x80 : 0;
    record[8] = 0;
    put16(record + 9, static_cast<std::uint16_t>(opt.size() - kOptSize));
    at += kOptSize;
    if (opt.subnet != nullptr) {
      const ClientSubnet& subnet = *opt.subnet;
      std::uint8_t* option = &out_[at];
      put16(option, edns_option::client_subnet);
      put16(option + 2, static_cast<std::uint16_t>(4 + subnet.address_length));
      put16(option + 4, subnet.family);
      option[6] = subnet.source_prefix;
      option[7] = opt.scope;
      std::memcpy(option + 8, subnet.address, subnet.address_length);
      at += kEcsOptionFixed + subnet.address_length;
    }
    return at;
  }

  std::span<const std::uint8_t> query_;
  const ParsedQuery& parsed_;
  std::span<std::uint8_t> out_;
};

// CH TXT answers, owner compressed to the question (c00c), TTL 0.
constexpr std::uint8_t kChaosIdentity[] = {0xc0, 0x0c, 0x00, 0x10, 0x00, 0x03, 0,   0,   0,
                                           0,    0x00, 6,    5,    'd',  'r',  'i', 'a', 'd'};
constexpr std::uint8_t kVersionBind[] = {7,   'v', 'e', 'r', 's', 'i', 'o',
                                         'n', 4,   'b', 'i', 'n', 'd', 0};
constexpr std::uint8_t kVersionServer[] = {7, 'v', 'e', 'r', 's', 'i', 'o', 'n',
                                           6, 's', 'e', 'r', 'v', 'e', 'r', 0};
constexpr std::uint8_t kIdServer[] = {2, 'i', 'd', 6, 's', 'e', 'r', 'v', 'e', 'r', 0};
constexpr std::uint8_t kHostnameBind[] = {8,   'h', 'o', 's', 't', 'n', 'a', 'm',
                                          'e', 4,   'b', 'i', 'n', 'd', 0};

bool qname_is(const ParsedQuery& query, std::span<const std::uint8_t> name) noexcept {
  return query.qname_length == name.size() &&
         std::memcmp(query.qname, name.data(), name.size()) == 0;
}

// The zone whose origin is a suffix of the question name, if any. Zones never
// overlap, so at most one matches.
const zones::Zone* find_zone(const zones::Snapshot& snapshot, const ParsedQuery& query) noexcept {
  for (const zones::Zone& zone : snapshot.zones()) {
    if (zone.origin_labels > query.label_count) continue;
    const std::size_t start = query.label_offsets[query.label_count - zone.origin_labels];
    if (query.qname_length - start == zone.origin.size() &&
        std::memcmp(query.qname + start, zone.origin.data(), zone.origin.size()) == 0) {
      return &zone;
    }
  }
  return nullptr;
}

// A zone for one address (a /32 or /128 delegation) may have its apex under a
// source prefix: then the apex holds the AMTRELAY set beside the SOA and NS.
bool apex_is_source(const zones::Snapshot& snapshot, const zones::Prefix& name,
                    std::uint32_t& group) noexcept {
  if (name.length != zones::address_bits(name.family)) return false;
  group = snapshot.sources().lookup(name.family, name.address);
  return group != zones::PrefixTable::kNoValue;
}

// The address whose view picks the answer: the ECS address when one with a
// non-zero source prefix is honoured, else the resolver's.
std::uint32_t client_column(const zones::Snapshot& snapshot, const ClientSubnet* subnet,
                            const ClientAddress& client) noexcept {
  if (subnet != nullptr && subnet->source_prefix > 0) {
    const bool v4 = subnet->family == ecs_family::ipv4;
    const unsigned width = v4 ? 4 : 16;
    zones::Bits128 address = 0;
    for (unsigned i = 0; i < width; ++i) {
      address = address << 8 | (i < subnet->address_length ? subnet->address[i] : 0U);
    }
    return snapshot.client_column(v4 ? zones::Family::ipv4 : zones::Family::ipv6, address);
  }
  return client.known ? snapshot.client_column(client.family, client.address) : 0;
}

}  // namespace

ResponseInfo respond(const zones::Snapshot* snapshot, std::span<const std::uint8_t> query,
                     std::span<std::uint8_t> out, Transport transport,
                     const ClientAddress& client) noexcept {
  ParsedQuery parsed;
  const ParseStatus status = parse_query(query, parsed);
  Writer writer(query, parsed, out);
  switch (status) {
    case ParseStatus::drop:
      return {};
    case ParseStatus::notimp:
      return writer.error(rcode::notimp, AnswerKind::error);
    case ParseStatus::formerr:
      return writer.error(rcode::formerr, AnswerKind::error);
    case ParseStatus::ok:
      break;
  }

  const std::uint16_t our_payload =
      snapshot != nullptr ? snapshot->edns_udp_size() : kMinUdpPayload;
  std::size_t limit = 65535;
  if (transport == Transport::udp) {
    limit = parsed.has_opt
                ? std::clamp<std::size_t>(parsed.requester_payload, kMinUdpPayload, our_payload)
                : kMinUdpPayload;
  }
  OptReply opt{parsed.has_opt, our_payload};
  Sections sections;
  auto reply = [&](AnswerKind kind, std::uint16_t extended_rcode = rcode::noerror) {
    return writer.answer(sections, kind, limit, extended_rcode, opt);
  };

  if (parsed.has_opt && parsed.edns_version > 0) return reply(AnswerKind::error, rcode::badvers);
  if (snapshot != nullptr && snapshot->ecs() && parsed.client_subnet.present) {
    // RFC 7871 section 7.1.1: FORMERR, and no option echoed.
    if (parsed.client_subnet.malformed) return reply(AnswerKind::error, rcode::formerr);
    opt.subnet = &parsed.client_subnet;
  }
  if (parsed.qtype == rr_type::opt || parsed.qtype == rr_type::tsig)
    return reply(AnswerKind::error, rcode::formerr);
  if (parsed.qtype == rr_type::maila || parsed.qtype == rr_type::mailb ||
      parsed.qtype == rr_type::tkey) {
    return reply(AnswerKind::error, rcode::notimp);
  }

  if (parsed.qclass == rr_class::ch) {
    const bool known = qname_is(parsed, kVersionBind) || qname_is(parsed, kVersionServer) ||
                       qname_is(parsed, kIdServer) || qname_is(parsed, kHostnameBind);
    if (!known) return reply(AnswerKind::refused, rcode::refused);
    if (parsed.qtype == rr_type::txt || parsed.qtype == rr_type::any) {
      sections.extra_answer = kChaosIdentity;
      sections.extra_answer_count = 1;
    }
    return reply(AnswerKind::chaos);
  }
  if (parsed.qclass != rr_class::in) return reply(AnswerKind::refused, rcode::refused);
  if (snapshot == nullptr) return reply(AnswerKind::error, rcode::servfail);

  const zones::Zone* zone = find_zone(*snapshot, parsed);
  if (zone == nullptr) return reply(AnswerKind::refused, rcode::refused);
  // Zone transfers are not offered (yet): refuse them like any secondary
  // that is not on the allow list.
  if (parsed.qtype == rr_type::axfr || parsed.qtype == rr_type::ixfr) {
    return reply(AnswerKind::refused, rcode::refused);
  }

  // A source's group and the client's view choose the answer; the ECS scope
  // says whether another client could have been told otherwise.
  auto relay_set = [&](std::uint32_t source_group) {
    sections.negative_soa_zone = nullptr;
    const bool varies = snapshot->varies_by_client(source_group);
    const std::uint32_t column = varies ? client_column(*snapshot, opt.subnet, client) : 0;
    const std::uint32_t group = snapshot->answer_group(source_group, column);
    if (opt.subnet != nullptr && varies) opt.scope = opt.subnet->source_prefix;
    if (snapshot->unavailable(group)) {
      sections.authoritative = false;
      return reply(AnswerKind::error, rcode::servfail);
    }
    sections.answer = &snapshot->answer(group);
    ResponseInfo info = reply(AnswerKind::relay_set);
    info.answer_counter = snapshot->answer_counter(group);
    return info;
  };

  sections.authoritative = true;
  sections.negative_soa_zone = zone;
  sections.soa_owner_offset =
      kHeaderSize + parsed.label_offsets[parsed.label_count - zone->origin_labels];

  // The labels left of the origin spell the address, nearest the origin first.
  zones::Prefix name = zone->prefix;
  const unsigned extra_labels = parsed.label_count - zone->origin_labels;
  for (unsigned i = extra_labels; i-- > 0;) {
    const std::uint8_t* label = &parsed.qname[parsed.label_offsets[i]];
    if (!extend_reverse_prefix(name, {label + 1, label[0]})) {
      return reply(AnswerKind::nxdomain, rcode::nxdomain);
    }
  }

  std::uint32_t group = 0;
  switch (snapshot->classify(*zone, name, group)) {
    case zones::NameKind::apex:
      if (parsed.qtype == rr_type::soa || parsed.qtype == rr_type::any) {
        // RFC 8482: ANY gets one RRset, the SOA.
        sections.answer = &zone->soa;
      } else if (parsed.qtype == rr_type::ns) {
        sections.answer = &zone->ns;
      } else if (parsed.qtype == rr_type::amtrelay && apex_is_source(*snapshot, name, group)) {
        return relay_set(group);
      } else {
        return reply(AnswerKind::nodata);
      }
      sections.negative_soa_zone = nullptr;
      return reply(AnswerKind::apex);
    case zones::NameKind::relay_set:
      if (parsed.qtype != rr_type::amtrelay && parsed.qtype != rr_type::any)
        return reply(AnswerKind::nodata);
      return relay_set(group);
    case zones::NameKind::empty_non_terminal:
      return reply(AnswerKind::nodata);
    case zones::NameKind::nonexistent:
      break;
  }
  return reply(AnswerKind::nxdomain, rcode::nxdomain);
}

}  // namespace driad::dns
