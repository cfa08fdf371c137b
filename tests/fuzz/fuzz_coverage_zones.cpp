// Fuzz target: the Coverage Zone File (config/coverage_zone_file.hpp). Errors
// name the file; a file that loads has its cachegroups sorted and distinct.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/coverage_zone_file.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string label = "czf.json";
  const auto zones = driad::config::parse_coverage_zones(text, label);
  if (!zones) {
    FUZZ_CHECK(zones.error().starts_with(label + ": "));
    return 0;
  }
  for (std::size_t i = 1; i < zones->zones.size(); ++i) {
    FUZZ_CHECK(zones->zones[i - 1].cachegroup < zones->zones[i].cachegroup);
  }
  return 0;
}
