// Answering one query from the current Snapshot: parse, look up, write. Pure and
// noexcept: no allocation, no locks, no logging; the caller owns both buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "zones/snapshot.hpp"

namespace driad::dns {

enum class Transport : std::uint8_t { udp, tcp };

// What kind of answer was written, for counters and tests.
enum class AnswerKind : std::uint8_t {
  dropped,
  relay_set,  // AMTRELAY records
  apex,       // SOA or NS at a zone apex
  nodata,     // the name exists, not with that type
  nxdomain,
  refused,  // outside every zone, or a class we do not serve
  chaos,    // CH TXT id.server / version.bind
  error,    // FORMERR, NOTIMP, BADVERS, SERVFAIL
};

struct ResponseInfo {
  std::size_t size = 0;  // 0: send nothing
  AnswerKind kind = AnswerKind::dropped;
  std::uint16_t rcode = 0;  // extended (BADVERS is 16)
  bool truncated = false;
  // With kind relay_set: the served group's answer counter (zones::Snapshot::answer_counter).
  std::uint16_t answer_counter = 0;
};

// Who asked: the resolver's source address (IPv4-mapped IPv6 given as IPv4).
struct ClientAddress {
  bool known = false;
  zones::Family family = zones::Family::ipv4;
  zones::Bits128 address = 0;  // IPv4 in the low 32 bits, as zones/ stores it
};

// Writes the response to `query` into `out` (at least 65535 octets for TCP;
// for UDP, 512 or the EDNS size suffices). A null snapshot answers SERVFAIL.
//
// A relay set is chosen by the client's view: the address is `client`, or the
// query's EDNS Client Subnet when the snapshot honours ECS and its source
// prefix is not 0. With ECS honoured, a malformed option is FORMERR and a good
// one is echoed with scope = its source prefix when the answer depends on the
// client, else 0. Without it, ECS options are ignored.
ResponseInfo respond(const zones::Snapshot* snapshot, std::span<const std::uint8_t> query,
                     std::span<std::uint8_t> out, Transport transport,
                     const ClientAddress& client = {}) noexcept;

}  // namespace driad::dns
