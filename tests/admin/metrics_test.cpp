// /metrics as Prometheus reads it: the text of a full Status is parsed back
// by a small exposition parser (below) that checks what a scraper relies on:
// # HELP and # TYPE before each family's samples, families contiguous and
// named once, names driad_*, counters ending in _total, label syntax and
// escapes, no series twice, histogram buckets cumulative with +Inf == _count.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "admin/metrics.hpp"
#include "admin/prometheus.hpp"

namespace driad::admin {
namespace {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct Family {
  std::string type;
  std::string help;
  std::vector<Sample> samples;
};

// Parses `text` into families, failing the test on any format error.
std::map<std::string, Family> parse_exposition(const std::string& text) {
  std::map<std::string, Family> families;
  std::string current;
  std::set<std::string> closed;  // families whose samples have ended
  std::set<std::string> series;
  std::istringstream lines(text);
  std::string line;
  const std::regex name_pattern("[a-zA-Z_:][a-zA-Z0-9_:]*");
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    const std::string where = "line " + std::to_string(number) + ": " + line;
    EXPECT_FALSE(line.empty()) << where;
    if (line.rfind("# HELP ", 0) == 0) {
      std::istringstream parts(line.substr(7));
      std::string name;
      parts >> name;
      EXPECT_TRUE(std::regex_match(name, name_pattern)) << where;
      EXPECT_FALSE(families.count(name)) << "family named twice: " << where;
      if (!current.empty()) closed.insert(current);
      current = name;
      std::getline(parts >> std::ws, families[name].help);
      EXPECT_FALSE(families[name].help.empty()) << where;
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream parts(line.substr(7));
      std::string name;
      std::string type;
      parts >> name >> type;
      EXPECT_EQ(name, current) << "TYPE without its HELP: " << where;
      EXPECT_TRUE(type == "counter" || type == "gauge" || type == "histogram") << where;
      EXPECT_TRUE(families[name].type.empty()) << where;
      families[name].type = type;
      continue;
    }
    EXPECT_NE(line[0], '#') << where;
    // name{label="value",...} value
    Sample sample;
    std::size_t at = 0;
    while (at < line.size() && line[at] != '{' && line[at] != ' ') ++at;
    sample.name = line.substr(0, at);
    EXPECT_TRUE(std::regex_match(sample.name, name_pattern)) << where;
    if (at < line.size() && line[at] == '{') {
      ++at;
      while (at < line.size() && line[at] != '}') {
        const std::size_t eq = line.find('=', at);
        EXPECT_NE(eq, std::string::npos) << where;
        if (eq == std::string::npos) return families;
        const std::string label = line.substr(at, eq - at);
        EXPECT_TRUE(std::regex_match(label, std::regex("[a-zA-Z_][a-zA-Z0-9_]*"))) << where;
        EXPECT_EQ(line[eq + 1], '"') << where;
        std::string value;
        std::size_t i = eq + 2;
        for (; i < line.size() && line[i] != '"'; ++i) {
          if (line[i] == '\\') {
            ++i;
            EXPECT_TRUE(line[i] == '\\' || line[i] == '"' || line[i] == 'n') << where;
            value += line[i] == 'n' ? '\n' : line[i];
          } else {
            value += line[i];
          }
        }
        EXPECT_FALSE(sample.labels.count(label)) << where;
        sample.labels[label] = value;
        at = i + 1;
        if (at < line.size() && line[at] == ',') ++at;
      }
      ++at;  // '}'
    }
    EXPECT_EQ(line[at], ' ') << where;
    const std::string value_text = line.substr(at + 1);
    std::size_t used = 0;
    if (value_text == "+Inf" || value_text == "-Inf" || value_text == "NaN") {
      used = value_text.size();
    } else {
      sample.value = std::stod(value_text, &used);
    }
    EXPECT_EQ(used, value_text.size()) << where;
    // The family: the name itself, or a histogram's _bucket/_sum/_count.
    std::string family = sample.name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string s(suffix);
      if (!families.count(family) && family.size() > s.size() &&
          family.compare(family.size() - s.size(), s.size(), s) == 0) {
        family = family.substr(0, family.size() - s.size());
      }
    }
    EXPECT_EQ(family, current) << "sample outside its family: " << where;
    EXPECT_FALSE(closed.count(family)) << "family not contiguous: " << where;
    std::string key = sample.name;
    for (const auto& [k, v] : sample.labels) key += "|" + k + "=" + v;
    EXPECT_TRUE(series.insert(key).second) << "series twice: " << where;
    families[family].samples.push_back(std::move(sample));
  }
  return families;
}

Status full_status() {
  Status status;
  status.version = "0.1.0";
  status.ready = true;
  status.uptime_s = 12.5;
  status.snapshot = {7, 1795681988000, 0.25, 4096, 2, 5, 3, 2};
  status.zones = {{"100.51.198.in-addr.arpa.", 2024010101}};
  GroupStatus live;
  live.name = "amt-us-east";
  live.type = "live";
  live.answer = {"10 0 1 192.0.2.1", "20 0 1 192.0.2.11"};
  live.ttl = 60;
  live.decision = DecisionStatus{"mx_first", "mx_healthy", "MX healthy", live.answer, 60, {}};
  RelayStatus mx;
  mx.role = "mx";
  mx.relay = "192.0.2.1";
  mx.state = "healthy";
  mx.connected = true;
  mx.last_message_age_s = 0.4;
  mx.load = 0.25;
  mx.tunnels = 1000;
  mx.messages = 42;
  RelayStatus gateway;
  gateway.role = "gateway";
  gateway.relay = "192.0.2.11";
  gateway.state = "redirecting";
  gateway.rtt_ms = 1.5;
  gateway.messages = 9;
  live.relays = {mx, gateway};
  GroupStatus odd;
  odd.name = "odd \"name\"\\with\nnewline";
  odd.type = "static";
  status.groups = {live, odd};
  status.decision_changes = {{"amt-us-east", "mx_first", "mx_healthy", 3}};
  TrafficOpsStatus to;
  to.polling = true;
  to.last_success_age_s = 3.5;
  to.last_success_unix_ms = 1795681988000;
  to.failures = 2;
  status.traffic_ops = to;
  dns::QueryTotals& q = status.queries;
  q.queries[0][0][0] = 100;  // udp AMTRELAY NOERROR
  q.queries[1][2][3] = 4;    // tcp NS NXDOMAIN
  q.answers[0][1] = 100;
  q.answers[1][4] = 4;
  q.latency[0][3] = 60;
  q.latency[0][5] = 40;
  q.latency[0][dns::kLatencyBuckets - 1] = 1;
  q.latency_sum_ns[0] = 2'000'000;
  q.rrl_dropped = 5;
  q.rrl_slipped = 2;
  status.answer_counters = {{"_other", "_other"},
                            {"amt-us-east", "mx_first"},
                            {"amt-us-east", "gateway_only"},
                            {"static-west", "static"}};
  q.relay_set_answers[1] = 90;
  q.relay_set_answers[3] = 10;
  return status;
}

TEST(Exposition, EscapesLabelValuesAndFormatsValues) {
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(format_value(3.0), "3");
  EXPECT_EQ(format_value(0.25), "0.25");
  EXPECT_EQ(format_value(1e-6), "1e-06");
  EXPECT_EQ(format_value(1.0 / 0.0), "+Inf");
  EXPECT_EQ(format_value(0.0 / 0.0), "NaN");
  EXPECT_EQ(format_value(18446744073709551615.0), "18446744073709551616");
}

TEST(Exposition, HistogramBucketsAreCumulative) {
  Exposition out;
  out.family("x_seconds", Exposition::Type::histogram, "help");
  const double bounds[] = {0.1, 1};
  const std::uint64_t counts[] = {2, 3, 4};
  out.histogram("x_seconds", {{"t", "udp"}}, bounds, counts, 9.5);
  EXPECT_EQ(out.text(),
            "# HELP x_seconds help\n# TYPE x_seconds histogram\n"
            "x_seconds_bucket{t=\"udp\",le=\"0.1\"} 2\n"
            "x_seconds_bucket{t=\"udp\",le=\"1\"} 5\n"
            "x_seconds_bucket{t=\"udp\",le=\"+Inf\"} 9\n"
            "x_seconds_sum{t=\"udp\"} 9.5\n"
            "x_seconds_count{t=\"udp\"} 9\n");
}

TEST(Metrics, ParseBackWithEveryRuleHeld) {
  const std::string text = render_metrics(full_status());
  const auto families = parse_exposition(text);
  ASSERT_FALSE(families.empty());
  for (const auto& [name, family] : families) {
    EXPECT_EQ(name.rfind("driad_", 0), 0U) << name;
    EXPECT_FALSE(family.type.empty()) << name;
    const bool total = name.size() > 6 && name.compare(name.size() - 6, 6, "_total") == 0;
    EXPECT_EQ(family.type == "counter", total) << name << " is a " << family.type;
    if (family.type == "counter") {
      for (const Sample& sample : family.samples) EXPECT_GE(sample.value, 0) << name;
    }
  }
  // The families the issue names.
  for (const char* name :
       {"driad_queries_total", "driad_answers_total", "driad_query_duration_seconds",
        "driad_relay_group_decision", "driad_decision_changes_total", "driad_mx_connected",
        "driad_mx_last_message_age_seconds", "driad_mx_stale", "driad_mx_load_ratio",
        "driad_gateway_probe_state", "driad_gateway_probe_rtt_seconds",
        "driad_traffic_ops_last_success_age_seconds", "driad_traffic_ops_failures_total",
        "driad_snapshot_generation", "driad_snapshot_build_seconds",
        "driad_snapshot_built_time_seconds", "driad_snapshot_bytes", "driad_rrl_dropped_total"}) {
    EXPECT_TRUE(families.count(name)) << name << " missing from\n" << text;
  }
}

TEST(Metrics, HistogramIsCumulativeAndInfEqualsCount) {
  const auto families = parse_exposition(render_metrics(full_status()));
  const Family& histogram = families.at("driad_query_duration_seconds");
  EXPECT_EQ(histogram.type, "histogram");
  for (const char* transport : {"udp", "tcp"}) {
    double last = 0;
    double last_bound = -1;
    double inf = -1;
    double count = -2;
    double sum = -1;
    for (const Sample& sample : histogram.samples) {
      if (sample.labels.at("transport") != transport) continue;
      if (sample.name == "driad_query_duration_seconds_bucket") {
        EXPECT_GE(sample.value, last) << transport;
        last = sample.value;
        const std::string& le = sample.labels.at("le");
        if (le == "+Inf") {
          inf = sample.value;
        } else {
          EXPECT_GT(std::stod(le), last_bound);
          last_bound = std::stod(le);
        }
      } else if (sample.name == "driad_query_duration_seconds_count") {
        count = sample.value;
      } else if (sample.name == "driad_query_duration_seconds_sum") {
        sum = sample.value;
      }
    }
    EXPECT_EQ(inf, count) << transport;
    EXPECT_GE(sum, 0) << transport;
  }
  // udp: 60 + 40 + 1 observations, 2 ms in all.
  for (const Sample& sample : histogram.samples) {
    if (sample.name == "driad_query_duration_seconds_count" &&
        sample.labels.at("transport") == "udp") {
      EXPECT_EQ(sample.value, 101);
    }
    if (sample.name == "driad_query_duration_seconds_sum" &&
        sample.labels.at("transport") == "udp") {
      EXPECT_DOUBLE_EQ(sample.value, 0.002);
    }
  }
}

TEST(Metrics, ValuesComeFromTheStatus) {
  const auto families = parse_exposition(render_metrics(full_status()));
  const auto value = [&](const char* family, std::map<std::string, std::string> labels) {
    for (const Sample& sample : families.at(family).samples) {
      if (sample.labels == labels) return sample.value;
    }
    ADD_FAILURE() << family << " has no such series";
    return -1.0;
  };
  EXPECT_EQ(value("driad_queries_total",
                  {{"transport", "udp"}, {"qtype", "AMTRELAY"}, {"rcode", "NOERROR"}}),
            100);
  EXPECT_EQ(
      value("driad_queries_total", {{"transport", "tcp"}, {"qtype", "NS"}, {"rcode", "NXDOMAIN"}}),
      4);
  EXPECT_EQ(value("driad_answers_total", {{"transport", "udp"}, {"kind", "relay_set"}}), 100);
  EXPECT_EQ(
      value("driad_relay_group_decision", {{"group", "amt-us-east"}, {"decision", "mx_first"}}), 1);
  EXPECT_EQ(value("driad_relay_group_decision", {{"group", "amt-us-east"}, {"decision", "spill"}}),
            0);
  EXPECT_EQ(value("driad_decision_changes_total",
                  {{"group", "amt-us-east"}, {"to", "mx_first"}, {"reason", "mx_healthy"}}),
            3);
  EXPECT_EQ(value("driad_mx_load_ratio", {{"group", "amt-us-east"}, {"relay", "192.0.2.1"}}), 0.25);
  EXPECT_EQ(value("driad_gateway_probe_state",
                  {{"group", "amt-us-east"}, {"relay", "192.0.2.11"}, {"state", "redirecting"}}),
            1);
  EXPECT_EQ(
      value("driad_gateway_probe_rtt_seconds", {{"group", "amt-us-east"}, {"relay", "192.0.2.11"}}),
      0.0015);
  EXPECT_EQ(value("driad_traffic_ops_failures_total", {}), 2);
  EXPECT_EQ(value("driad_snapshot_generation", {}), 7);
  EXPECT_EQ(value("driad_rrl_dropped_total", {}), 5);
  EXPECT_EQ(value("driad_rrl_slipped_total", {}), 2);
  EXPECT_EQ(value("driad_relay_group_ttl_seconds", {{"group", "odd \"name\"\\with\nnewline"}}), 0);
  EXPECT_EQ(value("driad_relay_group_answers_total",
                  {{"group", "amt-us-east"}, {"decision", "mx_first"}}),
            90);
  EXPECT_EQ(
      value("driad_relay_group_answers_total", {{"group", "static-west"}, {"decision", "static"}}),
      10);
  // Zero query and group-answer series are left out; the zero answer-kind series are not.
  EXPECT_EQ(families.at("driad_relay_group_answers_total").samples.size(), 2U);
  EXPECT_EQ(families.at("driad_queries_total").samples.size(), 2U);
  EXPECT_EQ(families.at("driad_answers_total").samples.size(),
            dns::kTransports * dns::kAnswerKinds);
}

}  // namespace
}  // namespace driad::admin
