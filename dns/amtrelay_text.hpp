// AMTRELAY presentation form (RFC 8777 section 4.3.1): "precedence D type relay",
// e.g. "10 0 1 203.0.113.15", "128 1 3 amtrelays.example.com.", "0 0 0 .".
// Printing is policy::to_text (policy/relay_text.hpp), which the decision log uses.
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "policy/amt_relay.hpp"

namespace driad::dns {

// Every field is checked: precedence 0-255, D 0 or 1, type 0-3 (4-127 are
// unassigned and refused), and a relay that matches the type.
tl::expected<policy::AmtRelay, std::string> amtrelay_from_text(std::string_view text);

}  // namespace driad::dns
