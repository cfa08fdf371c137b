// Helpers shared by the dns/ unit tests: hex <-> bytes, and a query builder that
// writes names label by label without validating them, so that tests can build
// the malformed messages driad must refuse.
#pragma once

#include <arpa/inet.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace driad::test {

using Bytes = std::vector<std::uint8_t>;

// "0a01 cb00" -> {0x0a, 0x01, 0xcb, 0x00}; whitespace is ignored.
inline Bytes from_hex(std::string_view hex) {
  auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Bytes out;
  int high = -1;
  for (const char c : hex) {
    const int nibble = value(c);
    if (nibble < 0) continue;
    if (high < 0) {
      high = nibble;
    } else {
      out.push_back(static_cast<std::uint8_t>(high << 4 | nibble));
      high = -1;
    }
  }
  return out;
}

inline std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

// "a.b." -> 1 'a' 1 'b' 0. No checks and no escapes: a label may be longer
// than 63 octets here. Case is kept. "." is the root.
inline Bytes wire_name(std::string_view text) {
  Bytes out;
  while (!text.empty() && text != ".") {
    const auto dot = text.find('.');
    const std::string_view label = text.substr(0, dot);
    out.push_back(static_cast<std::uint8_t>(label.size()));
    out.insert(out.end(), label.begin(), label.end());
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  out.push_back(0);
  return out;
}

// The nibble reverse name of an IPv6 address: "2001:db8::1" ->
// "1.0.0.0. ... .8.b.d.0.1.0.0.2.ip6.arpa.".
inline std::string ip6_reverse_text(const char* address) {
  std::uint8_t octets[16] = {};
  inet_pton(AF_INET6, address, octets);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (int i = 15; i >= 0; --i) {
    out += kDigits[octets[i] & 0xf];
    out += '.';
    out += kDigits[octets[i] >> 4];
    out += '.';
  }
  return out + "ip6.arpa.";
}

struct Edns {
  std::uint16_t payload = 1232;
  std::uint8_t version = 0;
  bool dnssec_ok = false;
  Bytes options;  // RDATA of the OPT record, as is
};

struct QueryOptions {
  std::uint16_t id = 0x1234;
  std::uint8_t opcode = 0;
  bool recursion_desired = false;
  bool checking_disabled = false;
  std::uint16_t qclass = 1;
  std::optional<Edns> edns;
};

inline void put16(Bytes& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}

// An OPT record: root owner, TYPE 41, CLASS = payload, TTL = ext-rcode,
// version, DO|Z; RDLENGTH and RDATA.
inline Bytes opt_record(const Edns& edns) {
  Bytes out{0};
  put16(out, 41);
  put16(out, edns.payload);
  out.push_back(0);
  out.push_back(edns.version);
  out.push_back(edns.dnssec_ok ? 0x80 : 0);
  out.push_back(0);
  put16(out, static_cast<std::uint16_t>(edns.options.size()));
  out.insert(out.end(), edns.options.begin(), edns.options.end());
  return out;
}

// An EDNS Client Subnet option (RFC 7871 section 6), code 8, with the address
// octets as given (so that tests can send malformed ones).
inline Bytes ecs_option(std::uint16_t family, std::uint8_t source, std::uint8_t scope,
                        const Bytes& address) {
  Bytes out;
  put16(out, 8);
  put16(out, static_cast<std::uint16_t>(4 + address.size()));
  put16(out, family);
  out.push_back(source);
  out.push_back(scope);
  out.insert(out.end(), address.begin(), address.end());
  return out;
}

inline Bytes make_query(std::string_view qname, std::uint16_t qtype,
                        const QueryOptions& options = {}) {
  Bytes out;
  put16(out, options.id);
  out.push_back(
      static_cast<std::uint8_t>(options.opcode << 3 | (options.recursion_desired ? 1 : 0)));
  out.push_back(options.checking_disabled ? 0x10 : 0);
  put16(out, 1);                     // QDCOUNT
  put16(out, 0);                     // ANCOUNT
  put16(out, 0);                     // NSCOUNT
  put16(out, options.edns ? 1 : 0);  // ARCOUNT
  const Bytes name = wire_name(qname);
  out.insert(out.end(), name.begin(), name.end());
  put16(out, qtype);
  put16(out, options.qclass);
  if (options.edns) {
    const Bytes opt = opt_record(*options.edns);
    out.insert(out.end(), opt.begin(), opt.end());
  }
  return out;
}

}  // namespace driad::test
