// The Coverage Zone File (Traffic Router's JSON format): which client networks
// belong to which cachegroup, and where each cachegroup's clients are. Read
// whole or not at all: one bad or duplicate CIDR rejects the file, so the
// caller keeps the previous one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "policy/client_mapping.hpp"
#include "zones/prefix.hpp"

namespace driad::config {

struct CoverageZone {
  std::string cachegroup;
  std::vector<zones::Prefix> networks;  // IPv4 ("network") and IPv6 ("network6")
  std::optional<policy::Coordinates> coordinates;

  friend bool operator==(const CoverageZone&, const CoverageZone&) = default;
};

struct CoverageZones {
  std::string revision;             // as the file says, for logs; may be empty
  std::vector<CoverageZone> zones;  // sorted by cachegroup name

  friend bool operator==(const CoverageZones&, const CoverageZones&) = default;
};

// Errors read "FILE: /coverageZones/amt-us-east/network/1: what is wrong".
tl::expected<CoverageZones, std::string> parse_coverage_zones(const std::string& json_text,
                                                              const std::string& file_label);
tl::expected<CoverageZones, std::string> load_coverage_zone_file(const std::string& path);

}  // namespace driad::config
