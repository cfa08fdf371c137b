// The Traffic Ops user and password, read from the environment the way
// container platforms hand out secrets: TO_USER / TO_PASSWORD, or
// TO_USER_FILE / TO_PASSWORD_FILE naming a file that holds them. The same
// rules as the gNMI credentials (gnmi_credentials.hpp).
#pragma once

#include <string>

#include <tl/expected.hpp>

#include "health/gnmi_credentials.hpp"

namespace driad::health {

struct TrafficOpsCredentials {
  std::string user;
  std::string password;  // never logged
};

// For each credential, the variable or its _FILE twin may be set, not both.
// A file's trailing newlines are dropped. Unset: empty (Traffic Ops then
// answers the login 400, which the feed reports). Errors say which variable
// and why (unreadable file, both set).
tl::expected<TrafficOpsCredentials, std::string> read_traffic_ops_credentials(
    const EnvLookup& lookup);
tl::expected<TrafficOpsCredentials, std::string> read_traffic_ops_credentials();

}  // namespace driad::health
