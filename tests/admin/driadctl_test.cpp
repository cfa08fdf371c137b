// driadctl's pure parts: the table layout, durations, URL encoding, the
// rendering of /api/v1/state as JSON from admin/json_views (so the two stay in
// step), and the verify result table and JSON.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "admin/json_views.hpp"
#include "tools/driadctl/admin_client.hpp"
#include "tools/driadctl/render.hpp"
#include "tools/driadctl/verify.hpp"

namespace driad::ctl {
namespace {

using nlohmann::json;

TEST(Table, AlignsColumnsWithoutTrailingBlanks) {
  Table table({"A", "LONGER", "C"});
  table.add({"xyz", "1", ""});
  table.add({"q", "22", "last"});
  EXPECT_EQ(table.text(),
            "A    LONGER  C\n"
            "xyz  1\n"
            "q    22      last\n");
}

TEST(Durations, ReadLikeAnOperatorWould) {
  EXPECT_EQ(duration_text(4.23), "4.2s");
  EXPECT_EQ(duration_text(37), "37s");
  EXPECT_EQ(duration_text(725), "12m05s");
  EXPECT_EQ(duration_text(12000), "3h20m");
  EXPECT_EQ(duration_text(9 * 86400), "9d");
  EXPECT_EQ(duration_text(-1), "0.0s");
}

TEST(UrlEncode, EscapesWhatAQueryStringNeeds) {
  EXPECT_EQ(url_encode("2001:db8::1"), "2001:db8::1");
  EXPECT_EQ(url_encode("a b&c=d/%"), "a%20b%26c%3Dd%2F%25");
}

admin::Status status() {
  admin::Status status;
  status.version = "0.1.0";
  status.ready = true;
  status.uptime_s = 725;
  status.config_file = "/etc/driad/driad.json";
  status.listen = {"127.0.0.1:53"};
  status.admin_listen = "127.0.0.1:8053";
  status.snapshot.generation = 12;
  status.zones = {{"100.51.198.in-addr.arpa.", 2024010105}};
  admin::GroupStatus east;
  east.name = "amt-us-east";
  east.type = "live";
  east.origin = "traffic_ops";
  east.answer = {"20 0 1 192.0.2.11"};
  east.ttl = 5;
  east.decision = admin::DecisionStatus{
      "gateway_only", "mx_unhealthy", "MX unhealthy", east.answer, 5, 1795681988000};
  admin::RelayStatus mx;
  mx.role = "mx";
  mx.relay = "192.0.2.1";
  mx.state = "unhealthy";
  mx.detail = "lo0 oper-status DOWN";
  mx.load = 0.5;
  mx.last_message_age_s = 1.25;
  east.relays = {mx};
  admin::GroupStatus pending;
  pending.name = "amt-us-central";
  pending.type = "pending";
  pending.available = false;
  status.groups = {east, pending};
  admin::TrafficOpsStatus to;
  to.url = "https://to.example.net";
  to.polling = true;
  to.failures = 3;
  status.traffic_ops = to;
  return status;
}

TEST(RenderStatus, ShowsGroupsRelaysAndFeeds) {
  const std::string text = render_status(json::parse(admin::state_json(status())));
  EXPECT_NE(text.find("driad 0.1.0  up 12m05s  ready  config /etc/driad/driad.json"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("snapshot 12"), std::string::npos) << text;
  EXPECT_NE(text.find("100.51.198.in-addr.arpa.  2024010105"), std::string::npos) << text;
  EXPECT_NE(text.find("amt-us-east     live     traffic_ops  gateway_only  5    20 0 1 192.0.2.11  "
                      "MX unhealthy"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("not known yet: SERVFAIL"), std::string::npos) << text;
  EXPECT_NE(
      text.find("amt-us-east  mx    192.0.2.1  unhealthy  0.50  1.2s ago  lo0 oper-status DOWN"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("traffic ops https://to.example.net  polling  last success never  3 failures"),
      std::string::npos)
      << text;
}

TEST(RenderStatus, SaysWhyNotReady) {
  admin::Status not_ready = status();
  not_ready.ready = false;
  not_ready.not_ready = "draining: the listeners are closed";
  const std::string text = render_status(json::parse(admin::state_json(not_ready)));
  EXPECT_NE(text.find("NOT READY: draining: the listeners are closed"), std::string::npos) << text;
}

TEST(RenderDecisions, OldToNewWithReasons) {
  const std::string text = render_decisions(json::parse(admin::decisions_json(
      {{1795681988123, "east", "", "gateway_only", "mx_unknown", "MX not yet proven healthy", ""},
       {1795681993000, "east", "gateway_only", "mx_first", "mx_healthy", "MX healthy", ""}})));
  EXPECT_NE(
      text.find(
          "2026-11-26T08:33:08.123Z  east   (none) -> gateway_only    MX not yet proven healthy"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("gateway_only -> mx_first  MX healthy"), std::string::npos) << text;
  EXPECT_EQ(render_decisions(json::parse(admin::decisions_json({}))), "no decision changes yet\n");
}

TEST(RenderExplanation, SummaryTableAndRecords) {
  admin::Explanation e;
  e.source = "198.51.100.12";
  e.qname = "12.100.51.198.in-addr.arpa.";
  e.summary = "198.51.100.12 is under 198.51.100.0/24.";
  e.source_prefix = "198.51.100.0/24";
  e.rcode = "NOERROR";
  e.kind = "relay_set";
  e.decision = "mx_first";
  e.reason = "MX healthy";
  e.rrset = {"12.100.51.198.in-addr.arpa. 60 IN AMTRELAY 10 0 1 192.0.2.1"};
  const std::string text = render_explanation(json::parse(admin::explanation_json(e)));
  EXPECT_EQ(text.rfind("198.51.100.12 is under 198.51.100.0/24.\n\n", 0), 0U) << text;
  EXPECT_NE(text.find("source prefix  198.51.100.0/24\n"), std::string::npos) << text;
  EXPECT_NE(text.find("client view    (none)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("decision       mx_first (MX healthy)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n12.100.51.198.in-addr.arpa. 60 IN AMTRELAY 10 0 1 192.0.2.1\n"),
            std::string::npos)
      << text;
}

TEST(RenderReload, SaysAppliedOrRejectedWithErrors) {
  admin::ReloadResult rejected;
  rejected.message = "rejected: still serving the previous config";
  rejected.errors = {"f.json: /zones/0/origin: bad"};
  rejected.generation = 4;
  EXPECT_EQ(render_reload(json::parse(admin::reload_json(rejected))),
            "reload REJECTED: rejected: still serving the previous config (snapshot 4)\n"
            "  f.json: /zones/0/origin: bad\n");
}

TEST(VerifyOutput, FailuresAreCountedAndSkipsAreNot) {
  const std::vector<Check> checks = {
      {"dns udp", "127.0.0.1:53", CheckResult::pass, "ok"},
      {"amt discovery", "192.0.2.11:2268 (east)", CheckResult::skip, "not probed (probe: false)"},
      {"gnmi", "127.0.0.1:32767 (east)", CheckResult::fail, "Capabilities: UNAVAILABLE"}};
  EXPECT_FALSE(all_passed(checks));
  EXPECT_TRUE(all_passed({checks[0], checks[1]}));
  const std::string text = render_checks(checks);
  EXPECT_NE(text.find("gnmi           127.0.0.1:32767 (east)  FAIL    Capabilities: UNAVAILABLE"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("1 of 3 checks failed"), std::string::npos) << text;
  const json body = checks_json(checks);
  EXPECT_FALSE(body["ok"]);
  EXPECT_EQ(body["checks"][2]["result"], "fail");
  EXPECT_EQ(body["checks"][1]["result"], "skip");
}

}  // namespace
}  // namespace driad::ctl
