// Fuzz target: reverse names <-> prefixes (dns/reverse_name.hpp). The input is
// read as a wire-format name (when it is one) and as presentation text through
// name_from_text. Only canonical labels are accepted, so every name that
// prefix_from_reverse_name reads must print back through reverse_name as the
// same name in lower case, and its prefix must have no host bits.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "dns/name.hpp"
#include "dns/reverse_name.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using driad::dns::WireName;
namespace zones = driad::zones;

// An uncompressed name that ends with the root octet exactly at the end.
bool is_wire_name(std::span<const std::uint8_t> wire) {
  if (wire.empty() || wire.size() > driad::dns::kMaxNameLength) return false;
  std::size_t at = 0;
  while (at < wire.size() && wire[at] != 0) {
    if (wire[at] > driad::dns::kMaxLabelLength) return false;
    at += 1 + wire[at];
  }
  return at + 1 == wire.size();
}

void check_round_trip(const WireName& name) {
  const auto prefix = driad::dns::prefix_from_reverse_name(name);
  if (!prefix) {
    FUZZ_CHECK(!prefix.error().empty());
    return;
  }
  const unsigned width = zones::address_bits(prefix->family);
  FUZZ_CHECK(prefix->length <= width);
  FUZZ_CHECK(prefix->length % (prefix->family == zones::Family::ipv4 ? 8 : 4) == 0);
  FUZZ_CHECK((prefix->address & ~zones::prefix_mask(prefix->family, prefix->length)) == 0);
  WireName lower = name;
  driad::dns::lowercase_name(lower);
  FUZZ_CHECK(driad::dns::reverse_name(*prefix) == lower);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  if (is_wire_name(input)) check_round_trip(WireName(input.begin(), input.end()));

  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto name = driad::dns::name_from_text(text); name) {
    FUZZ_CHECK(is_wire_name(*name));
    check_round_trip(*name);
  }
  return 0;
}
