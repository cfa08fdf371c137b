// Implements read_traffic_ops_credentials (traffic_ops_credentials.hpp).
#include "health/traffic_ops_credentials.hpp"

#include <cstdlib>

namespace driad::health {

tl::expected<TrafficOpsCredentials, std::string> read_traffic_ops_credentials(
    const EnvLookup& lookup) {
  auto user = read_env_secret(lookup, "TO_USER");
  if (!user) return tl::unexpected(user.error());
  auto password = read_env_secret(lookup, "TO_PASSWORD");
  if (!password) return tl::unexpected(password.error());
  return TrafficOpsCredentials{std::move(*user), std::move(*password)};
}

tl::expected<TrafficOpsCredentials, std::string> read_traffic_ops_credentials() {
  return read_traffic_ops_credentials([](const char* name) { return std::getenv(name); });
}

}  // namespace driad::health
