// The client side of every answer: which relay group a client gets for a
// source, for each client view (a coverage-zone cachegroup) and for clients in
// no view, decided by policy::choose_cachegroup() when the snapshot is built,
// so the query path only indexes a table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/coverage_zone_file.hpp"
#include "health/topology.hpp"
#include "policy/client_mapping.hpp"
#include "zones/snapshot.hpp"

namespace driad::app {

// What the mapping needs of one row of SnapshotSpec::groups.
struct AnswerRow {
  // A live group (MX and/or gateways) takes part in client mapping; a static
  // group or a not-yet-known one always answers for itself.
  bool live = false;
  bool available = false;  // live, and at least one relay healthy now
};

// How one cell was decided, for logs and the explain API.
struct ViewChoice {
  std::uint32_t group = 0;  // row of SnapshotSpec::groups whose answer is served
  policy::MappingStep step = policy::MappingStep::own;
};

struct ClientViews {
  std::vector<std::string> view_names;  // view v: coverage zone v's cachegroup
  // Row-major like SnapshotSpec::view_answers: rows x (views + 1) cells.
  std::vector<ViewChoice> cells;
};

// Decides every cell and writes the view tables into `spec` (view_count,
// client_networks, view_answers). `rows` parallels spec.groups; `coverage` may
// be null (no coverage zone file: only the no-view column); `cachegroups` are
// Traffic Ops' (coordinates, fallbacks), empty without Traffic Ops.
ClientViews add_client_views(zones::SnapshotSpec& spec, const std::vector<AnswerRow>& rows,
                             const config::CoverageZones* coverage,
                             const std::vector<health::Cachegroup>& cachegroups);

}  // namespace driad::app
