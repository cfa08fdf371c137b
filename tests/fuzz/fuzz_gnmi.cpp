// Fuzz target: gNMI notifications as the MX feed decodes them. The input is a
// serialized gnmi::SubscribeResponse (what the Subscribe stream's Read
// yields); its update goes through MxLeaves::apply as MxFeed::on_response
// does, twice (subinterface counting and a tunnel-count leaf), and every value
// through value_text / value_uint. Checks: the byte rate stays a finite,
// non-negative number, and every path the path grammar can spell prints
// (path_to_string) to text that parses back to the same path.
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "health/gnmi_path.hpp"
#include "health/gnmi_value.hpp"
#include "health/mx_feed_config.hpp"
#include "health/mx_leaves.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace health = driad::health;

namespace {

health::MxWatchedPaths watched(bool tunnel_count_leaf) {
  health::MxFeedConfig config;
  config.relay_ip = "192.0.2.1";
  if (tunnel_count_leaf) config.paths.tunnel_count_leaf = "/amt/relay/state/tunnel-count";
  auto paths = health::resolve_paths(config);
  FUZZ_CHECK(paths.has_value());
  return *paths;
}

// Names and keys the path grammar can spell: not empty, and free of the
// characters that delimit them.
bool spellable(const gnmi::Path& path) {
  for (const auto& elem : path.elem()) {
    if (elem.name().empty() || elem.name().find_first_of("/[]=") != std::string::npos) return false;
    for (const auto& [name, value] : elem.key()) {
      if (name.empty() || name.find_first_of("/]=") != std::string::npos) return false;
    }
  }
  return true;
}

void check_path(const gnmi::Path& path) {
  const std::string text = health::path_to_string(path);
  if (!spellable(path)) return;
  const auto again = health::parse_path(text);
  if (!again)
    std::fprintf(stderr, "'%s' does not parse back: %s\n", text.c_str(), again.error().c_str());
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(health::same_path(*again, path));
}

void check_value(const gnmi::TypedValue& value) {
  const auto text = health::value_text(value);
  const auto number = health::value_uint(value);
  if (value.value_case() == gnmi::TypedValue::kUintVal) {
    FUZZ_CHECK(text && number && *text == std::to_string(*number));
  }
}

void apply(health::MxLeaves& leaves, const gnmi::Notification& notification) {
  const auto start = health::Clock::time_point{} + std::chrono::hours(1);
  leaves.apply(notification, start);
  (void)leaves.verdict();
  // The same notification a second later: a repeated counter sample.
  leaves.apply(notification, start + std::chrono::seconds(1));
  const health::MxVerdict verdict = leaves.verdict();
  FUZZ_CHECK(!verdict.detail.empty());
  (void)leaves.tunnels();
  const double rate = leaves.out_octets_rate_bps();
  FUZZ_CHECK(std::isfinite(rate) && rate >= 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 1 << 16) return 0;
  gnmi::SubscribeResponse response;
  if (!response.ParseFromArray(data, static_cast<int>(size))) return 0;
  if (!response.has_update()) return 0;
  const gnmi::Notification& notification = response.update();
  static const health::MxWatchedPaths subinterfaces = watched(false);
  static const health::MxWatchedPaths tunnel_leaf = watched(true);
  health::MxLeaves counting(subinterfaces);
  apply(counting, notification);
  health::MxLeaves reading(tunnel_leaf);
  apply(reading, notification);
  if (response.sync_response()) counting.reset(/*keep_rate=*/true);

  check_path(notification.prefix());
  for (const auto& update : notification.update()) {
    check_path(update.path());
    check_path(health::join_path(notification.prefix(), update.path()));
    check_value(update.val());
  }
  for (const auto& deleted : notification.delete_()) check_path(deleted);
  return 0;
}
