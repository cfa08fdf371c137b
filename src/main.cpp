// driadd's command line: parse flags, load or check the config, run the daemon.
#include <cstdlib>
#include <iostream>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "config/config.hpp"
#include "config/coverage_zone_file.hpp"
#include "health/gnmi_credentials.hpp"
#include "src/daemon.hpp"
#include "src/demo_mx.hpp"
#include "src/feeds.hpp"
#include "src/logging.hpp"
#include "src/privileges.hpp"

namespace {

int print_errors(const driad::config::ConfigErrors& errors) {
  for (const auto& error : errors) std::cerr << error << '\n';
  std::cerr << errors.size() << (errors.size() == 1 ? " error" : " errors") << " in the config\n";
  return 1;
}

constexpr const char* kFooter = R"(Examples:
  driadd --demo                                  (then: driadctl status)
  dig @127.0.0.1 -p 5353 -x 198.51.100.12 -t AMTRELAY
  driadd --check-config /etc/driad/driad.json
  driadd --config /etc/driad/driad.json --user driad --log-format json

Signals:
  SIGHUP           reload the config (also POST /api/v1/reload); a bad one is
                   logged and the old one keeps serving
  SIGTERM, SIGINT  drain: close the listeners, answer what is in flight, let open
                   TCP connections finish for up to --drain-timeout-ms, exit 0;
                   a second signal stops at once

Environment (each NAME may be given as NAME_FILE, a file holding the value):
  DRIAD_ADMIN_TOKEN        bearer token the admin API asks for (all but /healthz,
                           /readyz and /metrics); unset: none is asked for
  GNMI_USERNAME, GNMI_PASSWORD   credentials sent to every MX
  TO_USER, TO_PASSWORD           the Traffic Ops login
  Secrets are never logged.

Privileges: ports below 1024 need root or CAP_NET_BIND_SERVICE. As root, give
--user: every socket is bound first, then driadd becomes that user for good. As
any other user it drops every capability once bound.

Admin API (config "admin": {"listen": "127.0.0.1:8053"}, or --admin):
  /healthz /readyz /metrics /api/v1/state /api/v1/decisions
  /api/v1/explain?source=IP&client=IP   POST /api/v1/reload     (see driadctl)

Files: the config (/etc/driad/driad.json; config.md and the README list every
key), sources_file (one "prefix relay_group" per line), traffic_ops.cache_file,
coverage_zone_file. Exit status: 0 after a clean stop or a valid --check-config,
1 on an error, 2 on a usage error.)";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"driadd: authoritative DNS for RFC 8777 DRIAD (AMTRELAY) reverse zones", "driadd"};
  std::string config_path;
  std::string check_path;
  bool demo = false;
  bool print_config = false;
  std::string log_level = "info";
  std::string log_format = "text";
  std::string user;
  std::string admin_listen;
  std::uint32_t query_log_sample = 0;
  unsigned drain_timeout_ms = 2000;
  std::vector<std::string> listen_override;
  std::string demo_mx_gnmi = "127.0.0.1:32767";
  std::string demo_mx_control = "127.0.0.1:32768";
  app.add_option("-c,--config", config_path, "Serve the JSON config in FILE")->option_text("FILE");
  app.add_option("--check-config", check_path,
                 "Validate FILE, print every error, exit 0 (valid) or 1")
      ->option_text("FILE");
  app.add_flag("--demo", demo, "Serve the built-in demo config on 127.0.0.1:5353 and [::1]:5353");
  app.add_flag("--print-config", print_config, "With --demo: print the demo config and exit");
  app.add_option("--listen", listen_override,
                 "Answer on ADDR:PORT instead of the config's `listen` (repeatable)")
      ->option_text("ADDR:PORT");
  app.add_option("--demo-mx-gnmi", demo_mx_gnmi,
                 "With --demo: where the simulated MX serves gNMI (loopback)")
      ->capture_default_str()
      ->option_text("ADDR:PORT");
  app.add_option("--demo-mx-control", demo_mx_control,
                 "With --demo: the simulated MX's control port (loopback)")
      ->capture_default_str()
      ->option_text("ADDR:PORT");
  app.add_option("--admin", admin_listen,
                 "Serve the admin API on ADDR:PORT instead of the config's `admin.listen`")
      ->option_text("ADDR:PORT");
  app.add_option("--user", user,
                 "As root: bind every socket, then run as USER (and its group, or GROUP)")
      ->option_text("USER[:GROUP]");
  app.add_option("--query-log-sample", query_log_sample,
                 "Log one query in N (info level, field by field); 0: no query log")
      ->capture_default_str()
      ->option_text("N");
  app.add_option("--drain-timeout-ms", drain_timeout_ms,
                 "On SIGTERM, how long open TCP connections may still be answered")
      ->capture_default_str()
      ->option_text("MS");
  app.add_option("--log-level", log_level, "trace, debug, info, warn or error")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_option("--log-format", log_format, "text, or json (one object per line)")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  app.set_version_flag("-V,--version", std::string("driadd ") + DRIAD_VERSION);
  app.footer(kFooter);
  CLI11_PARSE(app, argc, argv);

  driad::app::setup_logging(spdlog::level::from_str(log_level),
                            *driad::app::parse_log_format(log_format));

  if (!check_path.empty()) {
    auto config = driad::config::load_config_file(check_path);
    if (!config) return print_errors(config.error());
    auto errors = driad::app::check_feeds(*config);
    if (!config->coverage_zone_file.empty()) {
      if (auto coverage = driad::config::load_coverage_zone_file(config->coverage_zone_file);
          !coverage) {
        errors.push_back(coverage.error());
      }
    }
    if (!errors.empty()) return print_errors(errors);
    std::cout << check_path << ": valid (" << config->zones.size() << " zones, "
              << config->sources.size() << " sources, " << config->relay_groups.size()
              << " relay groups)\n";
    return 0;
  }
  if (demo && print_config) {
    std::cout << driad::config::demo_config_json();
    return 0;
  }
  if (demo == !config_path.empty()) {
    std::cerr << "driadd: give exactly one of --config FILE, --demo or --check-config FILE (see "
                 "--help)\n";
    return 2;
  }
  std::optional<driad::app::RunAs> run_as;
  if (!user.empty()) {
    auto parsed = driad::app::parse_run_as(user);
    if (!parsed) {
      std::cerr << "driadd: " << parsed.error() << "\n";
      return 2;
    }
    run_as = *parsed;
  }
  if (!admin_listen.empty()) {
    if (auto endpoint = driad::dns::parse_listen_endpoint(admin_listen); !endpoint) {
      std::cerr << "driadd: --admin: " << endpoint.error() << "\n";
      return 2;
    }
  }
  auto admin_token = driad::health::read_env_secret(
      [](const char* name) { return std::getenv(name); }, "DRIAD_ADMIN_TOKEN");
  if (!admin_token) {
    std::cerr << "driadd: " << admin_token.error() << "\n";
    return 2;
  }
  std::vector<driad::dns::ListenEndpoint> listen;
  for (const auto& text : listen_override) {
    auto endpoint = driad::dns::parse_listen_endpoint(text);
    if (!endpoint) {
      std::cerr << "driadd: --listen: " << endpoint.error() << "\n";
      return 2;
    }
    listen.push_back(*endpoint);
  }
  auto config = demo ? driad::config::parse_config(driad::config::demo_config_json(), "<demo>")
                     : driad::config::load_config_file(config_path);
  if (!config) return print_errors(config.error());
  // Command-line overrides hold for every load, reloads included.
  auto adjust = [&](driad::config::Config& loaded) {
    if (!listen.empty()) {
      loaded.listen = listen;
      loaded.listen_text = listen_override;
    }
    if (!admin_listen.empty()) loaded.admin = driad::config::AdminConfig{admin_listen};
    if (demo) {
      for (auto& group : loaded.relay_groups) {
        if (group.mx) group.mx->gnmi_target = demo_mx_gnmi;
      }
    }
  };
  try {
    std::unique_ptr<driad::app::DemoMx> demo_mx;
    if (demo) {
      auto started = driad::app::DemoMx::start(demo_mx_gnmi, demo_mx_control);
      if (!started) {
        spdlog::error("{}", started.error());
        return 1;
      }
      demo_mx = std::move(*started);
      spdlog::info(
          "demo MX: gNMI on {}, control on {} (try, in bash: echo 'oper-status DOWN' > "
          "/dev/tcp/{}/{})",
          demo_mx_gnmi, demo_mx_control, demo_mx_control.substr(0, demo_mx_control.rfind(':')),
          demo_mx_control.substr(demo_mx_control.rfind(':') + 1));
    }
    driad::app::DaemonOptions options;
    options.config_path = demo ? std::string() : config_path;
    options.adjust = adjust;
    options.run_as = run_as;
    options.query_log_sample = query_log_sample;
    options.drain_timeout = std::chrono::milliseconds(drain_timeout_ms);
    options.admin_token = std::move(*admin_token);
    driad::app::Daemon daemon(std::move(*config), std::move(options));
    return daemon.run();
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    return 1;
  }
}
