// Implements the Traffic Ops body parsers (traffic_ops_json.hpp).
#include "health/traffic_ops_json.hpp"

#include <algorithm>
#include <charconv>
#include <tuple>

#include <boost/asio/ip/address.hpp>

#include "health/json_fields.hpp"

namespace driad::health {
namespace {

using nlohmann::json;

// The `response` array of a Traffic Ops envelope.
const json& response_array(const json& root, JsonFields& fields) {
  if (!fields.object(root, "")) return root;
  return fields.array(root, "", {"response"}, /*required=*/true);
}

// Adds `address` (a service address) to `server`; the second of a family is an error.
void add_service_address(RelayServer& server, const std::string& address,
                         const std::string& pointer, JsonFields& fields) {
  const bool v6 = address.find(':') != std::string::npos;
  std::string& slot = v6 ? server.service_ipv6 : server.service_ipv4;
  if (!slot.empty()) {
    fields.fail(pointer, std::string("a second ") + (v6 ? "IPv6" : "IPv4") +
                             " service address (the first is " + slot + ")");
    return;
  }
  slot = address;
}

void read_interfaces(const json& item, const std::string& at, RelayServer& server,
                     JsonFields& fields) {
  const json& interfaces = fields.array(item, at, {"interfaces"}, /*required=*/true);
  const std::string interfaces_at = JsonFields::child(at, "interfaces");
  for (std::size_t i = 0; i < interfaces.size() && !fields.failed(); ++i) {
    const std::string interface_at = JsonFields::child(interfaces_at, i);
    if (!fields.object(interfaces[i], interface_at)) break;
    const json& addresses = fields.array(interfaces[i], interface_at, {"ipAddresses"}, true);
    const std::string addresses_at = JsonFields::child(interface_at, "ipAddresses");
    for (std::size_t a = 0; a < addresses.size() && !fields.failed(); ++a) {
      const std::string address_at = JsonFields::child(addresses_at, a);
      if (!fields.object(addresses[a], address_at)) break;
      const auto text = fields.text(addresses[a], address_at, {"address"}, true);
      const bool service = fields.boolean(addresses[a], address_at, "serviceAddress", false);
      if (!text) break;
      const auto address = address_without_prefix(*text);
      if (!address) {
        fields.fail(JsonFields::child(address_at, "address"), "not an IP address");
        break;
      }
      if (service) {
        add_service_address(server, *address, JsonFields::child(address_at, "address"), fields);
      } else if (server.management_address.empty()) {
        server.management_address = *address;
      }
    }
  }
  if (!fields.failed() && server.service_ipv4.empty() && server.service_ipv6.empty()) {
    fields.fail(interfaces_at, "no service address (serviceAddress true)");
  }
}

// One element of `/servers`; nullopt when skipped (other type or CDN) or bad.
std::optional<RelayServer> read_server(const json& item, const std::string& at,
                                       std::string_view cdn, JsonFields& fields) {
  if (!fields.object(item, at)) return std::nullopt;
  if (const auto type = fields.text(item, at, {"type"}, false); type && *type != kAmtRelayType) {
    return std::nullopt;
  }
  if (!cdn.empty()) {
    const auto server_cdn = fields.text(item, at, {"cdnName", "cdn"}, true);
    if (!server_cdn || *server_cdn != cdn) return std::nullopt;
  }
  RelayServer server;
  server.host_name = fields.text(item, at, {"hostName"}, true).value_or("");
  server.cachegroup = fields.text(item, at, {"cachegroup", "cacheGroup"}, true).value_or("");
  server.status = fields.text(item, at, {"status"}, true).value_or("");
  const json& profiles = fields.array(item, at, {"profileNames", "profiles"}, true);
  const std::string profiles_at =
      JsonFields::child(at, item.contains("profileNames") ? "profileNames" : "profiles");
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    if (fields.element_text(profiles[i], JsonFields::child(profiles_at, i)) == kMxProfile) {
      server.role = RelayRole::mx;
    }
  }
  if (fields.failed()) return std::nullopt;
  read_interfaces(item, at, server, fields);
  if (fields.failed()) return std::nullopt;
  return server;
}

std::optional<Cachegroup> read_cachegroup(const json& item, const std::string& at,
                                          JsonFields& fields) {
  if (!fields.object(item, at)) return std::nullopt;
  Cachegroup group;
  group.name = fields.text(item, at, {"name"}, true).value_or("");
  group.latitude = fields.number(item, at, "latitude", -90, 90);
  group.longitude = fields.number(item, at, "longitude", -180, 180);
  const json& fallbacks = fields.array(item, at, {"fallbacks"}, false);
  for (std::size_t i = 0; i < fallbacks.size(); ++i) {
    group.fallbacks.push_back(fields.element_text(
        fallbacks[i], JsonFields::child(JsonFields::child(at, "fallbacks"), i)));
  }
  group.fallback_to_closest = fields.boolean(item, at, "fallbackToClosest", true);
  if (fields.failed()) return std::nullopt;
  return group;
}

}  // namespace

std::optional<std::string> address_without_prefix(std::string_view text) {
  const auto slash = text.find('/');
  const std::string host(text.substr(0, slash));
  boost::system::error_code error;
  const auto address = boost::asio::ip::make_address(host, error);
  if (error) return std::nullopt;
  if (slash != std::string_view::npos) {
    const std::string_view suffix = text.substr(slash + 1);
    unsigned length = 0;
    const auto [end, parsed] =
        std::from_chars(suffix.data(), suffix.data() + suffix.size(), length);
    if (suffix.empty() || parsed != std::errc() || end != suffix.data() + suffix.size() ||
        length > (address.is_v4() ? 32U : 128U)) {
      return std::nullopt;
    }
  }
  return address.to_string();
}

tl::expected<std::vector<RelayServer>, std::string> parse_servers(std::string_view text,
                                                                  std::string_view cdn) {
  auto root = parse_json_text(text);
  if (!root) return tl::unexpected(root.error());
  JsonFields fields;
  const json& list = response_array(*root, fields);
  std::vector<RelayServer> servers;
  for (std::size_t i = 0; i < list.size() && !fields.failed(); ++i) {
    if (auto server = read_server(list[i], JsonFields::child("/response", i), cdn, fields)) {
      servers.push_back(std::move(*server));
    }
  }
  if (fields.failed()) return tl::unexpected(fields.error());
  std::sort(servers.begin(), servers.end(), [](const RelayServer& a, const RelayServer& b) {
    return std::tie(a.cachegroup, a.host_name) < std::tie(b.cachegroup, b.host_name);
  });
  return servers;
}

tl::expected<std::vector<Cachegroup>, std::string> parse_cachegroups(std::string_view text) {
  auto root = parse_json_text(text);
  if (!root) return tl::unexpected(root.error());
  JsonFields fields;
  const json& list = response_array(*root, fields);
  std::vector<Cachegroup> groups;
  for (std::size_t i = 0; i < list.size() && !fields.failed(); ++i) {
    if (auto group = read_cachegroup(list[i], JsonFields::child("/response", i), fields)) {
      groups.push_back(std::move(*group));
    }
  }
  if (fields.failed()) return tl::unexpected(fields.error());
  std::sort(groups.begin(), groups.end(),
            [](const Cachegroup& a, const Cachegroup& b) { return a.name < b.name; });
  return groups;
}

tl::expected<std::optional<std::uint16_t>, std::string> parse_gnmi_port(std::string_view text) {
  auto root = parse_json_text(text);
  if (!root) return tl::unexpected(root.error());
  JsonFields fields;
  const json& list = response_array(*root, fields);
  for (std::size_t i = 0; i < list.size() && !fields.failed(); ++i) {
    const std::string at = JsonFields::child("/response", i);
    if (!fields.object(list[i], at)) break;
    if (fields.text(list[i], at, {"name"}, true) != "gnmi.port") continue;
    // Traffic Ops keeps every parameter value as a string.
    const auto value = fields.text(list[i], at, {"value"}, false);
    if (!value) {
      fields.fail(JsonFields::child(at, "value"), "missing");
      break;
    }
    unsigned port = 0;
    const char* end = value->data() + value->size();
    const auto [stop, parsed] = std::from_chars(value->data(), end, port);
    if (parsed != std::errc() || stop != end || port == 0 || port > 65535) {
      fields.fail(JsonFields::child(at, "value"), "not a port number 1-65535: \"" + *value + "\"");
      break;
    }
    return static_cast<std::uint16_t>(port);
  }
  if (fields.failed()) return tl::unexpected(fields.error());
  return std::optional<std::uint16_t>();
}

std::string alerts_text(std::string_view text) {
  const auto root = parse_json_text(text);
  if (!root || !root->is_object()) return {};
  const auto alerts = root->find("alerts");
  if (alerts == root->end() || !alerts->is_array()) return {};
  std::string joined;
  for (const auto& alert : *alerts) {
    if (!alert.is_object()) continue;
    const auto alert_text = alert.find("text");
    if (alert_text == alert.end() || !alert_text->is_string()) continue;
    if (!joined.empty()) joined += "; ";
    joined += alert_text->get<std::string>();
  }
  return joined;
}

}  // namespace driad::health
