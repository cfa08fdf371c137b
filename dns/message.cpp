// Query parsing. Any inconsistency ends the parse; nothing is trusted.
#include "dns/message.hpp"

#include <algorithm>

namespace driad::dns {
namespace {

constexpr std::uint8_t kQrBit = 0x80;

// The question name: labels only, since a compression pointer in the first
// name of a message can only point at the header or forward.
bool read_question_name(std::span<const std::uint8_t> message, std::size_t& at,
                        ParsedQuery& query) noexcept {
  std::size_t length = 0;
  while (true) {
    if (at >= message.size()) return false;
    const std::uint8_t label_length = message[at];
    if (label_length == 0) break;
    if (label_length > 63) return false;  // a pointer or an extended label type
    if (length + 1 + label_length + 1 > 255 || query.label_count >= kMaxLabels) return false;
    if (at + 1 + label_length > message.size()) return false;
    query.label_offsets[query.label_count++] = static_cast<std::uint8_t>(length);
    query.qname[length++] = label_length;
    for (std::size_t i = 0; i < label_length; ++i) {
      const std::uint8_t c = message[at + 1 + i];
      query.qname[length++] = (c >= 'A' && c <= 'Z') ? static_cast<std::uint8_t>(c + 32) : c;
    }
    at += 1 + label_length;
  }
  query.qname[length++] = 0;
  query.qname_length = length;
  ++at;
  return true;
}

// Steps over a name in a later section; a pointer ends it in place. Sets
// `is_root` when the name is the root, as an OPT owner must be.
bool skip_name(std::span<const std::uint8_t> message, std::size_t& at, bool& is_root) noexcept {
  is_root = at < message.size() && message[at] == 0;
  std::size_t length = 0;
  while (true) {
    if (at >= message.size()) return false;
    const std::uint8_t label_length = message[at];
    if (label_length == 0) {
      ++at;
      return true;
    }
    if ((label_length & 0xc0) == 0xc0) {
      if (at + 2 > message.size()) return false;
      at += 2;
      return true;
    }
    if (label_length > 63) return false;
    length += 1 + label_length;
    if (length > 255) return false;
    at += 1 + label_length;
  }
}

// One ECS option's data: FAMILY, SOURCE PREFIX-LENGTH, SCOPE PREFIX-LENGTH,
// ADDRESS. A malformed one marks the query; otherwise the longest source
// prefix so far is kept.
void read_client_subnet(std::span<const std::uint8_t> data, ClientSubnet& subnet) noexcept {
  subnet.present = true;
  if (data.size() < 4) {
    subnet.malformed = true;
    return;
  }
  const std::uint16_t family = read16(&data[0]);
  const std::uint8_t source = data[2];
  const std::uint8_t scope = data[3];
  const std::span<const std::uint8_t> address = data.subspan(4);
  const unsigned max_prefix =
      family == ecs_family::ipv4 ? 32 : (family == ecs_family::ipv6 ? 128 : 0);
  const std::size_t octets = (source + 7U) / 8U;
  const bool bad = max_prefix == 0 || source > max_prefix || scope != 0 ||
                   address.size() != octets ||
                   // RFC 7871 section 6: bits beyond the source prefix MUST be zero.
                   (source % 8 != 0 && (address[octets - 1] & (0xffU >> (source % 8))) != 0);
  if (bad) {
    subnet.malformed = true;
    return;
  }
  // family is set once a well-formed option has been kept; ties keep the first.
  if (subnet.family != 0 && source <= subnet.source_prefix) return;
  subnet.family = family;
  subnet.source_prefix = source;
  subnet.scope_prefix = scope;
  subnet.address_length = static_cast<std::uint8_t>(octets);
  std::copy(address.begin(), address.end(), subnet.address);
}

bool read_opt(std::span<const std::uint8_t> message, std::size_t at, std::uint16_t rdlength,
              ParsedQuery& query) noexcept {
  // at: the CLASS field of the OPT record.
  query.has_opt = true;
  query.requester_payload = read16(&message[at]);
  query.edns_version = message[at + 3];
  query.dnssec_ok = (message[at + 4] & 0x80) != 0;
  std::size_t option = at + 8;
  const std::size_t end = option + rdlength;
  while (option < end) {
    if (option + 4 > end) return false;
    const std::uint16_t code = read16(&message[option]);
    const std::uint16_t option_length = read16(&message[option + 2]);
    if (option + 4 + option_length > end) return false;
    if (code == edns_option::client_subnet) {
      read_client_subnet(message.subspan(option + 4, option_length), query.client_subnet);
    }
    option += 4 + option_length;
  }
  return true;
}

}  // namespace

ParseStatus parse_query(std::span<const std::uint8_t> message, ParsedQuery& query) noexcept {
  if (message.size() < kHeaderSize) return ParseStatus::drop;
  if ((message[2] & kQrBit) != 0) return ParseStatus::drop;
  query.id = read16(&message[0]);
  query.opcode = static_cast<std::uint8_t>((message[2] >> 3) & 0x0f);
  query.recursion_desired = (message[2] & 0x01) != 0;
  query.checking_disabled = (message[3] & 0x10) != 0;
  if (query.opcode != 0) return ParseStatus::notimp;

  const std::uint16_t qdcount = read16(&message[4]);
  const std::uint16_t ancount = read16(&message[6]);
  const std::uint16_t nscount = read16(&message[8]);
  const std::uint16_t arcount = read16(&message[10]);
  if (qdcount != 1) return ParseStatus::formerr;

  std::size_t at = kHeaderSize;
  if (!read_question_name(message, at, query)) return ParseStatus::formerr;
  if (at + 4 > message.size()) return ParseStatus::formerr;
  query.qtype = read16(&message[at]);
  query.qclass = read16(&message[at + 2]);
  at += 4;
  query.question_end = at;
  query.question_ok = true;

  // A query carries nothing in the answer and authority sections.
  if (ancount != 0 || nscount != 0) return ParseStatus::formerr;

  for (unsigned i = 0; i < arcount; ++i) {
    bool owner_is_root = false;
    if (!skip_name(message, at, owner_is_root)) return ParseStatus::formerr;
    if (at + 10 > message.size()) return ParseStatus::formerr;
    const std::uint16_t type = read16(&message[at]);
    const std::uint16_t rdlength = read16(&message[at + 8]);
    if (at + 10 + rdlength > message.size()) return ParseStatus::formerr;
    if (type == rr_type::opt) {
      // RFC 6891 section 6.1.1: one OPT at most, owned by the root.
      if (query.has_opt || !owner_is_root) return ParseStatus::formerr;
      if (!read_opt(message, at + 2, rdlength, query)) return ParseStatus::formerr;
    }
    at += 10 + rdlength;
  }
  return ParseStatus::ok;
}

}  // namespace driad::dns
