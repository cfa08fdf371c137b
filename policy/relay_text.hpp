// AmtRelay in AMTRELAY presentation form (RFC 8777 section 4.3), for the
// decision log and test messages. policy/ may not use dns/'s codec, and a log
// line needs no parsing back, so this is a small one-way formatter.
#pragma once

#include <string>
#include <vector>

#include "policy/amt_relay.hpp"

namespace driad::policy {

// "10 0 1 192.0.2.1", "20 1 2 2001:db8::15", "30 0 3 amtrelays.example.com.",
// "40 0 0 .". A relay whose bytes do not fit its type shows as "<malformed>".
std::string to_text(const AmtRelay& relay);

// "[10 0 1 192.0.2.1, 20 0 1 192.0.2.11]".
std::string to_text(const std::vector<AmtRelay>& relays);

}  // namespace driad::policy
