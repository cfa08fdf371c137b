// Implements the simulated MX's leaves, their rendering and the garbage (model.hpp).
#include "tools/mx-sim/model.hpp"

#include <initializer_list>
#include <limits>
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
  for (uint32_t index = 1; index <= state.tunnels; ++index) {
    for (auto& leaf : TunnelLeaves(options, index)) out.push_back(std::move(leaf));
  }
  out.push_back(TunnelCountLeaf(state.tunnels));
  AddUint(out,
          "/components/component[name=" + Quoted(options.routing_engine) +
              "]/properties/property[name=cpu-utilization-idle]/state/value",
          state.cpu_idle);
  return out;
}

std::vector<Leaf> TunnelLeaves(const SimOptions& options, uint32_t index) {
  // Two leaves per tunnel on purpose: a client must count subinterface keys,
  // not leaves.
  std::vector<Leaf> out;
  const std::string sub = "/interfaces/interface[name=" + Quoted(options.ud_device) +
                          "]/subinterfaces/subinterface[index=" + std::to_string(index) + "]";
  AddUint(out, sub + "/state/index", index);
  AddString(out, sub + "/state/oper-status", "UP");
  return out;
}

Leaf TunnelCountLeaf(uint32_t count) {
  std::vector<Leaf> out;
  AddUint(out, kTunnelCountPath, count);
  return std::move(out.front());
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

// The garbage builders: each appends the responses of one GarbageKind.
namespace {

// A response holding one notification under `prefix` (path text, "" for none).
gnmi::SubscribeResponse Notice(const std::string& prefix, const std::string& target) {
  gnmi::SubscribeResponse response;
  auto* notification = response.mutable_update();
  notification->set_timestamp(NowNanos());
  if (!prefix.empty()) *notification->mutable_prefix() = P(prefix);
  notification->mutable_prefix()->set_target(target);
  return response;
}

// Adds an update at `path` (relative to the prefix); the value is the caller's.
gnmi::TypedValue* Put(gnmi::SubscribeResponse& response, const gnmi::Path& path) {
  auto* update = response.mutable_update()->add_update();
  *update->mutable_path() = path;
  return update->mutable_val();
}

gnmi::TypedValue* Put(gnmi::SubscribeResponse& response, const std::string& path) {
  return Put(response, P(path));
}

// A path built element by element, for shapes path text cannot express.
// Each element is {name} or {name, key, value}.
gnmi::Path Raw(std::initializer_list<std::initializer_list<std::string>> elems) {
  gnmi::Path path;
  for (const auto& elem : elems) {
    const std::vector<std::string> parts(elem);
    auto* added = path.add_elem();
    added->set_name(parts[0]);
    if (parts.size() == 3) (*added->mutable_key())[parts[1]] = parts[2];
  }
  return path;
}

struct Prefixes {
  std::string relay, ud, component;
  explicit Prefixes(const SimOptions& options)
      : relay("/interfaces/interface[name=" + Quoted(options.interface) + "]"),
        ud("/interfaces/interface[name=" + Quoted(options.ud_device) + "]"),
        component("/components/component[name=" + Quoted(options.routing_engine) + "]") {}
};

void UnknownPaths(const Prefixes& at, const std::string& target,
                  std::vector<gnmi::SubscribeResponse>& out) {
  auto& relay = out.emplace_back(Notice(at.relay, target));
  Put(relay, "/state/no-such-leaf")->set_string_val("junk");
  Put(relay, "/subinterfaces/subinterface[index=0]/ipv4/no-such-container/value")->set_uint_val(1);
  auto& model = out.emplace_back(Notice("/no-such-model/entry[name=x]", target));
  Put(model, "/state/value")->set_uint_val(7);
  *model.mutable_update()->add_delete_() = P("/state/gone");
  // An update of the root itself: no element to match at all.
  auto& root = out.emplace_back(Notice("", target));
  Put(root, gnmi::Path{})->set_string_val("a value at the root");
}

void WrongTypes(const Prefixes& at, const std::string& target,
                std::vector<gnmi::SubscribeResponse>& out) {
  auto& relay = out.emplace_back(Notice(at.relay, target));
  Put(relay, "/state/oper-status")->set_int_val(1);
  auto& ud = out.emplace_back(Notice(at.ud, target));
  Put(ud, "/state/oper-status")->set_bool_val(true);
  Put(ud, "/state/counters/out-octets")->set_string_val("lots");
  Put(ud, "/state/counters/out-octets")->set_int_val(-5);
  Put(ud, "/state/counters/out-octets")->set_double_val(std::numeric_limits<double>::quiet_NaN());
  Put(ud, "/state/counters/out-octets")->set_json_val("{not json");
  auto& amt = out.emplace_back(Notice("/amt/relay", target));
  Put(amt, "/state/tunnel-count")->set_string_val("many");
  auto* pair = Put(amt, "/state/tunnel-count")->mutable_leaflist_val();
  pair->add_element()->set_uint_val(1);
  pair->add_element()->set_uint_val(2);
  auto& cpu = out.emplace_back(Notice(at.component, target));
  Put(cpu, "/properties/property[name=cpu-utilization-idle]/state/value")
      ->set_bytes_val("\xff\xfe");
}

void BadPaths(const Prefixes& at, const std::string& target,
              std::vector<gnmi::SubscribeResponse>& out) {
  auto& root = out.emplace_back(Notice("", target));
  // An element name holding an unbalanced "[", as a careless text parser leaves it.
  Put(root, Raw({{"interfaces"}, {"interface[name=lo0"}, {"state"}, {"oper-status"}}))
      ->set_string_val("DOWN");
  // A key value with an unbalanced "]".
  Put(root, Raw({{"interfaces"}, {"interface", "name", "lo0]"}, {"state"}, {"oper-status"}}))
      ->set_string_val("DOWN");
  // A key with an empty name, and an element with an empty name.
  Put(root, Raw({{"interfaces"}, {"interface", "", "lo0"}, {"state"}, {"oper-status"}}))
      ->set_string_val("DOWN");
  Put(root, Raw({{"interfaces"}, {""}, {"state"}, {"oper-status"}}))->set_string_val("DOWN");
  // Only the deprecated string elements (pre-0.4 gNMI), no elem.
  gnmi::Path old_style;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  for (const char* part : {"interfaces", "interface[name=lo0]", "state", "oper-status"}) {
    old_style.add_element(part);
  }
#pragma GCC diagnostic pop
  Put(root, old_style)->set_string_val("DOWN");
  // A prefix with an unbalanced "[", then a well-formed relative path; and a
  // delete of a path no leaf lies under.
  auto& prefixed = out.emplace_back(Notice("", target));
  *prefixed.mutable_update()->mutable_prefix() = Raw({{"interfaces"}, {"interface[name=lo0"}});
  prefixed.mutable_update()->mutable_prefix()->set_target(target);
  Put(prefixed, "/state/oper-status")->set_string_val("DOWN");
  *prefixed.mutable_update()->add_delete_() = Raw({{"state["}, {"oper-status]"}});
  // An empty element inside an otherwise real path under the relay interface.
  auto& relay = out.emplace_back(Notice(at.relay, target));
  Put(relay, Raw({{""}, {"oper-status"}}))->set_string_val("DOWN");
}

void NoValues(const Prefixes& at, const std::string& target,
              std::vector<gnmi::SubscribeResponse>& out) {
  auto& relay = out.emplace_back(Notice(at.relay, target));
  Put(relay, "/state/oper-status");
  auto& ud = out.emplace_back(Notice(at.ud, target));
  Put(ud, "/state/oper-status");
  Put(ud, "/state/counters/out-octets");
  auto& amt = out.emplace_back(Notice("/amt/relay", target));
  Put(amt, "/state/tunnel-count");
  amt.mutable_update()->add_update();   // no path either
  out.emplace_back().mutable_update();  // a notification with nothing in it
  out.emplace_back();                   // a response with nothing in it
}

void HugeValues(const Prefixes& at, const std::string& target,
                std::vector<gnmi::SubscribeResponse>& out) {
  auto& relay = out.emplace_back(Notice(at.relay, target));
  Put(relay, "/state/description")->set_string_val(std::string(kHugeBytes, 'x'));
  auto& digits = out.emplace_back(Notice(at.ud, target));
  Put(digits, "/state/counters/out-octets")->set_string_val(std::string(kHugeBytes, '9'));
  auto& open = out.emplace_back(Notice(at.ud, target));
  Put(open, "/state/counters/out-octets")->set_json_val(std::string(kHugeBytes, '['));
  // Valid JSON, nested 32768 deep: a recursive parser or destructor overflows.
  auto& nested = out.emplace_back(Notice("/amt/relay", target));
  Put(nested, "/state/tunnel-count")
      ->set_json_val(std::string(kHugeBytes / 2, '[') + std::string(kHugeBytes / 2, ']'));
  auto& key = out.emplace_back(Notice("", target));
  Put(key, Raw({{"interfaces"},
                {"interface", "name", std::string(kHugeBytes, 'k')},
                {"state"},
                {"oper-status"}}))
      ->set_string_val("DOWN");
}

}  // namespace

std::vector<gnmi::SubscribeResponse> Garbage(GarbageKind kind, const SimOptions& options,
                                             const std::string& target) {
  const Prefixes at(options);
  std::vector<gnmi::SubscribeResponse> out;
  const bool all = kind == GarbageKind::kAll;
  if (all || kind == GarbageKind::kUnknownPath) UnknownPaths(at, target, out);
  if (all || kind == GarbageKind::kWrongType) WrongTypes(at, target, out);
  if (all || kind == GarbageKind::kBadPath) BadPaths(at, target, out);
  if (all || kind == GarbageKind::kNoValue) NoValues(at, target, out);
  if (all || kind == GarbageKind::kHuge) HugeValues(at, target, out);
  return out;
}

}  // namespace driad::mxsim
