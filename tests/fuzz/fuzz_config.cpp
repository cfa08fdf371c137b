// Fuzz target: the JSON config (config/config.hpp parse_config). Every error
// must name the file; a config that loads must also build a Snapshot, since
// `driadd --check-config` calls such a file valid and the daemon then builds
// its first snapshot from it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.hpp"
#include "src/snapshot_spec.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "zones/snapshot.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string label = "fuzz.json";
  const auto config = driad::config::parse_config(text, label);
  if (!config) {
    FUZZ_CHECK(!config.error().empty());
    // "fuzz.json: /pointer: ..." or, for JSON syntax, "fuzz.json:LINE:COLUMN: ...".
    for (const std::string& error : config.error()) FUZZ_CHECK(error.starts_with(label + ":"));
    return 0;
  }
  auto spec = driad::app::snapshot_spec(*config, 1);
  driad::app::SerialKeeper serials;
  serials.assign(spec, *config, 1700000000);
  const auto snapshot = driad::zones::Snapshot::build(spec);
  if (!snapshot)
    std::fprintf(stderr, "accepted config, no snapshot: %s\n", snapshot.error().c_str());
  FUZZ_CHECK(snapshot.has_value());
  return 0;
}
