// /api/v1/explain: what driad answers a source's AMTRELAY query for a client,
// and why. It runs the real query path (dns::respond() on the snapshot that
// answers now), then tells the story from the spec and client views that
// snapshot was built from: zone, source prefix, relay group, client view and
// mapping step, the group whose answer is served and its decision. Pure:
// everything comes in as arguments.
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "admin/status.hpp"
#include "src/client_views.hpp"
#include "src/live_groups.hpp"
#include "zones/snapshot.hpp"

namespace driad::app {

struct ExplainContext {
  const zones::Snapshot* snapshot = nullptr;  // the one answering now
  const zones::SnapshotSpec* spec = nullptr;  // what it was built from
  const ClientViews* views = nullptr;         // its client-view cells
  const LiveGroups* live = nullptr;           // decisions; may be null
};

// `client` empty: a client in no view. Errors name the bad argument.
tl::expected<admin::Explanation, std::string> explain(const ExplainContext& context,
                                                      std::string_view source,
                                                      std::string_view client);

}  // namespace driad::app
