// The checks of dns_answer_check.hpp. The snapshots are tests/dns's: the views
// spec (ECS on, two client views, a SERVFAIL group, and here a single-address
// zone) and the plain spec.
#include "tests/fuzz/dns_answer_check.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

#include "dns/message.hpp"
#include "dns/responder.hpp"
#include "tests/dns/test_snapshot.hpp"
#include "tests/fuzz/fuzz_check.hpp"

// Last: ldns/common.h may #define bool and false, which breaks C++ headers
// included after it (<optional>'s operator<=>).
#include <ldns/ldns.h>

namespace driad::fuzz {
namespace {

using dns::ParsedQuery;
using dns::ParseStatus;

constexpr std::uint16_t kTypeAmtrelay = 260;

struct LdnsPacketFree {
  void operator()(ldns_pkt* packet) const { ldns_pkt_free(packet); }
};
using LdnsPacket = std::unique_ptr<ldns_pkt, LdnsPacketFree>;

std::shared_ptr<const zones::Snapshot> build(const zones::SnapshotSpec& spec) {
  auto snapshot = zones::Snapshot::build(spec);
  FUZZ_CHECK(snapshot.has_value());
  return *snapshot;
}

// The views spec plus a zone for one address whose apex is a source (the
// apex then holds the relay set beside the SOA and NS).
zones::SnapshotSpec fuzz_spec() {
  zones::SnapshotSpec spec = test::test_views_spec();
  spec.zones.push_back({test::wire("7.113.0.203.in-addr.arpa."),
                        test::prefix("203.0.113.7/32"),
                        test::test_soa(30),
                        {test::wire("ns1.driad.example.")},
                        3600});
  spec.sources.push_back({test::prefix("203.0.113.7/32"), test::kGroupRfc8777});
  return spec;
}

const zones::Snapshot& views_snapshot() {
  static const auto snapshot = build(fuzz_spec());
  return *snapshot;
}

const zones::Snapshot& plain_snapshot() {
  static const auto snapshot = build(test::test_spec());
  return *snapshot;
}

dns::ClientAddress client(const char* text) {
  const zones::Prefix address = test::prefix(text);
  return {true, address.family, address.address};
}

// A name ldns read is the question name: compared lower-cased, since the
// response echoes the query's spelling (and owners point at it).
bool is_qname(const ldns_rdf* name, const ParsedQuery& parsed) {
  if (ldns_rdf_size(name) != parsed.qname_length) return false;
  const std::uint8_t* octets = ldns_rdf_data(name);
  for (std::size_t i = 0; i < parsed.qname_length; ++i) {
    const std::uint8_t c = octets[i];
    if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != parsed.qname[i]) return false;
  }
  return true;
}

// The RDATA of one AMTRELAY record (RFC 8777 section 4.2) is well formed.
bool amtrelay_rdata_ok(const std::uint8_t* rdata, std::size_t size) {
  if (size < 2) return false;
  const std::size_t relay = size - 2;
  switch (rdata[1] & 0x7f) {
    case 0:
      return relay == 0;
    case 1:
      return relay == 4;
    case 2:
      return relay == 16;
    case 3: {
      // An uncompressed name ending exactly at the end of the RDATA.
      std::size_t at = 2;
      while (at < size && rdata[at] != 0) {
        if (rdata[at] > 63) return false;
        at += 1 + rdata[at];
      }
      return at + 1 == size && relay > 1;
    }
    default:
      return false;
  }
}

// The ECS option of the response's OPT record, if any.
const ldns_edns_option* response_ecs(ldns_pkt* packet) {
  ldns_edns_option_list* options = ldns_pkt_edns_get_option_list(packet);
  if (options == nullptr) return nullptr;
  const ldns_edns_option* found = nullptr;
  for (std::size_t i = 0; i < ldns_edns_option_list_get_count(options); ++i) {
    const ldns_edns_option* option = ldns_edns_option_list_get_option(options, i);
    if (ldns_edns_get_code(option) == LDNS_EDNS_CLIENT_SUBNET) {
      FUZZ_CHECK(found == nullptr);  // echoed once at most
      found = option;
    }
  }
  return found;
}

void check_ecs_echo(ldns_pkt* packet, const ParsedQuery& parsed, bool echo_expected) {
  const ldns_edns_option* ecs = response_ecs(packet);
  FUZZ_CHECK((ecs != nullptr) == echo_expected);
  if (ecs == nullptr) return;
  const dns::ClientSubnet& asked = parsed.client_subnet;
  const std::uint8_t* data = ldns_edns_get_data(ecs);
  const std::size_t size = ldns_edns_get_size(ecs);
  FUZZ_CHECK(size == 4U + asked.address_length);
  FUZZ_CHECK(dns::read16(data) == asked.family);
  FUZZ_CHECK(data[2] == asked.source_prefix);
  // RFC 7871 section 7.2.1: the scope is the source prefix or 0 here.
  FUZZ_CHECK(data[3] == 0 || data[3] == asked.source_prefix);
  FUZZ_CHECK(std::memcmp(data + 4, asked.address, asked.address_length) == 0);
}

void check_answer_records(ldns_pkt* packet, const ParsedQuery& parsed) {
  const ldns_rr_list* answers = ldns_pkt_answer(packet);
  FUZZ_CHECK(ldns_rr_list_rr_count(answers) > 0);
  for (std::size_t i = 0; i < ldns_rr_list_rr_count(answers); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(answers, i);
    FUZZ_CHECK(ldns_rr_get_type(rr) == kTypeAmtrelay);
    FUZZ_CHECK(ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN);
    FUZZ_CHECK(is_qname(ldns_rr_owner(rr), parsed));
    // Debian's ldns has no AMTRELAY descriptor: the RDATA is one unknown rdf.
    FUZZ_CHECK(ldns_rr_rd_count(rr) == 1);
    const ldns_rdf* rdata = ldns_rr_rdf(rr, 0);
    FUZZ_CHECK(amtrelay_rdata_ok(ldns_rdf_data(rdata), ldns_rdf_size(rdata)));
  }
}

// The question ldns read is the query's.
void check_question(ldns_pkt* packet, const ParsedQuery& parsed) {
  const ldns_rr_list* question = ldns_pkt_question(packet);
  FUZZ_CHECK(ldns_rr_list_rr_count(question) == 1);
  const ldns_rr* rr = ldns_rr_list_rr(question, 0);
  FUZZ_CHECK(ldns_rr_get_type(rr) == parsed.qtype);
  FUZZ_CHECK(ldns_rr_get_class(rr) == parsed.qclass);
  FUZZ_CHECK(is_qname(ldns_rr_owner(rr), parsed));
}

void check_response(std::span<const std::uint8_t> query, std::span<const std::uint8_t> response,
                    const dns::ResponseInfo& info, const zones::Snapshot* snapshot,
                    dns::Transport transport) {
  ParsedQuery parsed;
  const ParseStatus status = dns::parse_query(query, parsed);
  if (status == ParseStatus::drop) {
    FUZZ_CHECK(info.size == 0);
    return;
  }
  // Anything with a readable header is answered (design.md: FORMERR where a
  // header can be read), and within the size the transport allows.
  FUZZ_CHECK(info.size >= dns::kHeaderSize);
  FUZZ_CHECK(info.size <= response.size());
  if (transport == dns::Transport::udp) {
    const std::uint16_t ours = snapshot != nullptr ? snapshot->edns_udp_size() : 512;
    const std::size_t limit =
        status == ParseStatus::ok && parsed.has_opt
            ? std::clamp<std::size_t>(parsed.requester_payload, dns::kMinUdpPayload, ours)
            : dns::kMinUdpPayload;
    FUZZ_CHECK(info.size <= limit);
  } else {
    FUZZ_CHECK(!info.truncated);
  }
  const std::uint8_t* wire = response.data();
  FUZZ_CHECK(dns::read16(wire) == parsed.id);
  FUZZ_CHECK((wire[2] & 0x80) != 0);                     // QR
  FUZZ_CHECK(((wire[2] >> 3) & 0x0f) == parsed.opcode);  // echoed
  FUZZ_CHECK(((wire[2] & 0x02) != 0) == info.truncated);
  FUZZ_CHECK((wire[3] & 0x0f) == (info.rcode & 0x0f));
  const bool opt_expected = status == ParseStatus::ok && parsed.has_opt;
  FUZZ_CHECK(dns::read16(wire + 10) == (opt_expected ? 1 : 0));

  ldns_pkt* raw = nullptr;
  const ldns_status parsed_by_ldns = ldns_wire2pkt(&raw, wire, info.size);
  if (parsed_by_ldns != LDNS_STATUS_OK) {
    std::fprintf(stderr, "ldns cannot parse the response: %s\n",
                 ldns_get_errorstr_by_id(parsed_by_ldns));
  }
  FUZZ_CHECK(parsed_by_ldns == LDNS_STATUS_OK);
  const LdnsPacket packet(raw);
  FUZZ_CHECK(ldns_pkt_id(packet.get()) == parsed.id);
  if (parsed.question_ok) {
    check_question(packet.get(), parsed);
  } else {
    FUZZ_CHECK(ldns_pkt_qdcount(packet.get()) == 0);
  }
  if (status != ParseStatus::ok) {
    FUZZ_CHECK(ldns_pkt_ancount(packet.get()) == 0);
    FUZZ_CHECK(ldns_pkt_nscount(packet.get()) == 0);
    return;
  }
  if (info.kind == dns::AnswerKind::relay_set && !info.truncated) {
    check_answer_records(packet.get(), parsed);
  }
  if (info.kind == dns::AnswerKind::nxdomain || info.kind == dns::AnswerKind::nodata) {
    FUZZ_CHECK(ldns_pkt_ancount(packet.get()) == 0);
    FUZZ_CHECK(info.truncated || ldns_pkt_nscount(packet.get()) == 1);  // the SOA
  }
  if (opt_expected) {
    const bool honoured = snapshot != nullptr && snapshot->ecs() && parsed.client_subnet.present &&
                          !parsed.client_subnet.malformed && parsed.edns_version == 0;
    check_ecs_echo(packet.get(), parsed, honoured);
  }
}

void answer(const zones::Snapshot* snapshot, std::span<const std::uint8_t> query,
            dns::Transport transport, const dns::ClientAddress& from) {
  static std::array<std::uint8_t, 65535> out;
  const dns::ResponseInfo info = dns::respond(snapshot, query, out, transport, from);
  check_response(query, out, info, snapshot, transport);
}

}  // namespace

void answer_and_check(std::span<const std::uint8_t> query) {
  // 192.0.2.200 is in view B, 2001:db8:aaaa::1 in view A (test_views_spec).
  static const dns::ClientAddress view_b = client("192.0.2.200");
  static const dns::ClientAddress view_a = client("2001:db8:aaaa::1");
  answer(&views_snapshot(), query, dns::Transport::udp, {});
  answer(&views_snapshot(), query, dns::Transport::udp, view_b);
  answer(&views_snapshot(), query, dns::Transport::tcp, view_a);
  answer(&plain_snapshot(), query, dns::Transport::udp, view_b);
  answer(nullptr, query, dns::Transport::udp, {});
}

}  // namespace driad::fuzz
