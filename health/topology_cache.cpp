// Implements the topology cache file (topology_cache.hpp).
#include "health/topology_cache.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <tuple>

#include "health/json_fields.hpp"
#include "health/traffic_ops_json.hpp"

namespace driad::health {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::string errno_text() {
  return std::strerror(errno);
}

// A non-empty address field must be an address of the family its name says.
void check_address(const std::string& value, const std::string& pointer, bool must_be_v6,
                   bool any_family, JsonFields& fields) {
  if (value.empty()) return;
  const auto address = address_without_prefix(value);
  const bool v6 = address && address->find(':') != std::string::npos;
  if (!address || *address != value || (!any_family && v6 != must_be_v6)) {
    fields.fail(pointer, "not an " +
                             std::string(any_family   ? "IP"
                                         : must_be_v6 ? "IPv6"
                                                      : "IPv4") +
                             " address: \"" + value + "\"");
  }
}

RelayServer read_server(const json& item, const std::string& at, JsonFields& fields) {
  RelayServer server;
  if (!fields.object(item, at)) return server;
  server.host_name = fields.text(item, at, {"host_name"}, true).value_or("");
  server.cachegroup = fields.text(item, at, {"cachegroup"}, true).value_or("");
  const auto role = fields.text(item, at, {"role"}, true);
  if (role && *role != "mx" && *role != "gateway") {
    fields.fail(JsonFields::child(at, "role"), "not mx or gateway");
  }
  server.role = role == "mx" ? RelayRole::mx : RelayRole::gateway;
  server.status = fields.text(item, at, {"status"}, true).value_or("");
  server.service_ipv4 = fields.text(item, at, {"service_ipv4"}, false).value_or("");
  server.service_ipv6 = fields.text(item, at, {"service_ipv6"}, false).value_or("");
  server.management_address = fields.text(item, at, {"management_address"}, false).value_or("");
  check_address(server.service_ipv4, JsonFields::child(at, "service_ipv4"), false, false, fields);
  check_address(server.service_ipv6, JsonFields::child(at, "service_ipv6"), true, false, fields);
  check_address(server.management_address, JsonFields::child(at, "management_address"), false, true,
                fields);
  return server;
}

Cachegroup read_cachegroup(const json& item, const std::string& at, JsonFields& fields) {
  Cachegroup group;
  if (!fields.object(item, at)) return group;
  group.name = fields.text(item, at, {"name"}, true).value_or("");
  group.latitude = fields.number(item, at, "latitude", -90, 90);
  group.longitude = fields.number(item, at, "longitude", -180, 180);
  const json& fallbacks = fields.array(item, at, {"fallbacks"}, true);
  for (std::size_t i = 0; i < fallbacks.size(); ++i) {
    group.fallbacks.push_back(fields.element_text(
        fallbacks[i], JsonFields::child(JsonFields::child(at, "fallbacks"), i)));
  }
  group.fallback_to_closest = fields.boolean(item, at, "fallback_to_closest", true);
  return group;
}

// Writes all of `text` to `fd`.
bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t wrote = ::write(fd, text.data(), text.size());
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(wrote));
  }
  return true;
}

}  // namespace

std::string topology_to_json(const Topology& topology) {
  ordered_json root;
  root["version"] = kTopologyCacheVersion;
  root["servers"] = ordered_json::array();
  for (const auto& server : topology.servers) {
    root["servers"].push_back({
        {"host_name", server.host_name},
        {"cachegroup", server.cachegroup},
        {"role", server.role == RelayRole::mx ? "mx" : "gateway"},
        {"status", server.status},
        {"service_ipv4", server.service_ipv4},
        {"service_ipv6", server.service_ipv6},
        {"management_address", server.management_address},
    });
  }
  root["cachegroups"] = ordered_json::array();
  for (const auto& group : topology.cachegroups) {
    ordered_json item;
    item["name"] = group.name;
    item["latitude"] = group.latitude ? ordered_json(*group.latitude) : ordered_json(nullptr);
    item["longitude"] = group.longitude ? ordered_json(*group.longitude) : ordered_json(nullptr);
    item["fallbacks"] = group.fallbacks;
    item["fallback_to_closest"] = group.fallback_to_closest;
    root["cachegroups"].push_back(std::move(item));
  }
  root["mx_gnmi_port"] =
      topology.mx_gnmi_port ? ordered_json(*topology.mx_gnmi_port) : ordered_json(nullptr);
  return root.dump(2) + "\n";
}

tl::expected<Topology, std::string> topology_from_json(std::string_view text) {
  auto root = parse_json_text(text);
  if (!root) return tl::unexpected(root.error());
  JsonFields fields;
  if (!fields.object(*root, "")) return tl::unexpected(fields.error());
  const auto version = root->find("version");
  if (version == root->end() || !version->is_number_integer() ||
      version->get<std::int64_t>() != kTopologyCacheVersion) {
    return tl::unexpected("/version: " + (version == root->end() ? "missing" : version->dump()) +
                          ", this driad reads version " + std::to_string(kTopologyCacheVersion));
  }
  Topology topology;
  const json& servers = fields.array(*root, "", {"servers"}, true);
  for (std::size_t i = 0; i < servers.size() && !fields.failed(); ++i) {
    topology.servers.push_back(read_server(servers[i], JsonFields::child("/servers", i), fields));
  }
  const json& groups = fields.array(*root, "", {"cachegroups"}, true);
  for (std::size_t i = 0; i < groups.size() && !fields.failed(); ++i) {
    topology.cachegroups.push_back(
        read_cachegroup(groups[i], JsonFields::child("/cachegroups", i), fields));
  }
  if (const auto port = fields.number(*root, "", "mx_gnmi_port", 1, 65535)) {
    topology.mx_gnmi_port = static_cast<std::uint16_t>(*port);
  }
  if (fields.failed()) return tl::unexpected(fields.error());
  // The file is ours, but a hand edit should not break the order topology.hpp promises.
  std::sort(topology.servers.begin(), topology.servers.end(),
            [](const RelayServer& a, const RelayServer& b) {
              return std::tie(a.cachegroup, a.host_name) < std::tie(b.cachegroup, b.host_name);
            });
  std::sort(topology.cachegroups.begin(), topology.cachegroups.end(),
            [](const Cachegroup& a, const Cachegroup& b) { return a.name < b.name; });
  return topology;
}

tl::expected<void, std::string> save_topology_cache(const std::string& path,
                                                    const Topology& topology) {
  const std::string temporary = path + ".tmp";
  const std::string text = topology_to_json(topology);
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return tl::unexpected("topology cache " + temporary + ": cannot create: " + errno_text());
  bool written = write_all(fd, text) && ::fsync(fd) == 0;
  std::string reason = written ? "" : errno_text();
  if (::close(fd) != 0 && written) {
    written = false;
    reason = errno_text();
  }
  if (!written) {
    ::unlink(temporary.c_str());
    return tl::unexpected("topology cache " + temporary + ": cannot write: " + reason);
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    reason = errno_text();
    ::unlink(temporary.c_str());
    return tl::unexpected("topology cache " + path + ": cannot rename " + temporary +
                          " over it: " + reason);
  }
  // The rename is durable only once the directory entry is on disk too.
  const auto slash = path.rfind('/');
  const std::string directory = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  if (const int dir = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return {};
}

tl::expected<Topology, std::string> load_topology_cache(const std::string& path) {
  const std::string label = "topology cache " + path + ": ";
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::unexpected(label + "cannot open: " + errno_text());
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return tl::unexpected(label + "read error");
  auto topology = topology_from_json(text.str());
  if (!topology) return tl::unexpected(label + topology.error());
  return topology;
}

}  // namespace driad::health
