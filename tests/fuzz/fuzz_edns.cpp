// Fuzz target: EDNS options. The input's first four octets pick a question and
// the OPT record's fields; the rest is the OPT RDATA as it stands, so the
// fuzzer works on ECS (RFC 7871) and other options directly instead of having
// to find a well-formed query around them first.
//
//   octet 0: the question (kQuestions, modulo)
//   octet 1: bit 0 DO, bit 1 EDNS version 1 (BADVERS), bits 2-3 the QTYPE
//   octets 2-3: the requester's UDP payload size
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "dns/message.hpp"
#include "tests/fuzz/dns_answer_check.hpp"

namespace {

// Names of tests/dns/test_snapshot.hpp's views spec, one per kind of answer.
constexpr std::array<const char*, 8> kQuestions = {
    "12.100.51.198.in-addr.arpa.",  // varies by view (rfc8777, view-a, view-b)
    "1.105.51.198.in-addr.arpa.",   // west, SERVFAIL in view B
    "1.104.51.198.in-addr.arpa.",   // pending: SERVFAIL
    "1.103.51.198.in-addr.arpa.",   // large: truncated over UDP
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.f.f.8.b.d.0.1.0.0.2.ip6.arpa.",
    "51.198.in-addr.arpa.",    // the apex
    "7.51.198.in-addr.arpa.",  // NXDOMAIN
    "amtrelays.example.com.",  // REFUSED
};
constexpr std::array<std::uint16_t, 4> kTypes = {driad::dns::rr_type::amtrelay,
                                                 driad::dns::rr_type::any, driad::dns::rr_type::soa,
                                                 driad::dns::rr_type::ns};

void put16(std::vector<std::uint8_t>& out, std::size_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}

// "a.b." -> 1 'a' 1 'b' 0.
std::vector<std::uint8_t> wire_name(const char* text) {
  std::vector<std::uint8_t> out;
  std::size_t length_at = 0;
  out.push_back(0);
  for (const char* c = text; *c != '\0'; ++c) {
    if (*c == '.') {
      out[length_at] = static_cast<std::uint8_t>(out.size() - length_at - 1);
      length_at = out.size();
      out.push_back(0);
    } else {
      out.push_back(static_cast<std::uint8_t>(*c));
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4 || size - 4 > 0xffff) return 0;
  const std::uint8_t flags = data[1];
  std::vector<std::uint8_t> query = {0x12, 0x34, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 1};
  const auto name = wire_name(kQuestions[data[0] % kQuestions.size()]);
  query.insert(query.end(), name.begin(), name.end());
  put16(query, kTypes[(flags >> 2) & 3]);
  put16(query, driad::dns::rr_class::in);
  query.push_back(0);  // OPT owner: the root
  put16(query, driad::dns::rr_type::opt);
  query.push_back(data[2]);  // CLASS: the payload size
  query.push_back(data[3]);
  query.push_back(0);                            // extended RCODE
  query.push_back((flags & 2) != 0 ? 1 : 0);     // version
  query.push_back((flags & 1) != 0 ? 0x80 : 0);  // DO
  query.push_back(0);
  put16(query, size - 4);
  query.insert(query.end(), data + 4, data + size);
  driad::fuzz::answer_and_check(query);
  return 0;
}
