// The query log: queries the workers sampled (one in --query-log-sample),
// drained from their rings by the control thread every tick and logged at
// info as "query" with fields client, transport, qname, qtype, rcode, kind.
// The workers never wait on it: a full ring drops (driad_query_log_dropped_total).
#pragma once

#include <string>
#include <vector>

#include "dns/query_stats.hpp"
#include "src/logging.hpp"

namespace driad::app {

// The fields of one sampled query, in log order.
std::vector<LogField> query_log_fields(const dns::QueryLogEntry& entry);

void log_query(const dns::QueryLogEntry& entry);

}  // namespace driad::app
