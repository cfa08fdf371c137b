// Parsing and checking a Coverage Zone File.
#include "config/coverage_zone_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "config/json_reader.hpp"

namespace driad::config {
namespace {

using nlohmann::json;

tl::expected<policy::Coordinates, std::string> read_coordinates(const json& value) {
  if (!value.is_object()) return tl::make_unexpected("must be an object");
  policy::Coordinates where;
  for (const auto& [key, limit, out] : {std::tuple{"latitude", 90.0, &where.latitude},
                                        std::tuple{"longitude", 180.0, &where.longitude}}) {
    const auto it = value.find(key);
    if (it == value.end() || !it->is_number()) {
      return tl::make_unexpected(std::string(key) + " must be a number");
    }
    *out = it->get<double>();
    if (*out < -limit || *out > limit) {
      return tl::make_unexpected(std::string(key) + " " + it->dump() + " is out of range");
    }
  }
  return where;
}

class CzfReader {
 public:
  explicit CzfReader(std::string file) : file_(std::move(file)) {}

  tl::expected<CoverageZones, std::string> read(const json& root) {
    if (!root.is_object()) return fail("", "must be an object");
    CoverageZones out;
    if (const auto revision = root.find("revision");
        revision != root.end() && revision->is_string()) {
      out.revision = revision->get<std::string>();
    }
    const auto zones = root.find("coverageZones");
    if (zones == root.end() || !zones->is_object()) {
      return fail("/coverageZones", "must be an object of cachegroup name to networks");
    }
    // nlohmann's object iterates in key order: the output is sorted by name.
    for (const auto& [name, entry] : zones->items()) {
      const std::string pointer = JsonReader::child("/coverageZones", name);
      if (!entry.is_object()) return fail(pointer, "must be an object");
      CoverageZone zone;
      zone.cachegroup = name;
      for (const auto& [key, family] : {std::pair{"network", zones::Family::ipv4},
                                        std::pair{"network6", zones::Family::ipv6}}) {
        const auto networks = entry.find(key);
        if (networks == entry.end()) continue;
        const std::string list_pointer = JsonReader::child(pointer, key);
        if (!networks->is_array()) return fail(list_pointer, "must be an array of CIDR strings");
        for (std::size_t i = 0; i < networks->size(); ++i) {
          auto added =
              add_network((*networks)[i], family, JsonReader::child(list_pointer, i), zone);
          if (!added) return tl::make_unexpected(added.error());
        }
      }
      if (const auto coordinates = entry.find("coordinates"); coordinates != entry.end()) {
        auto where = read_coordinates(*coordinates);
        if (!where) return fail(JsonReader::child(pointer, "coordinates"), where.error());
        zone.coordinates = *where;
      }
      out.zones.push_back(std::move(zone));
    }
    return out;
  }

 private:
  tl::expected<void, std::string> add_network(const json& item, zones::Family family,
                                              const std::string& pointer, CoverageZone& zone) {
    if (!item.is_string()) return fail(pointer, "must be a CIDR string");
    const std::string text = item.get<std::string>();
    auto prefix = zones::parse_prefix(text);
    if (!prefix) return fail(pointer, prefix.error());
    if (prefix->family != family) {
      return fail(pointer, "'" + text + "' is not an " +
                               (family == zones::Family::ipv4 ? "IPv4" : "IPv6") + " network");
    }
    const std::string key = zones::to_string(*prefix);
    if (const auto [it, fresh] = seen_.emplace(key, pointer); !fresh) {
      return fail(pointer, key + " is also " + it->second);
    }
    zone.networks.push_back(*prefix);
    return {};
  }

  tl::unexpected<std::string> fail(const std::string& pointer, const std::string& message) const {
    return tl::make_unexpected(file_ + ": " + (pointer.empty() ? "/" : pointer) + ": " + message);
  }

  std::string file_;
  std::map<std::string, std::string> seen_;  // CIDR -> where it was first given
};

}  // namespace

tl::expected<CoverageZones, std::string> parse_coverage_zones(const std::string& json_text,
                                                              const std::string& file_label) {
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for 1e400
    return tl::make_unexpected(file_label + ": not valid JSON: " + e.what());
  }
  return CzfReader(file_label).read(root);
}

tl::expected<CoverageZones, std::string> load_coverage_zone_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::make_unexpected(path + ": cannot be read: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_coverage_zones(text.str(), path);
}

}  // namespace driad::config
