// Implements driadctl's human output (render.hpp).
#include "tools/driadctl/render.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace driad::ctl {
namespace {

using nlohmann::json;

std::string str(const json& value, const char* fallback = "-") {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return fallback;
  if (value.is_number_float()) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", value.get<double>());
    return text;
  }
  return value.dump();
}

std::string field(const json& object, const char* key, const char* fallback = "-") {
  const auto it = object.find(key);
  return it == object.end() ? std::string(fallback) : str(*it, fallback);
}

std::string joined(const json& list, const char* separator = ", ") {
  std::string out;
  if (!list.is_array()) return out;
  for (const json& item : list) {
    if (!out.empty()) out += separator;
    out += str(item);
  }
  return out;
}

// The UTC time of `unix_ms` (to the second) in strftime's `format`.
std::string utc_text(std::int64_t unix_ms, const char* format) {
  const auto seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[40];
  std::strftime(text, sizeof text, format, &parts);
  return text;
}

std::string clock_time(std::int64_t unix_ms) {
  return utc_text(unix_ms, "%H:%M:%SZ");
}

std::string timestamp(std::int64_t unix_ms) {
  const std::string text = utc_text(unix_ms, "%Y-%m-%dT%H:%M:%S");
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(unix_ms % 1000));
  return text + millis;
}

std::string bytes_text(double bytes) {
  char text[32];
  if (bytes >= 1024.0 * 1024.0) {
    std::snprintf(text, sizeof text, "%.1f MiB", bytes / (1024.0 * 1024.0));
  } else if (bytes >= 1024.0) {
    std::snprintf(text, sizeof text, "%.1f KiB", bytes / 1024.0);
  } else {
    std::snprintf(text, sizeof text, "%.0f B", bytes);
  }
  return text;
}

}  // namespace

std::string duration_text(double seconds) {
  char text[32];
  if (seconds < 0) seconds = 0;
  if (seconds < 10) {
    std::snprintf(text, sizeof text, "%.1fs", seconds);
  } else if (seconds < 120) {
    std::snprintf(text, sizeof text, "%.0fs", seconds);
  } else if (seconds < 7200) {
    const auto whole = static_cast<long>(seconds);
    std::snprintf(text, sizeof text, "%ldm%02lds", whole / 60, whole % 60);
  } else if (seconds < 172800) {
    const auto whole = static_cast<long>(seconds);
    std::snprintf(text, sizeof text, "%ldh%02ldm", whole / 3600, whole % 3600 / 60);
  } else {
    std::snprintf(text, sizeof text, "%.0fd", seconds / 86400);
  }
  return text;
}

std::string Table::text() const {
  std::vector<std::size_t> widths(header_.size(), 0);
  const auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size());
  };
  measure(header_);
  for (const auto& row : rows_) measure(row);
  std::string out;
  const auto line = [&](const std::vector<std::string>& row) {
    std::string text;
    for (std::size_t i = 0; i < row.size(); ++i) {
      text += row[i];
      if (i + 1 < row.size()) text += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  };
  line(header_);
  for (const auto& row : rows_) line(row);
  return out;
}

std::string render_status(const json& state) {
  std::string out;
  const json& snapshot = state.value("snapshot", json::object());
  const bool ready = state.value("ready", false);
  out += "driad " + field(state, "version") + "  up " +
         duration_text(state.value("uptime_s", 0.0)) + "  " +
         (ready ? std::string("ready") : "NOT READY: " + field(state, "not_ready")) + "  config " +
         field(state, "config_file") + "\n";
  out += "snapshot " + field(snapshot, "generation") + "  built " +
         clock_time(snapshot.value("built_unix_ms", std::int64_t{0})) + " in " +
         field(snapshot, "build_ms") + " ms  " + bytes_text(snapshot.value("bytes", 0.0)) + "  " +
         field(snapshot, "zones") + " zones, " + field(snapshot, "sources") + " sources, " +
         field(snapshot, "groups") + " relay groups, " + field(snapshot, "client_views") +
         " client views\n";
  const json& queries = state.value("queries", json::object());
  out += "listen " + joined(state.value("listen", json::array()), " ") + "  admin " +
         field(state, "admin_listen") + "  queries " + field(queries, "total") + "  tcp open " +
         field(state, "tcp_connections") + "\n";

  Table zones({"ZONE", "SERIAL"});
  for (const json& zone : state.value("zones", json::array())) {
    zones.add({field(zone, "origin"), field(zone, "serial")});
  }
  out += "\n" + zones.text();

  Table groups({"GROUP", "TYPE", "ORIGIN", "DECISION", "TTL", "ANSWER", "REASON"});
  Table relays({"GROUP", "ROLE", "RELAY", "STATE", "LOAD", "LAST MSG", "DETAIL"});
  for (const json& group : state.value("relay_groups", json::array())) {
    const json& decision = group.value("decision", json());
    std::string reason = "-";
    std::string kind = "-";
    if (decision.is_object()) {
      kind = field(decision, "kind");
      reason = field(decision, "reason_text");
    } else if (field(group, "type") == "pending") {
      reason = "not known yet: SERVFAIL";
    }
    if (!group.value("available", true) && decision.is_object()) kind += " (!)";
    groups.add({field(group, "name"), field(group, "type"), field(group, "origin"), kind,
                field(group, "ttl"), joined(group.value("answer", json::array())), reason});
    for (const json& relay : group.value("relays", json::array())) {
      const bool mx = field(relay, "role") == "mx";
      const json& age = relay.value("last_message_age_s", json());
      std::string load = "-";
      if (mx) {
        char text[16];
        std::snprintf(text, sizeof text, "%.2f", relay.value("load", 0.0));
        load = text;
      }
      relays.add({field(group, "name"), field(relay, "role"), field(relay, "relay"),
                  field(relay, "state"), load,
                  age.is_number() ? duration_text(age.get<double>()) + " ago" : "-",
                  field(relay, "detail", "")});
    }
  }
  out += "\n" + groups.text();
  if (!relays.empty()) out += "\n" + relays.text();

  const json& to = state.value("traffic_ops", json());
  if (to.is_object()) {
    const json& age = to.value("last_success_age_s", json());
    out += "\ntraffic ops " + field(to, "url") + "  " +
           (to.value("polling", false) ? "polling" : "NOT POLLING") + "  last success " +
           (age.is_number() ? duration_text(age.get<double>()) + " ago" : std::string("never")) +
           "  " + field(to, "failures") + " failures  " + field(to, "servers") + " servers, " +
           field(to, "cachegroups") + " cachegroups\n";
  }
  return out;
}

std::string render_decisions(const json& body) {
  Table table({"TIME", "GROUP", "CHANGE", "REASON"});
  for (const json& record : body.value("decisions", json::array())) {
    std::string change = field(record, "from", "(none)");
    const std::string to = field(record, "to");
    if (change == to) {
      change.clear();
    } else {
      change += " -> ";
    }
    change += to;
    table.add({timestamp(record.value("time_unix_ms", std::int64_t{0})), field(record, "group"),
               change, field(record, "reason_text")});
  }
  if (table.empty()) return "no decision changes yet\n";
  return table.text();
}

std::string render_explanation(const json& e) {
  std::string out = field(e, "summary") + "\n\n";
  Table table({"", ""});
  table.add({"query", field(e, "qname") + " AMTRELAY"});
  table.add({"client", field(e, "client", "(none)")});
  table.add({"zone", field(e, "zone")});
  table.add({"source prefix", field(e, "source_prefix")});
  table.add({"relay group", field(e, "source_group")});
  table.add({"client view", field(e, "client_view", "(none)")});
  table.add({"mapping", field(e, "mapping")});
  table.add({"answered by", field(e, "answer_group")});
  table.add({"decision", field(e, "decision") + " (" + field(e, "reason") + ")"});
  table.add({"rcode", field(e, "rcode") + " (" + field(e, "kind") + ")"});
  std::string text = table.text();
  out += text.substr(text.find('\n') + 1);  // no header line
  const json& rrset = e.value("rrset", json::array());
  if (!rrset.empty()) {
    out += "\n";
    for (const json& record : rrset) out += str(record) + "\n";
  }
  return out;
}

std::string render_reload(const json& body) {
  std::string out = body.value("ok", false) ? "reload applied" : "reload REJECTED";
  out += ": " + field(body, "message") + " (snapshot " + field(body, "generation") + ")\n";
  for (const json& error : body.value("errors", json::array())) out += "  " + str(error) + "\n";
  return out;
}

}  // namespace driad::ctl
