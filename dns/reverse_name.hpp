// Reverse names <-> addresses: "12.100.51.198.in-addr.arpa." is 198.51.100.12,
// one decimal label per octet; under "ip6.arpa." one hex label per nibble
// (RFC 1035 section 3.5, RFC 3596 section 2.5). A name with fewer labels spells
// a prefix; labels are read from the one nearest the origin outward.
#pragma once

#include <cstdint>
#include <span>

#include <tl/expected.hpp>

#include "dns/name.hpp"
#include "zones/prefix.hpp"

namespace driad::dns {

// Appends one label (the next octet or nibble) to `prefix`. Only the canonical
// spelling counts: "7" not "07", one hex digit in either case for ip6.arpa.
// False when the label is not one, or the prefix is already full length.
// Hot path: no allocation, no exceptions.
bool extend_reverse_prefix(zones::Prefix& prefix, std::span<const std::uint8_t> label) noexcept;

// The prefix a whole reverse name spells: the origin of a zone or the name of
// an address. Fails for names not under in-addr.arpa. or ip6.arpa. and for
// labels that are not canonical octets or nibbles.
tl::expected<zones::Prefix, std::string> prefix_from_reverse_name(
    std::span<const std::uint8_t> wire);

// The reverse name of a prefix whose length is a whole number of labels
// (a multiple of 8 for IPv4, of 4 for IPv6), in lower case.
WireName reverse_name(const zones::Prefix& prefix);

}  // namespace driad::dns
