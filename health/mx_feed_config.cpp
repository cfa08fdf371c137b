// Implements the MX feed's config helpers (mx_feed_config.hpp).
#include "health/mx_feed_config.hpp"

#include <algorithm>

#include "health/gnmi_path.hpp"

namespace driad::health {
namespace {

tl::expected<gnmi::Path, std::string> parse_setting(const std::string& setting,
                                                    const std::string& text) {
  auto path = parse_path(text);
  if (!path) return tl::unexpected(setting + " '" + text + "': " + path.error());
  return path;
}

}  // namespace

std::string default_anycast_path(const std::string& relay_ip) {
  const std::string family = relay_ip.find(':') == std::string::npos ? "ipv4" : "ipv6";
  return "/interfaces/interface[name=lo0]/subinterfaces/subinterface[index=0]/" + family +
         "/addresses/address[ip=" + relay_ip + "]/state/ip";
}

tl::expected<MxWatchedPaths, std::string> resolve_paths(const MxFeedConfig& config) {
  const MxPathConfig& paths = config.paths;
  if (paths.anycast.empty() && config.relay_ip.empty()) {
    return tl::unexpected(std::string("no relay_ip to build the anycast path from"));
  }
  MxWatchedPaths out;
  const std::string anycast =
      paths.anycast.empty() ? default_anycast_path(config.relay_ip) : paths.anycast;
  const bool leaf = !paths.tunnel_count_leaf.empty();
  const std::pair<const char*, std::pair<const std::string*, gnmi::Path*>> settings[] = {
      {"relay_status", {&paths.relay_status, &out.relay_status}},
      {"anycast", {&anycast, &out.anycast}},
      {"ud_status", {&paths.ud_status, &out.ud_status}},
      {"out_octets", {&paths.out_octets, &out.out_octets}},
      {leaf ? "tunnel_count_leaf" : "tunnel_subinterfaces",
       {leaf ? &paths.tunnel_count_leaf : &paths.tunnel_subinterfaces, &out.tunnels}},
  };
  for (const auto& [setting, text_and_path] : settings) {
    auto parsed = parse_setting(setting, *text_and_path.first);
    if (!parsed) return tl::unexpected(parsed.error());
    *text_and_path.second = std::move(*parsed);
  }
  out.tunnels_is_leaf = leaf;
  return out;
}

std::chrono::milliseconds heartbeat_interval(const MxFeedConfig& config) {
  // Floored so a tiny stale_after cannot ask the MX for a flood.
  return std::max(config.stale_after / 3, std::chrono::milliseconds(10));
}

}  // namespace driad::health
