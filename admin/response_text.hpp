// A DNS response read back into presentation form, for explain and for
// driadctl verify: the header bits an operator checks and every answer and
// authority record as text ("12.100.51.198.in-addr.arpa. 60 IN AMTRELAY 10 0 1
// 192.0.2.1"). AMTRELAY, SOA and NS are spelled out; other types use the
// RFC 3597 "\# length hex" form. Not on any query path.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <tl/expected.hpp>

namespace driad::admin {

struct RecordText {
  std::string owner;
  std::uint32_t ttl = 0;
  std::uint16_t type = 0;
  std::string rdata;  // presentation form

  std::string text() const;  // "owner ttl IN TYPE rdata"
};

struct ResponseText {
  std::uint16_t id = 0;
  std::uint16_t rcode = 0;  // with the EDNS extended bits
  bool authoritative = false;
  bool truncated = false;
  std::vector<RecordText> answer;
  std::vector<RecordText> authority;
};

// Errors name the section and offset that could not be read.
tl::expected<ResponseText, std::string> parse_response(std::span<const std::uint8_t> message);

// "NOERROR", "NXDOMAIN", ..., "RCODE42".
std::string rcode_name(std::uint16_t rcode);
// "AMTRELAY", "SOA", ..., "TYPE42".
std::string type_name(std::uint16_t type);

// A query for `qname` (wire form) of `qtype`, class IN, with `id`; RD clear,
// no EDNS.
std::vector<std::uint8_t> make_query(std::span<const std::uint8_t> qname, std::uint16_t qtype,
                                     std::uint16_t id);

}  // namespace driad::admin
