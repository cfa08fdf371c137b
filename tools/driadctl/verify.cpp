// Implements driadctl verify (verify.hpp): what to check comes from
// /api/v1/state; each check is a real exchange with its own deadline.
#include "tools/driadctl/verify.hpp"

#include "admin/response_text.hpp"
#include "dns/message.hpp"
#include "dns/reverse_name.hpp"
#include "dns/server.hpp"
#include "health/traffic_ops_credentials.hpp"
#include "tools/driadctl/probes.hpp"
#include "tools/driadctl/render.hpp"
#include "zones/prefix.hpp"

namespace driad::ctl {
namespace {

using nlohmann::json;

std::string text_of(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The relay group whose answer the DNS check asks for: the first live one with
// a source (its answer moves with health), else the first with a source.
std::optional<json> sample_group(const json& state) {
  std::optional<json> any;
  for (const json& group : state.value("relay_groups", json::array())) {
    if (text_of(group, "sample_source").empty() || text_of(group, "type") == "pending") continue;
    if (text_of(group, "type") == "live") return group;
    if (!any) any = group;
  }
  return any;
}

// The address of a listener to dial: a wildcard means this host's loopback.
boost::asio::ip::address dial_address(const boost::asio::ip::address& listen) {
  if (!listen.is_unspecified()) return listen;
  return listen.is_v4() ? boost::asio::ip::address(boost::asio::ip::address_v4::loopback())
                        : boost::asio::ip::address(boost::asio::ip::address_v6::loopback());
}

Check dns_check(const AdminClient& admin, const VerifyOptions& options, const std::string& listen,
                bool tcp, const std::string& source) {
  Check check{tcp ? "dns tcp" : "dns udp", listen, CheckResult::fail, ""};
  auto endpoint = dns::parse_listen_endpoint(listen);
  if (!endpoint) {
    check.detail = endpoint.error();
    return check;
  }
  auto address = zones::parse_address(source);
  if (!address) {
    check.detail = "sample source: " + address.error();
    return check;
  }
  const dns::WireName qname = dns::reverse_name(*address);
  const auto query = admin::make_query(qname, dns::rr_type::amtrelay, 0xd71a);
  // The answer may move between explain and the query (a decision changes):
  // one more try before calling a mismatch a failure.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto reply =
        dns_exchange(dial_address(endpoint->address), endpoint->port, tcp, query, options.timeout);
    if (!reply) {
      check.detail = reply.error();
      return check;
    }
    auto response = admin::parse_response(reply->message);
    if (!response) {
      check.detail = "unreadable answer: " + response.error();
      return check;
    }
    if (response->id != 0xd71a || response->rcode != dns::rcode::noerror ||
        !response->authoritative || response->truncated || response->answer.empty()) {
      check.detail = admin::rcode_name(response->rcode) +
                     (response->authoritative ? "" : ", not AA") +
                     (response->truncated ? ", TC" : "") + ", " +
                     std::to_string(response->answer.size()) + " answers for " + source;
      return check;
    }
    std::vector<std::string> got;
    for (const auto& record : response->answer) {
      if (record.type != dns::rr_type::amtrelay) {
        check.detail = "a " + admin::type_name(record.type) + " record in the answer";
        return check;
      }
      got.push_back(record.text());
    }
    // What driad says this client should get, from the same query path.
    auto explained = admin.get("/api/v1/explain?source=" + url_encode(source) +
                               "&client=" + url_encode(reply->local.to_string()));
    if (!explained || explained->status != 200) {
      check.detail = "explain: " + (explained ? explained->body : explained.error());
      return check;
    }
    const json expected = json::parse(explained->body, nullptr, false);
    std::vector<std::string> want;
    for (const json& record : expected.value("rrset", json::array())) {
      want.push_back(record.get<std::string>());
    }
    std::string seen = source + " AMTRELAY: ";
    for (std::size_t i = 0; i < response->answer.size(); ++i) {
      if (i != 0) seen += ", ";
      seen += response->answer[i].rdata;
    }
    if (got == want) {
      check.result = CheckResult::pass;
      check.detail = seen.append(" (as explain says)");
      return check;
    }
    check.detail = seen.append(", but explain says ")
                       .append(std::to_string(want.size()))
                       .append(" other records");
  }
  return check;
}

health::MxFeedConfig mx_config(const std::string& group, const json& relay,
                               const health::GnmiCredentials& credentials) {
  health::MxFeedConfig config;
  config.name = group;
  config.target = text_of(relay, "gnmi_target");
  config.relay_ip = text_of(relay, "relay");
  config.credentials = credentials;
  const json& tls = relay.value("tls", json());
  if (tls.is_object()) {
    config.tls = health::MxTlsConfig{text_of(tls, "ca"), text_of(tls, "cert"), text_of(tls, "key"),
                                     text_of(tls, "server_name")};
  }
  return config;
}

Check gateway_check(const std::string& group, const json& relay, const VerifyOptions& options) {
  const std::string address = text_of(relay, "relay");
  const std::uint16_t port = relay.value("probe_port", std::uint16_t{2268});
  Check check{"amt discovery", address + ":" + std::to_string(port) + " (" + group + ")",
              CheckResult::fail, ""};
  if (!relay.value("watched", false)) {
    // An unprobed gateway may be an address that must not be dialled (the
    // demo's documentation address): skipped, as driadd skips it.
    check.result = CheckResult::skip;
    check.detail = "not probed (probe: false)";
    return check;
  }
  boost::system::error_code bad;
  const auto relay_address = boost::asio::ip::make_address(address, bad);
  if (bad) {
    check.detail = "not an address: " + address;
    return check;
  }
  if (auto answered = amt_discovery(relay_address, port, options.timeout); answered) {
    check.result = CheckResult::pass;
    check.detail = *answered;
  } else {
    check.detail = answered.error();
  }
  return check;
}

}  // namespace

std::vector<Check> verify(const AdminClient& admin, const VerifyOptions& options) {
  std::vector<Check> checks;
  auto state_reply = admin.get("/api/v1/state");
  if (!state_reply || state_reply->status != 200) {
    checks.push_back({"admin api", admin.where(), CheckResult::fail,
                      state_reply
                          ? "HTTP " + std::to_string(state_reply->status) + ": " + state_reply->body
                          : state_reply.error()});
    return checks;
  }
  const json state = json::parse(state_reply->body, nullptr, false);
  if (state.is_discarded()) {
    checks.push_back({"admin api", admin.where(), CheckResult::fail, "state is not JSON"});
    return checks;
  }
  const bool ready = state.value("ready", false);
  checks.push_back({"ready", admin.where(), ready ? CheckResult::pass : CheckResult::fail,
                    ready ? "snapshot " + std::to_string(state["snapshot"].value("generation", 0)) +
                                " serving, listeners bound"
                          : text_of(state, "not_ready")});

  const auto group = sample_group(state);
  for (const json& listen : state.value("listen", json::array())) {
    for (const bool tcp : {false, true}) {
      if (!group) {
        checks.push_back({tcp ? "dns tcp" : "dns udp", listen.get<std::string>(), CheckResult::fail,
                          "no relay group has a source to ask for"});
        continue;
      }
      const std::string prefix = text_of(*group, "sample_source");
      checks.push_back(dns_check(admin, options, listen.get<std::string>(), tcp,
                                 prefix.substr(0, prefix.find('/'))));
    }
  }

  auto credentials = health::read_gnmi_credentials(options.env);
  for (const json& live : state.value("relay_groups", json::array())) {
    const std::string name = text_of(live, "name");
    for (const json& relay : live.value("relays", json::array())) {
      if (text_of(relay, "role") == "mx") {
        Check check{"gnmi", text_of(relay, "gnmi_target") + " (" + name + ")", CheckResult::fail,
                    ""};
        if (!credentials) {
          check.detail = credentials.error();
        } else if (auto done =
                       gnmi_capabilities(mx_config(name, relay, *credentials), options.timeout);
                   done) {
          check.result = CheckResult::pass;
          check.detail = *done;
        } else {
          check.detail = done.error();
        }
        checks.push_back(std::move(check));
        continue;
      }
      checks.push_back(gateway_check(name, relay, options));
    }
  }

  const json& to = state.value("traffic_ops", json());
  if (to.is_object()) {
    Check check{"traffic ops", text_of(to, "url"), CheckResult::fail, ""};
    auto login = health::read_traffic_ops_credentials(options.env);
    if (!login) {
      check.detail = login.error();
    } else {
      health::TrafficOpsSettings settings;
      settings.url = text_of(to, "url");
      settings.api_version = text_of(to, "api_version");
      settings.cdn = text_of(to, "cdn");
      settings.ca_file = text_of(to, "ca_file");
      settings.insecure = to.value("insecure", false);
      settings.timeout = options.timeout;
      settings.user = login->user;
      settings.password = login->password;
      if (auto done = traffic_ops_login(std::move(settings)); done) {
        check.result = CheckResult::pass;
        check.detail = *done;
      } else {
        check.detail = done.error();
      }
    }
    checks.push_back(std::move(check));
  }
  return checks;
}

bool all_passed(const std::vector<Check>& checks) {
  for (const Check& check : checks) {
    if (check.result == CheckResult::fail) return false;
  }
  return true;
}

std::string_view to_string(CheckResult result) {
  switch (result) {
    case CheckResult::pass:
      return "pass";
    case CheckResult::fail:
      return "FAIL";
    case CheckResult::skip:
      return "skip";
  }
  return "?";
}

std::string render_checks(const std::vector<Check>& checks) {
  Table table({"CHECK", "TARGET", "RESULT", "DETAIL"});
  std::size_t failed = 0;
  for (const Check& check : checks) {
    table.add({check.check, check.target, std::string(to_string(check.result)), check.detail});
    if (check.result == CheckResult::fail) ++failed;
  }
  return table.text() + (failed == 0 ? "all checks passed\n"
                                     : std::to_string(failed) + " of " +
                                           std::to_string(checks.size()) + " checks failed\n");
}

nlohmann::json checks_json(const std::vector<Check>& checks) {
  json list = json::array();
  for (const Check& check : checks) {
    std::string result(to_string(check.result));
    for (char& c : result) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    list.push_back({{"check", check.check},
                    {"target", check.target},
                    {"result", result},
                    {"detail", check.detail}});
  }
  return {{"ok", all_passed(checks)}, {"checks", std::move(list)}};
}

}  // namespace driad::ctl
