// Parsing a DNS query (RFC 1035 section 4, EDNS per RFC 6891, EDNS Client Subnet
// per RFC 7871) from a byte span.
// Pure: no allocation, no exceptions, no I/O; every length is checked against
// what is left of the message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace driad::dns {

namespace rr_type {
constexpr std::uint16_t ns = 2;
constexpr std::uint16_t soa = 6;
constexpr std::uint16_t txt = 16;
constexpr std::uint16_t opt = 41;
constexpr std::uint16_t tkey = 249;
constexpr std::uint16_t tsig = 250;
constexpr std::uint16_t ixfr = 251;
constexpr std::uint16_t axfr = 252;
constexpr std::uint16_t mailb = 253;
constexpr std::uint16_t maila = 254;
constexpr std::uint16_t any = 255;
constexpr std::uint16_t amtrelay = 260;
}  // namespace rr_type

namespace rr_class {
constexpr std::uint16_t in = 1;
constexpr std::uint16_t ch = 3;
}  // namespace rr_class

namespace rcode {
constexpr std::uint8_t noerror = 0;
constexpr std::uint8_t formerr = 1;
constexpr std::uint8_t servfail = 2;
constexpr std::uint8_t nxdomain = 3;
constexpr std::uint8_t notimp = 4;
constexpr std::uint8_t refused = 5;
constexpr std::uint16_t badvers = 16;  // extended: upper 8 bits go in the OPT TTL
}  // namespace rcode

namespace edns_option {
constexpr std::uint16_t client_subnet = 8;
}  // namespace edns_option

namespace ecs_family {
constexpr std::uint16_t ipv4 = 1;
constexpr std::uint16_t ipv6 = 2;
}  // namespace ecs_family

constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kMaxLabels = 127;
constexpr std::uint16_t kMinUdpPayload = 512;

enum class ParseStatus : std::uint8_t {
  ok,
  drop,     // not even a query header: no answer at all
  formerr,  // a header we can answer, a body we cannot read
  notimp,   // an opcode other than QUERY
};

// The EDNS Client Subnet option of a query (RFC 7871 section 6). Of several,
// the one with the longest source prefix; the fields below `malformed` are
// those of a well-formed option. Whether it counts is the responder's call.
struct ClientSubnet {
  bool present = false;    // at least one ECS option was seen
  bool malformed = false;  // some ECS option breaks section 6: FORMERR if honoured
  std::uint16_t family = 0;
  std::uint8_t source_prefix = 0;
  std::uint8_t scope_prefix = 0;
  std::uint8_t address_length = 0;  // ceil(source_prefix / 8)
  std::uint8_t address[16] = {};    // bits beyond source_prefix are zero
};

struct ParsedQuery {
  std::uint16_t id = 0;
  std::uint8_t opcode = 0;
  bool recursion_desired = false;
  bool checking_disabled = false;

  // The question, when question_ok: the name lower-cased, with the offset of
  // each label inside it (the offsets are the same in the original message,
  // at kHeaderSize + offset, since a question name is never compressed).
  bool question_ok = false;
  std::uint8_t qname[255] = {};
  std::uint8_t label_offsets[kMaxLabels] = {};
  std::uint8_t label_count = 0;  // without the root
  std::size_t qname_length = 0;  // wire length with the root octet
  std::uint16_t qtype = 0;
  std::uint16_t qclass = 0;
  std::size_t question_end = 0;  // offset just past QTYPE/QCLASS

  // EDNS(0), when has_opt.
  bool has_opt = false;
  std::uint16_t requester_payload = 0;
  std::uint8_t edns_version = 0;
  bool dnssec_ok = false;
  ClientSubnet client_subnet;
};

ParseStatus parse_query(std::span<const std::uint8_t> message, ParsedQuery& query) noexcept;

inline std::uint16_t read16(const std::uint8_t* at) noexcept {
  return static_cast<std::uint16_t>((at[0] << 8) | at[1]);
}

}  // namespace driad::dns
