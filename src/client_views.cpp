// Building the (source group, client view) table from the mapping rules.
#include "src/client_views.hpp"

#include <map>
#include <optional>

namespace driad::app {
namespace {

std::optional<policy::Coordinates> coordinates_of(const health::Cachegroup& cachegroup) {
  if (!cachegroup.latitude || !cachegroup.longitude) return std::nullopt;
  return policy::Coordinates{*cachegroup.latitude, *cachegroup.longitude};
}

// The mapping's sites: every live row, then every Traffic Ops cachegroup that
// has no relay group (a place clients may be mapped to, never answered from).
struct Sites {
  std::vector<policy::CachegroupSite> sites;
  std::vector<std::optional<std::uint32_t>> row_of_site;
  std::map<std::string, std::uint32_t> live_row;  // by name
};

Sites make_sites(const zones::SnapshotSpec& spec, const std::vector<AnswerRow>& rows,
                 const std::vector<health::Cachegroup>& cachegroups) {
  std::map<std::string, const health::Cachegroup*> known;
  for (const auto& cachegroup : cachegroups) known.emplace(cachegroup.name, &cachegroup);
  Sites out;
  const auto add = [&](const std::string& name, bool available, std::optional<std::uint32_t> row) {
    policy::CachegroupSite site;
    site.name = name;
    site.available = available;
    if (const auto it = known.find(name); it != known.end()) {
      site.coordinates = coordinates_of(*it->second);
      site.fallbacks = it->second->fallbacks;
      site.fallback_to_closest = it->second->fallback_to_closest;
    }
    out.sites.push_back(std::move(site));
    out.row_of_site.push_back(row);
  };
  for (std::uint32_t row = 0; row < rows.size(); ++row) {
    if (!rows[row].live) continue;
    add(spec.groups[row].name, rows[row].available, row);
    out.live_row.emplace(spec.groups[row].name, row);
  }
  for (const auto& cachegroup : cachegroups) {
    if (!out.live_row.contains(cachegroup.name)) add(cachegroup.name, false, std::nullopt);
  }
  return out;
}

}  // namespace

ClientViews add_client_views(zones::SnapshotSpec& spec, const std::vector<AnswerRow>& rows,
                             const config::CoverageZones* coverage,
                             const std::vector<health::Cachegroup>& cachegroups) {
  ClientViews views;
  spec.view_count = 0;
  spec.client_networks.clear();
  spec.view_answers.clear();
  if (coverage != nullptr) {
    for (const config::CoverageZone& zone : coverage->zones) {
      const auto view = static_cast<std::uint32_t>(views.view_names.size());
      views.view_names.push_back(zone.cachegroup);
      for (const zones::Prefix& network : zone.networks)
        spec.client_networks.push_back({network, view});
    }
  }
  spec.view_count = static_cast<std::uint32_t>(views.view_names.size());
  const Sites sites = make_sites(spec, rows, cachegroups);

  // A cell: the client's start cachegroup through the mapping; with nothing
  // available, fail static on the start group's own answer when it has one,
  // else on the source's.
  const auto decide = [&](std::uint32_t row, const std::string& start,
                          std::optional<policy::Coordinates> origin) {
    const policy::MappingChoice choice = policy::choose_cachegroup(sites.sites, start, origin);
    if (choice.step != policy::MappingStep::none) {
      return ViewChoice{*sites.row_of_site[choice.site], choice.step};
    }
    const auto own = sites.live_row.find(start);
    return ViewChoice{own != sites.live_row.end() ? own->second : row, policy::MappingStep::none};
  };

  const std::size_t columns = spec.view_count + 1;
  views.cells.reserve(rows.size() * columns);
  for (std::uint32_t row = 0; row < rows.size(); ++row) {
    if (!rows[row].live) {
      views.cells.insert(views.cells.end(), columns, ViewChoice{row, policy::MappingStep::own});
      continue;
    }
    views.cells.push_back(decide(row, spec.groups[row].name, std::nullopt));
    for (std::uint32_t view = 0; view < spec.view_count; ++view) {
      const config::CoverageZone& zone = coverage->zones[view];
      views.cells.push_back(decide(row, zone.cachegroup, zone.coordinates));
    }
  }
  spec.view_answers.reserve(views.cells.size());
  for (const ViewChoice& cell : views.cells) spec.view_answers.push_back(cell.group);
  return views;
}

}  // namespace driad::app
