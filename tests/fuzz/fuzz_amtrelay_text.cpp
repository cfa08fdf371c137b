// Fuzz target: the AMTRELAY presentation parser (dns/amtrelay_text.hpp). What it
// accepts must be a relay the zone model can serve (RDATA the length its type
// says), and must print (policy::to_text) to text that parses back to the
// same relay.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dns/amtrelay_text.hpp"
#include "policy/relay_text.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "zones/snapshot.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto relay = driad::dns::amtrelay_from_text(text);
  if (!relay) {
    FUZZ_CHECK(!relay.error().empty());
    return 0;
  }
  using driad::policy::RelayType;
  switch (relay->type) {
    case RelayType::none:
      FUZZ_CHECK(relay->relay.empty());
      break;
    case RelayType::ipv4:
      FUZZ_CHECK(relay->relay.size() == 4);
      break;
    case RelayType::ipv6:
      FUZZ_CHECK(relay->relay.size() == 16);
      break;
    case RelayType::domain_name:
      FUZZ_CHECK(relay->relay.size() > 1 && relay->relay.back() == 0);
      break;
  }
  const auto rdata = driad::zones::amtrelay_rdata(*relay);
  FUZZ_CHECK(rdata.size() == 2 + relay->relay.size());
  FUZZ_CHECK(rdata[0] == relay->precedence);
  FUZZ_CHECK((rdata[1] & 0x7f) == static_cast<std::uint8_t>(relay->type));
  FUZZ_CHECK(((rdata[1] & 0x80) != 0) == relay->discovery_optional);

  const std::string printed = driad::policy::to_text(*relay);
  const auto again = driad::dns::amtrelay_from_text(printed);
  if (!again)
    std::fprintf(stderr, "'%s' does not parse back: %s\n", printed.c_str(), again.error().c_str());
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == *relay);
  return 0;
}
