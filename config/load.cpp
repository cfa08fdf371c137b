// Loading and validating the JSON config: each section is read into the typed
// Config, then the cross-checks (zones, sources, groups) run over the result.
#include <malloc.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <numeric>
#include <set>
#include <tuple>

#include "config/config.hpp"
#include "config/json_reader.hpp"
#include "config/sources_file.hpp"
#include "dns/amtrelay_text.hpp"
#include "dns/name.hpp"
#include "dns/reverse_name.hpp"

namespace driad::config {
namespace {

using nlohmann::json;

class Loader {
 public:
  explicit Loader(const std::string& file) : reader_(file), file_(file) {}

  tl::expected<Config, ConfigErrors> load(const json& root) {
    config_.file = "";
    if (reader_.object(
            root, "",
            {"listen", "threads", "edns_udp_size", "tcp", "zones", "sources", "sources_file",
             "relay_groups", "policy", "traffic_ops", "coverage_zone_file", "ecs", "admin", "rrl"},
            {"listen", "zones", "relay_groups"})) {
      read_listen(root);
      reader_.read(root, "threads", "", config_.threads, 0, 1024);
      reader_.read(root, "edns_udp_size", "", config_.edns_udp_size, 512, 4096);
      read_tcp(root);
      read_zones(root);
      read_sources(root);
      read_sources_file(root);
      read_relay_groups(root);
      read_policy(root);
      read_traffic_ops(root);
      reader_.read(root, "coverage_zone_file", "", config_.coverage_zone_file);
      reader_.read(root, "ecs", "", config_.ecs);
      read_admin(root);
      read_rrl(root);
      cross_check();
    }
    if (!reader_.errors().empty()) return tl::make_unexpected(std::move(reader_.errors()));
    return std::move(config_);
  }

 private:
  void read_listen(const json& root) {
    const auto it = root.find("listen");
    if (it == root.end() || !reader_.array(*it, "/listen")) return;
    if (it->empty()) reader_.error("/listen", "must name at least one address");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < it->size(); ++i) {
      const std::string pointer = JsonReader::child("/listen", i);
      const json& item = (*it)[i];
      if (!item.is_string()) {
        reader_.error(pointer, R"(must be a string like "127.0.0.1:53" or "[::1]:53")");
        continue;
      }
      auto endpoint = dns::parse_listen_endpoint(item.get<std::string>());
      if (!endpoint) {
        reader_.error(pointer, endpoint.error());
      } else if (!seen.insert(endpoint->address.to_string() + "#" + std::to_string(endpoint->port))
                      .second) {
        reader_.error(pointer, "is listed twice");
      } else {
        config_.listen.push_back(*endpoint);
        config_.listen_text.push_back(item.get<std::string>());
      }
    }
  }

  void read_tcp(const json& root) {
    const auto it = root.find("tcp");
    if (it == root.end() ||
        !reader_.object(*it, "/tcp",
                        {"idle_timeout_ms", "max_connections", "max_connections_per_client"}))
      return;
    auto idle_ms = static_cast<std::uint32_t>(config_.tcp.idle_timeout.count());
    reader_.read(*it, "idle_timeout_ms", "/tcp", idle_ms, 100, 3600000);
    config_.tcp.idle_timeout = std::chrono::milliseconds(idle_ms);
    reader_.read(*it, "max_connections", "/tcp", config_.tcp.max_connections, 1, 1000000);
    reader_.read(*it, "max_connections_per_client", "/tcp", config_.tcp.max_connections_per_client,
                 0, 1000000);
  }

  tl::expected<zones::WireName, std::string> name(const json& object, std::string_view key,
                                                  const std::string& pointer) {
    std::string text;
    reader_.read(object, key, pointer, text);
    auto wire = dns::name_from_text(text);
    if (!wire) reader_.error(JsonReader::child(pointer, key), wire.error());
    return wire;
  }

  void read_zones(const json& root) {
    const auto it = root.find("zones");
    if (it == root.end() || !reader_.array(*it, "/zones")) return;
    if (it->empty()) reader_.error("/zones", "must hold at least one zone");
    for (std::size_t i = 0; i < it->size(); ++i) {
      const std::string pointer = JsonReader::child("/zones", i);
      const json& item = (*it)[i];
      if (!reader_.object(item, pointer, {"origin", "soa", "ns", "ttl"}, {"origin", "soa", "ns"}))
        continue;
      ZoneConfig zone;
      bool ok = true;
      reader_.read(item, "origin", pointer, zone.origin_text);
      if (item.contains("origin")) {
        auto origin = name(item, "origin", pointer);
        if (origin) {
          dns::lowercase_name(*origin);
          auto prefix = dns::prefix_from_reverse_name(*origin);
          if (!prefix) {
            reader_.error(JsonReader::child(pointer, "origin"), prefix.error());
            ok = false;
          } else {
            zone.origin = *origin;
            zone.prefix = *prefix;
          }
        } else {
          ok = false;
        }
      }
      read_soa(item, pointer, zone);
      const auto ns = item.find("ns");
      if (ns != item.end() && reader_.array(*ns, JsonReader::child(pointer, "ns"))) {
        if (ns->empty())
          reader_.error(JsonReader::child(pointer, "ns"), "must name at least one server");
        for (std::size_t n = 0; n < ns->size(); ++n) {
          const std::string ns_pointer = JsonReader::child(JsonReader::child(pointer, "ns"), n);
          if (!(*ns)[n].is_string()) {
            reader_.error(ns_pointer, "must be a domain name string");
            continue;
          }
          auto wire = dns::name_from_text((*ns)[n].get<std::string>());
          if (!wire) {
            reader_.error(ns_pointer, wire.error());
          } else {
            zone.ns.push_back(*wire);
          }
        }
      }
      reader_.read(item, "ttl", pointer, zone.ttl, 0, 2147483647);
      if (ok) zones_pointers_.push_back(pointer);
      if (ok) config_.zones.push_back(std::move(zone));
    }
  }

  void read_soa(const json& zone_json, const std::string& zone_pointer, ZoneConfig& zone) {
    const auto it = zone_json.find("soa");
    const std::string pointer = JsonReader::child(zone_pointer, "soa");
    if (it == zone_json.end() ||
        !reader_.object(*it, pointer,
                        {"mname", "rname", "serial", "refresh", "retry", "expire", "minimum"},
                        {"mname", "rname"})) {
      return;
    }
    if (it->contains("mname")) {
      if (auto wire = name(*it, "mname", pointer)) zone.soa.mname = *wire;
    }
    if (it->contains("rname")) {
      if (auto wire = name(*it, "rname", pointer)) zone.soa.rname = *wire;
    }
    zone.serial_configured = it->contains("serial");
    reader_.read(*it, "serial", pointer, zone.soa.serial);
    reader_.read(*it, "refresh", pointer, zone.soa.refresh, 0, 2147483647);
    reader_.read(*it, "retry", pointer, zone.soa.retry, 0, 2147483647);
    reader_.read(*it, "expire", pointer, zone.soa.expire, 0, 2147483647);
    reader_.read(*it, "minimum", pointer, zone.soa.minimum, 0, 2147483647);
  }

  void read_sources(const json& root) {
    const auto it = root.find("sources");
    if (it == root.end()) {
      if (!root.contains("sources_file")) {
        reader_.error("/sources", "is required (or 'sources_file', or both)");
      }
      return;
    }
    if (!reader_.array(*it, "/sources")) return;
    for (std::size_t i = 0; i < it->size(); ++i) {
      const std::string pointer = JsonReader::child("/sources", i);
      const json& item = (*it)[i];
      if (!reader_.object(item, pointer, {"prefix", "relay_group"}, {"prefix", "relay_group"}))
        continue;
      std::string prefix_text;
      std::string group;
      reader_.read(item, "prefix", pointer, prefix_text);
      reader_.read(item, "relay_group", pointer, group);
      if (!item.contains("prefix") || !item.contains("relay_group")) continue;
      auto prefix = zones::parse_prefix(prefix_text);
      if (!prefix) {
        reader_.error(JsonReader::child(pointer, "prefix"), prefix.error());
        continue;
      }
      sources_.add(*prefix, sources_.intern(group), static_cast<std::uint32_t>(i));
    }
    json_sources_ = sources_.entries.size();
  }

  // `sources_file`, relative to the config file's directory unless absolute.
  void read_sources_file(const json& root) {
    if (!root.contains("sources_file")) return;
    std::string path;
    reader_.read(root, "sources_file", "", path);
    if (path.empty()) {
      if (root["sources_file"].is_string()) reader_.error("/sources_file", "is empty");
      return;
    }
    const std::filesystem::path given(path);
    if (given.is_relative()) {
      const auto directory = std::filesystem::path(file_).parent_path();
      if (!directory.empty()) path = (directory / given).string();
    }
    config_.sources_file = path;
    // Not a device or a pipe: /dev/zero would never end.
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (!ec && status.type() != std::filesystem::file_type::regular) {
      reader_.error("/sources_file", path + ": is not a regular file");
      return;
    }
    auto text = read_text_file(path);
    if (!text) {
      reader_.error("/sources_file", text.error());
      return;
    }
    parse_sources_text(*text, path, sources_, source_errors_);
  }

  void read_relay_groups(const json& root) {
    const auto it = root.find("relay_groups");
    if (it == root.end() || !reader_.array(*it, "/relay_groups")) return;
    for (std::size_t i = 0; i < it->size(); ++i) {
      const std::string pointer = JsonReader::child("/relay_groups", i);
      const json& item = (*it)[i];
      if (!reader_.object(item, pointer, {"name", "relays", "mx", "gateways"}, {"name"})) continue;
      RelayGroupConfig group;
      reader_.read(item, "name", pointer, group.name);
      if (item.contains("name") && group.name.empty())
        reader_.error(JsonReader::child(pointer, "name"), "is empty");
      const bool has_relays = item.contains("relays");
      const bool is_live = item.contains("mx") || item.contains("gateways");
      if (has_relays && is_live) {
        reader_.error(
            pointer,
            "has both 'relays' (a static group) and 'mx'/'gateways' (a live group); pick one");
      } else if (!has_relays && !is_live) {
        reader_.error(pointer, "needs 'relays' (a static group) or 'mx'/'gateways' (a live group)");
      }
      if (has_relays)
        read_static_relays(item["relays"], JsonReader::child(pointer, "relays"), group);
      if (item.contains("mx")) group.mx = read_mx(item["mx"], JsonReader::child(pointer, "mx"));
      if (item.contains("gateways"))
        read_gateways(item["gateways"], JsonReader::child(pointer, "gateways"), group);
      groups_pointers_.push_back(pointer);
      config_.relay_groups.push_back(std::move(group));
    }
  }

  void read_static_relays(const json& relays, const std::string& pointer, RelayGroupConfig& group) {
    if (!reader_.array(relays, pointer)) return;
    if (relays.empty())
      reader_.error(pointer, "must hold at least one relay (use \"0 0 0 .\" for 'no relay')");
    for (std::size_t r = 0; r < relays.size(); ++r) {
      const std::string relay_pointer = JsonReader::child(pointer, r);
      if (!relays[r].is_string()) {
        reader_.error(relay_pointer, "must be a string 'precedence D type relay'");
        continue;
      }
      auto relay = dns::amtrelay_from_text(relays[r].get<std::string>());
      if (!relay) {
        reader_.error(relay_pointer, relay.error());
      } else {
        group.relays.push_back(std::move(*relay));
      }
    }
  }

  zones::Prefix relay_address(const json& object, const std::string& pointer) {
    std::string text;
    reader_.read(object, "relay", pointer, text);
    if (!object.contains("relay")) return {};
    auto address = zones::parse_address(text);
    if (!address) {
      reader_.error(JsonReader::child(pointer, "relay"), address.error());
      return {};
    }
    return *address;
  }

  std::optional<MxConfig> read_mx(const json& item, const std::string& pointer) {
    if (!reader_.object(item, pointer,
                        {"relay", "gnmi_target", "tls", "max_tunnels", "relay_interface",
                         "tunnel_device", "tunnel_count_path", "paths", "capacity_bps"},
                        {"relay", "gnmi_target"})) {
      return std::nullopt;
    }
    MxConfig mx;
    mx.relay = relay_address(item, pointer);
    reader_.read(item, "gnmi_target", pointer, mx.gnmi_target);
    if (item.contains("gnmi_target") && item["gnmi_target"].is_string()) {
      const auto colon = mx.gnmi_target.rfind(':');
      if (colon == std::string::npos || colon + 1 == mx.gnmi_target.size()) {
        reader_.error(JsonReader::child(pointer, "gnmi_target"),
                      "'" + mx.gnmi_target + "' is not host:port");
      }
    }
    read_mx_settings(item, pointer, mx);
    return mx;
  }

  // The settings of /traffic_ops/mx: those of a config MX but its addresses.
  void read_mx_template(const json& item, const std::string& pointer, MxConfig& mx) {
    if (!reader_.object(item, pointer,
                        {"tls", "max_tunnels", "relay_interface", "tunnel_device",
                         "tunnel_count_path", "paths", "capacity_bps"})) {
      return;
    }
    read_mx_settings(item, pointer, mx);
  }

  void read_mx_settings(const json& item, const std::string& pointer, MxConfig& mx) {
    reader_.read(item, "max_tunnels", pointer, mx.max_tunnels, 1, 100000000);
    reader_.read(item, "relay_interface", pointer, mx.relay_interface);
    reader_.read(item, "tunnel_device", pointer, mx.tunnel_device);
    reader_.read(item, "tunnel_count_path", pointer, mx.tunnel_count_path);
    reader_.read(item, "capacity_bps", pointer, mx.capacity_bps, 0, 10'000'000'000'000ULL);
    const auto paths = item.find("paths");
    const std::string paths_pointer = JsonReader::child(pointer, "paths");
    if (paths != item.end() && reader_.object(*paths, paths_pointer,
                                              {"relay_status", "anycast", "tunnel_status",
                                               "tunnel_subinterfaces", "out_octets"})) {
      reader_.read(*paths, "relay_status", paths_pointer, mx.paths.relay_status);
      reader_.read(*paths, "anycast", paths_pointer, mx.paths.anycast);
      reader_.read(*paths, "tunnel_status", paths_pointer, mx.paths.tunnel_status);
      reader_.read(*paths, "tunnel_subinterfaces", paths_pointer, mx.paths.tunnel_subinterfaces);
      reader_.read(*paths, "out_octets", paths_pointer, mx.paths.out_octets);
    }
    const auto tls = item.find("tls");
    const std::string tls_pointer = JsonReader::child(pointer, "tls");
    if (tls != item.end() && reader_.object(*tls, tls_pointer, {"ca", "cert", "key", "server_name"},
                                            {"ca", "cert", "key"})) {
      TlsConfig files;
      reader_.read(*tls, "ca", tls_pointer, files.ca);
      reader_.read(*tls, "cert", tls_pointer, files.cert);
      reader_.read(*tls, "key", tls_pointer, files.key);
      reader_.read(*tls, "server_name", tls_pointer, files.server_name);
      mx.tls = files;
    }
  }

  void read_gateways(const json& gateways, const std::string& pointer, RelayGroupConfig& group) {
    if (!reader_.array(gateways, pointer)) return;
    for (std::size_t g = 0; g < gateways.size(); ++g) {
      const std::string gateway_pointer = JsonReader::child(pointer, g);
      if (!reader_.object(gateways[g], gateway_pointer,
                          {"relay", "probe", "probe_port", "max_tunnels", "probe_interval_ms",
                           "probe_timeout_ms"},
                          {"relay"})) {
        continue;
      }
      GatewayConfig gateway;
      gateway.relay = relay_address(gateways[g], gateway_pointer);
      read_gateway_settings(gateways[g], gateway_pointer, gateway);
      group.gateways.push_back(gateway);
    }
  }

  void read_gateway_settings(const json& item, const std::string& pointer, GatewayConfig& gateway) {
    reader_.read(item, "probe", pointer, gateway.probe);
    reader_.read(item, "probe_port", pointer, gateway.probe_port, 1, 65535);
    reader_.read(item, "max_tunnels", pointer, gateway.max_tunnels, 1, 100000000);
    reader_.read(item, "probe_interval_ms", pointer, gateway.probe_interval_ms, 50, 3600000);
    reader_.read(item, "probe_timeout_ms", pointer, gateway.probe_timeout_ms, 10, 60000);
    if (gateway.probe_timeout_ms > gateway.probe_interval_ms) {
      reader_.error(pointer + "/probe_timeout_ms", "must not exceed probe_interval_ms");
    }
  }

  void read_policy(const json& root) {
    const auto it = root.find("policy");
    if (it == root.end()) return;
    if (!reader_.object(
            *it, "/policy",
            {"ttl", "degraded_ttl", "hold_up_s", "stale_after_ms", "high_watermark",
             "low_watermark", "overload_mode", "mx_precedence", "gateway_precedence"})) {
      return;
    }
    PolicyConfig& policy = config_.policy;
    reader_.read(*it, "ttl", "/policy", policy.ttl, 0, 2147483647);
    reader_.read(*it, "degraded_ttl", "/policy", policy.degraded_ttl, 0, 2147483647);
    reader_.read(*it, "hold_up_s", "/policy", policy.hold_up_s, 0, 86400);
    reader_.read(*it, "stale_after_ms", "/policy", policy.stale_after_ms, 100, 3600000);
    reader_.read(*it, "high_watermark", "/policy", policy.high_watermark, 0.0, 1.0);
    reader_.read(*it, "low_watermark", "/policy", policy.low_watermark, 0.0, 1.0);
    if (policy.low_watermark > policy.high_watermark) {
      reader_.error("/policy/low_watermark", "must not be above high_watermark");
    }
    std::string mode = "spill";
    reader_.read(*it, "overload_mode", "/policy", mode);
    if (mode == "spill") {
      policy.overload_mode = OverloadMode::spill;
    } else if (mode == "gateway-first") {
      policy.overload_mode = OverloadMode::gateway_first;
    } else {
      reader_.error("/policy/overload_mode", "'" + mode + "' is not 'spill' or 'gateway-first'");
    }
    reader_.read(*it, "mx_precedence", "/policy", policy.mx_precedence);
    reader_.read(*it, "gateway_precedence", "/policy", policy.gateway_precedence);
  }

  void read_traffic_ops(const json& root) {
    const auto it = root.find("traffic_ops");
    if (it == root.end()) return;
    if (!reader_.object(
            *it, "/traffic_ops",
            {"url", "api_version", "cdn", "poll_interval_s", "cache_file", "ca_file", "insecure",
             "timeout_ms", "gnmi_port", "relay_family", "relay_public_ip", "mx", "gateway"},
            {"url", "cdn"})) {
      return;
    }
    TrafficOpsConfig to;
    reader_.read(*it, "url", "/traffic_ops", to.url);
    reader_.read(*it, "api_version", "/traffic_ops", to.api_version);
    if (to.api_version.rfind("4.", 0) != 0 && to.api_version.rfind("5.", 0) != 0) {
      reader_.error("/traffic_ops/api_version",
                    "'" + to.api_version + "' is not a 4.x or 5.x API version");
    }
    reader_.read(*it, "cdn", "/traffic_ops", to.cdn);
    reader_.read(*it, "poll_interval_s", "/traffic_ops", to.poll_interval_s, 1, 86400);
    reader_.read(*it, "cache_file", "/traffic_ops", to.cache_file);
    reader_.read(*it, "ca_file", "/traffic_ops", to.ca_file);
    reader_.read(*it, "insecure", "/traffic_ops", to.insecure);
    reader_.read(*it, "timeout_ms", "/traffic_ops", to.timeout_ms, 100, 600000);
    reader_.read(*it, "gnmi_port", "/traffic_ops", to.gnmi_port, 1, 65535);
    std::string family = "ipv4";
    reader_.read(*it, "relay_family", "/traffic_ops", family);
    if (family == "ipv6") {
      to.relay_family = RelayFamily::ipv6;
    } else if (family != "ipv4") {
      reader_.error("/traffic_ops/relay_family", "'" + family + "' is not 'ipv4' or 'ipv6'");
    }
    if (const auto overrides = it->find("relay_public_ip"); overrides != it->end()) {
      if (!overrides->is_object()) {
        reader_.error("/traffic_ops/relay_public_ip", "must be an object of host name to address");
      } else {
        for (const auto& [host, address] : overrides->items()) {
          const std::string pointer = JsonReader::child("/traffic_ops/relay_public_ip", host);
          auto parsed = address.is_string() ? zones::parse_address(address.get<std::string>())
                                            : tl::make_unexpected("must be an address string");
          if (!parsed) {
            reader_.error(pointer, parsed.error());
          } else {
            to.relay_public_ip.emplace_back(host, *parsed);
          }
        }
      }
    }
    if (const auto mx = it->find("mx"); mx != it->end())
      read_mx_template(*mx, "/traffic_ops/mx", to.mx);
    if (const auto gateway = it->find("gateway"); gateway != it->end()) {
      if (reader_.object(
              *gateway, "/traffic_ops/gateway",
              {"probe", "probe_port", "max_tunnels", "probe_interval_ms", "probe_timeout_ms"})) {
        read_gateway_settings(*gateway, "/traffic_ops/gateway", to.gateway);
      }
    }
    if (to.url.rfind("http://", 0) != 0 && to.url.rfind("https://", 0) != 0 &&
        it->contains("url")) {
      reader_.error("/traffic_ops/url", "'" + to.url + "' is not an http:// or https:// URL");
    }
    config_.traffic_ops = to;
  }

  void read_admin(const json& root) {
    const auto it = root.find("admin");
    if (it == root.end() || !reader_.object(*it, "/admin", {"listen"})) return;
    AdminConfig admin;
    reader_.read(*it, "listen", "/admin", admin.listen);
    if (auto endpoint = dns::parse_listen_endpoint(admin.listen); !endpoint) {
      reader_.error("/admin/listen", endpoint.error());
    }
    config_.admin = admin;
  }

  void read_rrl(const json& root) {
    const auto it = root.find("rrl");
    if (it == root.end() || !reader_.object(*it, "/rrl",
                                            {"responses_per_second", "slip", "ipv4_prefix",
                                             "ipv6_prefix", "window_s", "max_amplification"})) {
      return;
    }
    RrlConfig rrl;
    reader_.read(*it, "responses_per_second", "/rrl", rrl.responses_per_second, 1, 1000000000);
    reader_.read(*it, "slip", "/rrl", rrl.slip, 0, 10);
    reader_.read(*it, "ipv4_prefix", "/rrl", rrl.ipv4_prefix, 8, 32);
    reader_.read(*it, "ipv6_prefix", "/rrl", rrl.ipv6_prefix, 16, 128);
    reader_.read(*it, "window_s", "/rrl", rrl.window_s, 1, 60);
    reader_.read(*it, "max_amplification", "/rrl", rrl.max_amplification, 0, 1000);
    config_.rrl = rrl;
  }

  // Rules that span sections: zones apart, sources inside zones and unique,
  // group names unique and known.
  void cross_check() {
    std::map<std::string, std::size_t> origins;
    for (std::size_t i = 0; i < config_.zones.size(); ++i) {
      const ZoneConfig& zone = config_.zones[i];
      const std::string text = dns::name_to_text(zone.origin);
      if (const auto [it, fresh] = origins.emplace(text, i); !fresh) {
        reader_.error(zones_pointers_[i] + "/origin",
                      "'" + text + "' is also " + zones_pointers_[it->second]);
        continue;
      }
      for (std::size_t j = 0; j < i; ++j) {
        if (config_.zones[j].prefix.overlaps(zone.prefix)) {
          reader_.error(zones_pointers_[i] + "/origin",
                        "'" + text + "' overlaps " + zones_pointers_[j] + " ('" +
                            dns::name_to_text(config_.zones[j].origin) + "')");
        }
      }
    }
    std::map<std::string, std::size_t> groups;
    for (std::size_t i = 0; i < config_.relay_groups.size(); ++i) {
      const auto& name = config_.relay_groups[i].name;
      if (name.empty()) continue;
      if (const auto [it, fresh] = groups.emplace(name, i); !fresh) {
        reader_.error(groups_pointers_[i] + "/name",
                      "'" + name + "' is also " + groups_pointers_[it->second]);
      }
    }
    finish_sources(groups);
  }

  // Where source i came from, for messages: "/sources/3" or "FILE:12".
  std::string source_place(std::size_t i) const {
    if (i < json_sources_) return JsonReader::child("/sources", sources_.wheres[i]);
    return config_.sources_file + ":" + std::to_string(sources_.wheres[i]);
  }

  // An error about source i: at its JSON pointer (`field` below it), or at
  // its line of the sources file.
  void source_error(std::size_t i, std::string_view field, const std::string& message) {
    if (i < json_sources_) {
      const std::string pointer = JsonReader::child(source_place(i), field);
      source_errors_.add(file_ + ": " + pointer + ": " + message);
    } else {
      source_errors_.add(source_place(i) + ": " + message);
    }
  }

  // Numbers the interned group names as Config::source_groups says (the
  // relay groups first), checks every source (inside a zone, a known group,
  // given once), and moves the list into the config.
  void finish_sources(const std::map<std::string, std::size_t>& groups) {
    std::vector<std::string> names;
    for (const RelayGroupConfig& group : config_.relay_groups) names.push_back(group.name);
    std::map<std::string, std::uint32_t, std::less<>> position;  // not views: `names` grows
    for (std::size_t g = 0; g < names.size(); ++g)
      position.emplace(names[g], static_cast<std::uint32_t>(g));
    std::vector<std::uint32_t> renumber(sources_.names.size());
    std::vector<bool> known(sources_.names.size());
    for (std::size_t id = 0; id < sources_.names.size(); ++id) {
      const std::string& name = sources_.names[id];
      known[id] = groups.contains(name);
      if (const auto it = position.find(name); it != position.end()) {
        renumber[id] = it->second;
      } else {
        renumber[id] = static_cast<std::uint32_t>(names.size());
        names.push_back(name);
      }
    }
    std::vector<zones::SourceSpec>& entries = sources_.entries;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      zones::SourceSpec& source = entries[i];
      if (!known[source.group] && !config_.traffic_ops) {
        source_error(i, "relay_group",
                     "'" + sources_.names[source.group] + "' is not a relay group");
      }
      source.group = renumber[source.group];
    }
    zones::SourceList list(std::move(entries));
    // The checks a snapshot build makes anyway, made here on the list so that
    // the first build finds them done (the zones passed, the table built);
    // only when one fails is the list walked again to say where.
    std::vector<zones::Prefix> zone_prefixes;
    for (const ZoneConfig& zone : config_.zones) zone_prefixes.push_back(zone.prefix);
    if (!config_.zones.empty() && !list.check_inside(zone_prefixes)) report_outside(list);
    if (!list.table()) report_duplicates(list);
    source_errors_.close(file_);
    config_.sources = std::move(list);
    config_.source_groups = std::move(names);
  }

  void report_outside(const zones::SourceList& list) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      const zones::Prefix& prefix = list[i].prefix;
      const bool inside =
          std::any_of(config_.zones.begin(), config_.zones.end(),
                      [&](const ZoneConfig& zone) { return zone.prefix.contains(prefix); });
      if (!inside) source_error(i, "prefix", zones::to_string(prefix) + " lies outside every zone");
    }
  }

  void report_duplicates(const zones::SourceList& list) {
    std::vector<std::uint32_t> order(list.size());
    std::iota(order.begin(), order.end(), 0U);
    const auto key = [&list](std::uint32_t i) {
      const zones::Prefix& prefix = list[i].prefix;
      return std::tuple(prefix.family, prefix.address, prefix.length, i);
    };
    std::sort(order.begin(), order.end(),
              [&](std::uint32_t a, std::uint32_t b) { return key(a) < key(b); });
    // Sorted by (prefix, position): each run of one prefix starts at its first use.
    std::size_t run = 0;
    for (std::size_t k = 1; k < order.size(); ++k) {
      const zones::Prefix& prefix = list[order[k]].prefix;
      if (prefix != list[order[run]].prefix) {
        run = k;
        continue;
      }
      source_error(order[k], "prefix",
                   zones::to_string(prefix) + " is also " + source_place(order[run]));
    }
  }

  // At most this many errors about single sources are listed (then a count).
  static constexpr std::size_t kSourceErrorsListed = 100;

  JsonReader reader_;
  std::string file_;
  Config config_;
  std::vector<std::string> zones_pointers_;
  std::vector<std::string> groups_pointers_;
  SourceCollector sources_;
  std::size_t json_sources_ = 0;  // entries of sources_ from the JSON array, first
  SourceErrors source_errors_{reader_.errors(), kSourceErrorsListed};
};

}  // namespace

tl::expected<Config, ConfigErrors> parse_config(const std::string& json_text,
                                                const std::string& file_label) {
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::parse_error& e) {
    // Turn the byte offset into a line and column for people.
    const std::size_t offset =
        std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, json_text.size());
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i < offset; ++i) {
      if (json_text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return tl::make_unexpected(ConfigErrors{file_label + ":" + std::to_string(line) + ":" +
                                            std::to_string(column) +
                                            ": not valid JSON: " + e.what()});
  } catch (const json::exception& e) {
    // Not a syntax error but as fatal, e.g. a number out of range (1e400).
    return tl::make_unexpected(ConfigErrors{file_label + ": not valid JSON: " + e.what()});
  }
  auto config = Loader(file_label).load(root);
  if (config) config->file = file_label;
  return config;
}

tl::expected<Config, ConfigErrors> load_config_file(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) return tl::make_unexpected(ConfigErrors{text.error()});
  auto config = parse_config(*text, path);
  // The JSON tree, the file texts and the loader's scratch are freed by now;
  // a large config leaves the heap full of holes that malloc keeps mapped
  // (half a gigabyte after a million JSON sources) unless told to give them back.
  text->clear();
  text->shrink_to_fit();
  malloc_trim(0);
  return config;
}

}  // namespace driad::config
