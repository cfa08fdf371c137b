// An independent reading of driad's responses: ldns_wire2pkt (libldns) parses
// every response the responder tests produce, so that they do not check
// driad's writer only with driad's own reader.
#pragma once

#include <ldns/ldns.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/dns/dns_test_support.hpp"

namespace driad::test {

struct LdnsPacketFree {
  void operator()(ldns_pkt* packet) const { ldns_pkt_free(packet); }
};
using LdnsPacket = std::unique_ptr<ldns_pkt, LdnsPacketFree>;

// Null (with a test failure) when ldns refuses the message.
inline LdnsPacket ldns_parse(const Bytes& wire) {
  ldns_pkt* packet = nullptr;
  const ldns_status status = ldns_wire2pkt(&packet, wire.data(), wire.size());
  if (status != LDNS_STATUS_OK) {
    ADD_FAILURE() << "ldns cannot parse " << to_hex(wire) << ": "
                  << ldns_get_errorstr_by_id(status);
    return nullptr;
  }
  return LdnsPacket(packet);
}

inline std::string ldns_text(const ldns_rdf* rdf) {
  char* text = ldns_rdf2str(rdf);
  std::string out = text != nullptr ? text : "";
  free(text);  // NOLINT(cppcoreguidelines-no-malloc): ldns allocates with malloc
  return out;
}

inline std::string owner_text(const ldns_rr* rr) {
  return ldns_text(ldns_rr_owner(rr));
}

// The RDATA of a record ldns read as unknown (one rdf holding the raw octets),
// as AMTRELAY is: Debian's ldns has no descriptor for type 260.
inline Bytes raw_rdata(const ldns_rr* rr) {
  if (ldns_rr_rd_count(rr) != 1) {
    ADD_FAILURE() << "type " << ldns_rr_get_type(rr) << " has " << ldns_rr_rd_count(rr)
                  << " rdfs, not 1";
    return {};
  }
  const ldns_rdf* rdf = ldns_rr_rdf(rr, 0);
  return Bytes(ldns_rdf_data(rdf), ldns_rdf_data(rdf) + ldns_rdf_size(rdf));
}

inline std::vector<ldns_rr*> records(const ldns_rr_list* list) {
  std::vector<ldns_rr*> out;
  for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i)
    out.push_back(ldns_rr_list_rr(list, i));
  return out;
}

}  // namespace driad::test
