// Fuzz target: Traffic Ops response bodies (health/traffic_ops_json.hpp), each
// input read by every parser. Accepted servers have canonical addresses and at
// least one service address, and come sorted; so do cachegroups; a gnmi.port
// is a port number.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

#include "health/traffic_ops_json.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace health = driad::health;

namespace {

bool canonical(const std::string& address) {
  return address.empty() || health::address_without_prefix(address) == address;
}

void check_servers(std::string_view text, std::string_view cdn) {
  const auto servers = health::parse_servers(text, cdn);
  if (!servers) {
    FUZZ_CHECK(!servers.error().empty());
    return;
  }
  for (std::size_t i = 0; i < servers->size(); ++i) {
    const health::RelayServer& server = (*servers)[i];
    FUZZ_CHECK(!server.service_ipv4.empty() || !server.service_ipv6.empty());
    FUZZ_CHECK(canonical(server.service_ipv4));
    FUZZ_CHECK(canonical(server.service_ipv6));
    FUZZ_CHECK(canonical(server.management_address));
    if (i > 0) {
      const health::RelayServer& before = (*servers)[i - 1];
      FUZZ_CHECK(std::tie(before.cachegroup, before.host_name) <=
                 std::tie(server.cachegroup, server.host_name));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_servers(text, {});
  check_servers(text, "CDN-A");

  if (const auto cachegroups = health::parse_cachegroups(text); cachegroups) {
    for (std::size_t i = 1; i < cachegroups->size(); ++i) {
      FUZZ_CHECK((*cachegroups)[i - 1].name <= (*cachegroups)[i].name);
    }
  }
  if (const auto port = health::parse_gnmi_port(text); port && *port) {
    FUZZ_CHECK(**port >= 1);
  }
  (void)health::alerts_text(text);
  // Short inputs are address candidates too: the canonical form is a fixed point.
  if (size <= 64) {
    if (const auto address = health::address_without_prefix(text); address) {
      FUZZ_CHECK(health::address_without_prefix(*address) == *address);
    }
  }
  return 0;
}
