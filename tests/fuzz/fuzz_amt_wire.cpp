// Fuzz target: the RFC 7450 Relay Discovery / Relay Advertisement parsers
// (health/amt_wire.hpp) that read the gateway probe's replies. What they
// accept must encode back to the same octets, the reserved ones aside.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "health/amt_wire.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace amt = driad::health::amt;

namespace {

// The message with its three reserved octets zeroed, as the encoders write them.
std::vector<std::uint8_t> without_reserved(std::span<const std::uint8_t> message) {
  std::vector<std::uint8_t> out(message.begin(), message.end());
  std::fill(out.begin() + 1, out.begin() + 4, std::uint8_t{0});
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> message(data, size);
  if (const auto nonce = amt::ParseDiscovery(message); nonce) {
    const auto encoded = amt::EncodeDiscovery(*nonce);
    FUZZ_CHECK(without_reserved(message) ==
               std::vector<std::uint8_t>(encoded.begin(), encoded.end()));
  } else {
    FUZZ_CHECK(!amt::to_string(nonce.error()).empty());
  }
  if (const auto advertisement = amt::ParseAdvertisement(message); advertisement) {
    FUZZ_CHECK(advertisement->relay.is_v4() == (size == amt::kAdvertisementV4Size));
    FUZZ_CHECK(without_reserved(message) ==
               amt::EncodeAdvertisement(advertisement->nonce, advertisement->relay));
  } else {
    FUZZ_CHECK(!amt::to_string(advertisement.error()).empty());
  }
  return 0;
}
