// /metrics: the daemon's Status as Prometheus text. Every family is named
// driad_*, counters end in _total; the query counters come from the workers'
// per-thread blocks summed at scrape time (dns/query_stats.hpp).
#pragma once

#include <string>

#include "admin/status.hpp"

namespace driad::admin {

std::string render_metrics(const Status& status);

}  // namespace driad::admin
