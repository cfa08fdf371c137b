// The last good Traffic Ops topology on disk, so a restart while Traffic Ops
// is down still knows its relays. Our own versioned JSON:
//   {"version": 1, "servers": [...], "cachegroups": [...], "mx_gnmi_port": 32767 | null}
// Written atomically (temporary file in the same directory, fsync, rename),
// so a reader sees the old file or the new one, never half of one.
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "health/topology.hpp"

namespace driad::health {

inline constexpr int kTopologyCacheVersion = 1;

std::string topology_to_json(const Topology& topology);
// Errors name the JSON pointer ("/servers/0/role: not mx or gateway").
tl::expected<Topology, std::string> topology_from_json(std::string_view text);

// Writes `path` + ".tmp", fsyncs it, renames it over `path` and fsyncs the
// directory. Errors name the file and the reason (strerror).
tl::expected<void, std::string> save_topology_cache(const std::string& path,
                                                    const Topology& topology);
// Errors (missing, unreadable, not JSON, another version, bad field) start
// with "topology cache <path>: ".
tl::expected<Topology, std::string> load_topology_cache(const std::string& path);

}  // namespace driad::health
