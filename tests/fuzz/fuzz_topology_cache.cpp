// Fuzz target: the topology cache file (health/topology_cache.hpp). A cache
// that loads must write back (topology_to_json) to one that loads as the same
// topology, or a restart would not see what was saved.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "health/topology_cache.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto topology = driad::health::topology_from_json(text);
  if (!topology) {
    FUZZ_CHECK(!topology.error().empty());
    return 0;
  }
  const std::string saved = driad::health::topology_to_json(*topology);
  const auto again = driad::health::topology_from_json(saved);
  if (!again) std::fprintf(stderr, "saved cache does not load: %s\n", again.error().c_str());
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == *topology);
  return 0;
}
