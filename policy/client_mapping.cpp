// Traffic Router's client-to-cachegroup order: own, fallbacks, closest.
#include "policy/client_mapping.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace driad::policy {
namespace {

constexpr double kEarthRadiusKm = 6371.0;

double radians(double degrees) noexcept {
  return degrees * std::numbers::pi / 180.0;
}

std::optional<std::size_t> find_site(std::span<const CachegroupSite> sites,
                                     std::string_view name) noexcept {
  const auto it = std::find_if(sites.begin(), sites.end(),
                               [&](const CachegroupSite& site) { return site.name == name; });
  if (it == sites.end()) return std::nullopt;
  return static_cast<std::size_t>(it - sites.begin());
}

}  // namespace

double great_circle_km(Coordinates a, Coordinates b) noexcept {
  const double dlat = radians(b.latitude - a.latitude);
  const double dlon = radians(b.longitude - a.longitude);
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(radians(a.latitude)) * std::cos(radians(b.latitude)) *
                       std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(h)));
}

MappingChoice choose_cachegroup(std::span<const CachegroupSite> sites, std::string_view start,
                                std::optional<Coordinates> origin) {
  const std::optional<std::size_t> own = find_site(sites, start);
  if (own && sites[*own].available) return {MappingStep::own, *own};

  bool to_closest = true;  // Traffic Ops: a missing fallbackToClosest means true
  if (own) {
    const CachegroupSite& site = sites[*own];
    for (const std::string& fallback : site.fallbacks) {
      const std::optional<std::size_t> next = find_site(sites, fallback);
      if (next && sites[*next].available) return {MappingStep::fallback, *next};
    }
    to_closest = site.fallback_to_closest;
    if (!origin) origin = site.coordinates;
  }
  if (!to_closest || !origin) return {};

  std::optional<std::size_t> best;
  double best_km = 0;
  for (std::size_t i = 0; i < sites.size(); ++i) {
    if (!sites[i].available || !sites[i].coordinates) continue;
    const double km = great_circle_km(*origin, *sites[i].coordinates);
    if (!best || km < best_km) {
      best = i;
      best_km = km;
    }
  }
  if (!best) return {};
  return {MappingStep::closest, *best};
}

std::string_view to_string(MappingStep step) noexcept {
  switch (step) {
    case MappingStep::own:
      return "own";
    case MappingStep::fallback:
      return "fallback";
    case MappingStep::closest:
      return "closest";
    case MappingStep::none:
      break;
  }
  return "none";
}

}  // namespace driad::policy
