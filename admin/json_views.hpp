// The admin API's JSON bodies, one function per endpoint. Field names are the
// API: driadctl and operators' scripts read them, so they only ever grow.
// Absent values are null; times are Unix milliseconds.
#pragma once

#include <string>
#include <vector>

#include "admin/status.hpp"

namespace driad::admin {

std::string state_json(const Status& status);                            // /api/v1/state
std::string decisions_json(const std::vector<DecisionRecord>& records);  // /api/v1/decisions
std::string explanation_json(const Explanation& explanation);            // /api/v1/explain
std::string reload_json(const ReloadResult& result);                     // /api/v1/reload

}  // namespace driad::admin
