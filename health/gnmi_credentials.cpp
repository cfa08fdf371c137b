// Implements read_gnmi_credentials (gnmi_credentials.hpp).
#include "health/gnmi_credentials.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace driad::health {

tl::expected<std::string, std::string> read_env_secret(const EnvLookup& lookup,
                                                       const std::string& name) {
  const std::string file_name = name + "_FILE";
  const char* direct = lookup(name.c_str());
  const char* file = lookup(file_name.c_str());
  if (direct != nullptr && file != nullptr) {
    return tl::unexpected("both " + name + " and " + file_name + " are set; set only one");
  }
  if (direct != nullptr) return std::string(direct);
  if (file == nullptr) return std::string();
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return tl::unexpected(file_name + "=" + file + ": cannot open: " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return tl::unexpected(file_name + "=" + file + ": read error");
  std::string value = text.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  return value;
}

tl::expected<GnmiCredentials, std::string> read_gnmi_credentials(const EnvLookup& lookup) {
  auto username = read_env_secret(lookup, "GNMI_USERNAME");
  if (!username) return tl::unexpected(username.error());
  auto password = read_env_secret(lookup, "GNMI_PASSWORD");
  if (!password) return tl::unexpected(password.error());
  return GnmiCredentials{std::move(*username), std::move(*password)};
}

tl::expected<GnmiCredentials, std::string> read_gnmi_credentials() {
  return read_gnmi_credentials([](const char* name) { return std::getenv(name); });
}

}  // namespace driad::health
