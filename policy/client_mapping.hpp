// Which relay group a client is sent to, the way Traffic Router maps a client
// to a cachegroup: its own cachegroup if that has a healthy relay, else the
// cachegroup's fallbacks in order, else (when allowed) the closest cachegroup
// with a healthy relay by great-circle distance. Pure: availability and
// coordinates come in as arguments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace driad::policy {

struct Coordinates {
  double latitude = 0;   // degrees
  double longitude = 0;  // degrees

  friend bool operator==(const Coordinates&, const Coordinates&) = default;
};

// Great-circle distance in km on a sphere of radius 6371 km (haversine).
double great_circle_km(Coordinates a, Coordinates b) noexcept;

// One cachegroup as the mapping sees it: a relay group (from Traffic Ops or
// the config) with what Traffic Ops says of its place and fallbacks.
struct CachegroupSite {
  std::string name;
  std::optional<Coordinates> coordinates;
  std::vector<std::string> fallbacks;  // in order
  bool fallback_to_closest = true;
  bool available = false;  // has at least one healthy relay now
};

enum class MappingStep : std::uint8_t {
  own,       // the start cachegroup itself
  fallback,  // one of its fallbacks
  closest,   // the closest available cachegroup
  none,      // nothing available: the caller fails static
};

struct MappingChoice {
  MappingStep step = MappingStep::none;
  std::size_t site = 0;  // index into the sites, unless step is none
};

// `start`: the client's cachegroup (from the coverage zone file) or, for a
// client in no coverage zone, the source's own relay group; it need not be
// one of `sites` (a coverage zone may name a cachegroup without relays: then
// it has no fallbacks and may fall back to the closest). `origin`: where the
// client is for the closest step (the coverage zone's coordinates), else the
// start site's own coordinates; with neither there is no closest step. Ties in
// distance go to the earlier site.
MappingChoice choose_cachegroup(std::span<const CachegroupSite> sites, std::string_view start,
                                std::optional<Coordinates> origin);

std::string_view to_string(MappingStep step) noexcept;

}  // namespace driad::policy
