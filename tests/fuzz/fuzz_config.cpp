// Fuzz target: the JSON config (config/config.hpp parse_config). Every error
// must name the file; a config that loads must also build a Snapshot, since
// `driadd --check-config` calls such a file valid and the daemon then builds
// its first snapshot from it. Errors about lines of a `sources_file` name that
// file instead ("PATH:LINE: ...").
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

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
    // "fuzz.json: /pointer: ...", for JSON syntax "fuzz.json:LINE:COLUMN: ...",
    // for a line of the sources file "PATH:LINE: ...".
    std::string sources_file;
    const auto root = nlohmann::json::parse(text, nullptr, false);
    if (root.is_object() && root.contains("sources_file") && root["sources_file"].is_string())
      sources_file = root["sources_file"].get<std::string>();
    for (const std::string& error : config.error()) {
      FUZZ_CHECK(error.starts_with(label + ":") ||
                 (!sources_file.empty() && error.starts_with(sources_file + ":")));
    }
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
