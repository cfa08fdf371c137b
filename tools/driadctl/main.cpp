// driadctl: the operator's command line for a running driadd, over its admin
// API (status, decisions, explain, reload) plus the node check (verify).
#include <cstdlib>
#include <iostream>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "dns/server.hpp"
#include "health/gnmi_credentials.hpp"
#include "tools/driadctl/admin_client.hpp"
#include "tools/driadctl/render.hpp"
#include "tools/driadctl/verify.hpp"

namespace {

using driad::ctl::AdminClient;
using nlohmann::json;

constexpr const char* kFooter = R"(Environment:
  DRIAD_ADMIN            the admin API's ADDR:PORT when --admin is not given
  DRIAD_ADMIN_TOKEN      the bearer token driadd asks for (or DRIAD_ADMIN_TOKEN_FILE)
  GNMI_USERNAME, GNMI_PASSWORD, TO_USER, TO_PASSWORD   for verify's gNMI and
                         Traffic Ops checks (each also as NAME_FILE)

Exit status: 0 on success; 1 when driadd cannot be reached or refuses, a reload
is rejected, or a verify check fails; 2 on a usage error.)";

const char* env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

// Prints an API answer: the JSON as is, or rendered. 0, or 1 for an error.
int show(const tl::expected<driad::ctl::HttpReply, std::string>& reply, bool as_json,
         std::string (*render)(const json&), unsigned also_ok = 0) {
  if (!reply) {
    std::cerr << "driadctl: " << reply.error() << "\n";
    return 1;
  }
  const json body = json::parse(reply->body, nullptr, false);
  const bool ok = reply->status == 200 || (also_ok != 0 && reply->status == also_ok);
  if (!ok || body.is_discarded()) {
    std::cerr << "driadctl: HTTP " << reply->status << ": "
              << (body.is_object() && body.contains("error") ? body["error"].get<std::string>()
                                                             : reply->body);
    if (reply->status == 401) std::cerr << " (set DRIAD_ADMIN_TOKEN)";
    std::cerr << "\n";
    return 1;
  }
  std::cout << (as_json ? body.dump(2) + "\n" : render(body));
  return reply->status == 200 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"driadctl: look at and check a running driadd through its admin API", "driadctl"};
  std::string admin = env_or("DRIAD_ADMIN", "127.0.0.1:8053");
  bool as_json = false;
  unsigned timeout_ms = 3000;
  app.add_option("--admin", admin, "The admin API (default: $DRIAD_ADMIN or 127.0.0.1:8053)")
      ->option_text("ADDR:PORT");
  app.add_option("--timeout-ms", timeout_ms, "Deadline of each request and check")
      ->capture_default_str()
      ->option_text("MS");
  app.add_flag("--json", as_json, "Print the API's JSON instead of a table");
  app.require_subcommand(1);
  app.set_version_flag("-V,--version", std::string("driadctl ") + DRIAD_VERSION);
  app.footer(kFooter);

  auto* status = app.add_subcommand("status", "Zones, relay groups, decisions and relay health");
  auto* decisions = app.add_subcommand("decisions", "The last changes of decision, oldest first");
  unsigned limit = 50;
  decisions->add_option("--limit", limit, "How many (at most 256)")->capture_default_str();
  auto* explain = app.add_subcommand(
      "explain", "What driad answers for SOURCE's AMTRELAY query, for a client, and why");
  std::string source;
  std::string client;
  explain->add_option("SOURCE", source, "The multicast source address")->required();
  explain
      ->add_option("--client", client,
                   "The resolver (or EDNS client subnet) address; default: none")
      ->option_text("IP");
  auto* reload = app.add_subcommand("reload", "Reload the config as SIGHUP does; 1 if rejected");
  auto* verify = app.add_subcommand(
      "verify",
      "Check the node: DNS on every listener (UDP and TCP), each probed gateway (RFC 7450),\n"
      "each MX (TLS + gNMI Capabilities), Traffic Ops login; 1 on any failure");
  for (auto* command : {status, decisions, explain, reload, verify}) {
    command->add_flag("--json", as_json, "Print JSON instead of a table");
    command->fallthrough();  // --admin and --timeout-ms may follow the command too
  }
  CLI11_PARSE(app, argc, argv);
  // The health/ clients log through spdlog; driadctl speaks for itself.
  spdlog::set_level(spdlog::level::off);

  auto endpoint = driad::dns::parse_listen_endpoint(admin);
  if (!endpoint) {
    std::cerr << "driadctl: --admin: " << endpoint.error() << "\n";
    return 2;
  }
  const auto env = [](const char* name) -> const char* { return std::getenv(name); };
  auto token = driad::health::read_env_secret(env, "DRIAD_ADMIN_TOKEN");
  if (!token) {
    std::cerr << "driadctl: " << token.error() << "\n";
    return 2;
  }
  const AdminClient client_api(boost::asio::ip::tcp::endpoint(endpoint->address, endpoint->port),
                               *token, std::chrono::milliseconds(timeout_ms));

  if (*status) return show(client_api.get("/api/v1/state"), as_json, driad::ctl::render_status);
  if (*decisions) {
    return show(client_api.get("/api/v1/decisions?limit=" + std::to_string(limit)), as_json,
                driad::ctl::render_decisions);
  }
  if (*explain) {
    std::string target = "/api/v1/explain?source=" + driad::ctl::url_encode(source);
    if (!client.empty()) target += "&client=" + driad::ctl::url_encode(client);
    return show(client_api.get(target), as_json, driad::ctl::render_explanation);
  }
  if (*reload)
    return show(client_api.post("/api/v1/reload"), as_json, driad::ctl::render_reload, 422);
  driad::ctl::VerifyOptions options;
  options.timeout = std::chrono::milliseconds(timeout_ms);
  options.env = env;
  const auto checks = driad::ctl::verify(client_api, options);
  std::cout << (as_json ? driad::ctl::checks_json(checks).dump(2) + "\n"
                        : driad::ctl::render_checks(checks));
  return driad::ctl::all_passed(checks) ? 0 : 1;
}
