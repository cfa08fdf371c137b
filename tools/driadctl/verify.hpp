// driadctl verify: the node check an operator runs after setup. It asks the
// admin API what driad serves, then checks each part for real: DNS over UDP
// and TCP on every listener (an AMTRELAY answer equal to what explain says
// this client gets), an RFC 7450 discovery to each probed gateway, TLS and a
// gNMI Capabilities call to each MX (GNMI_USERNAME/GNMI_PASSWORD from the
// environment), and a Traffic Ops login and fetch (TO_USER/TO_PASSWORD).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "health/gnmi_credentials.hpp"
#include "tools/driadctl/admin_client.hpp"

namespace driad::ctl {

enum class CheckResult { pass, fail, skip };

struct Check {
  std::string check;   // "dns udp", "amt discovery", "gnmi", "traffic ops", "ready"
  std::string target;  // what was dialled
  CheckResult result = CheckResult::fail;
  std::string detail;  // what was seen, or why it failed
};

struct VerifyOptions {
  std::chrono::milliseconds timeout{3000};  // per exchange
  health::EnvLookup env;                    // for the credentials
};

std::vector<Check> verify(const AdminClient& admin, const VerifyOptions& options);

bool all_passed(const std::vector<Check>& checks);  // no failure (skips are fine)
std::string_view to_string(CheckResult result);     // "pass", "FAIL", "skip"
std::string render_checks(const std::vector<Check>& checks);
nlohmann::json checks_json(const std::vector<Check>& checks);

}  // namespace driad::ctl
