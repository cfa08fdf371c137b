// Implements the simulated MX's leaves and their rendering (model.hpp).
#include "tools/mx-sim/model.hpp"

#include <map>
#include <sstream>

#include "tools/mx-sim/path.hpp"

namespace driad::mxsim {
namespace {

// Paths built here are constants of the simulator; a parse failure would be a
// programming error, so it yields an empty path rather than a fallible API.
gnmi::Path P(const std::string& text) {
  return ParsePath(text).value_or(gnmi::Path{});
}

std::string Quoted(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == ']' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

void AddString(std::vector<Leaf>& out, const std::string& path, const std::string& value) {
  Leaf leaf{P(path), {}, {}};
  leaf.key = PathString(leaf.path);
  leaf.value.set_string_val(value);
  out.push_back(std::move(leaf));
}

void AddUint(std::vector<Leaf>& out, const std::string& path, uint64_t value) {
  Leaf leaf{P(path), {}, {}};
  leaf.key = PathString(leaf.path);
  leaf.value.set_uint_val(value);
  out.push_back(std::move(leaf));
}

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned char>(c));
      out += buffer;
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace

uint64_t MxState::OutOctets(SteadyClock::time_point now) const {
  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(now - mark).count();
  if (elapsed <= 0) return octets_at_mark;
  // Whole seconds and the remainder apart, so that with rates up to 1 Tbit/s
  // no product leaves 64 bits.
  const auto micros = static_cast<uint64_t>(elapsed);
  const uint64_t rate = RateBps();
  const uint64_t seconds = micros / 1'000'000;
  return octets_at_mark + seconds * (rate / 8) + seconds * (rate % 8) / 8 +
         micros % 1'000'000 * rate / 8'000'000;
}

void MxState::Rebase(SteadyClock::time_point now) {
  octets_at_mark = OutOctets(now);
  mark = now;
}

std::string MxState::Describe(const SimOptions& options, SteadyClock::time_point now) const {
  std::ostringstream out;
  out << "oper-status=" << (relay_up ? "UP" : "DOWN") << " ud-status=" << (ud_up ? "UP" : "DOWN")
      << " anycast=" << (anycast_present ? "present" : "absent") << "(" << options.anycast << ")"
      << " tunnels=" << tunnels << " rate-bps=" << RateBps() << (rate_bps ? "" : "(auto)")
      << " out-octets=" << OutOctets(now) << " cpu-idle=" << cpu_idle;
  return out.str();
}

std::vector<Leaf> Leaves(const SimOptions& options, const MxState& state,
                         SteadyClock::time_point now) {
  std::vector<Leaf> out;
  const std::string relay = "/interfaces/interface[name=" + Quoted(options.interface) + "]";
  const std::string ud = "/interfaces/interface[name=" + Quoted(options.ud_device) + "]";
  AddString(out, relay + "/state/oper-status", state.relay_up ? "UP" : "DOWN");
  if (state.anycast_present) {
    AddString(out,
              relay + "/subinterfaces/subinterface[index=0]/ipv4/addresses/address[ip=" +
                  Quoted(options.anycast) + "]/state/ip",
              options.anycast);
  }
  AddString(out, ud + "/state/oper-status", state.ud_up ? "UP" : "DOWN");
  AddUint(out, ud + "/state/counters/out-octets", state.OutOctets(now));
  // Two leaves per tunnel on purpose: a client must count subinterface keys,
  // not leaves.
  for (uint32_t index = 1; index <= state.tunnels; ++index) {
    const std::string sub = ud + "/subinterfaces/subinterface[index=" + std::to_string(index) + "]";
    AddUint(out, sub + "/state/index", index);
    AddString(out, sub + "/state/oper-status", "UP");
  }
  AddUint(out, kTunnelCountPath, state.tunnels);
  AddUint(out,
          "/components/component[name=" + Quoted(options.routing_engine) +
              "]/properties/property[name=cpu-utilization-idle]/state/value",
          state.cpu_idle);
  return out;
}

gnmi::TypedValue Encode(const gnmi::TypedValue& value, gnmi::Encoding encoding) {
  if (encoding != gnmi::JSON) return value;
  gnmi::TypedValue out;
  switch (value.value_case()) {
    case gnmi::TypedValue::kStringVal:
      out.set_json_val(JsonString(value.string_val()));
      break;
    case gnmi::TypedValue::kUintVal:
      out.set_json_val(std::to_string(value.uint_val()));
      break;
    case gnmi::TypedValue::kIntVal:
      out.set_json_val(std::to_string(value.int_val()));
      break;
    default:
      return value;
  }
  return out;
}

std::vector<gnmi::Notification> Render(const std::vector<const Leaf*>& updates,
                                       const std::vector<gnmi::Path>& deletes,
                                       const RenderOptions& options) {
  constexpr int kPrefixElems = 2;
  std::map<std::string, gnmi::Notification> groups;
  auto group_for = [&](const gnmi::Path& path) -> gnmi::Notification& {
    gnmi::Path head = Head(path, kPrefixElems);
    auto [it, fresh] = groups.try_emplace(PathString(head));
    if (fresh) {
      it->second.set_timestamp(options.timestamp_ns);
      head.set_target(options.target);
      *it->second.mutable_prefix() = std::move(head);
    }
    return it->second;
  };
  for (const Leaf* leaf : updates) {
    auto* update = group_for(leaf->path).add_update();
    *update->mutable_path() = Tail(leaf->path, kPrefixElems);
    *update->mutable_val() = Encode(leaf->value, options.encoding);
  }
  for (const auto& path : deletes) *group_for(path).add_delete_() = Tail(path, kPrefixElems);

  std::vector<gnmi::Notification> out;
  out.reserve(groups.size());
  for (auto& [key, notification] : groups) {
    if (options.legacy_leaves) {
      // Older JunOS releases put bookkeeping leaves like these into updates.
      auto* update = notification.add_update();
      update->mutable_path()->add_elem()->set_name("__timestamp__");
      update->mutable_val()->set_uint_val(static_cast<uint64_t>(options.timestamp_ns / 1'000'000));
      update = notification.add_update();
      update->mutable_path()->add_elem()->set_name("__junos_re_stream_creation_timestamp__");
      update->mutable_val()->set_uint_val(static_cast<uint64_t>(options.timestamp_ns / 1'000'000));
    }
    out.push_back(std::move(notification));
  }
  return out;
}

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace driad::mxsim
