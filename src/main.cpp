// driadd's command line: parse flags, load or check the config, run the daemon.
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "config/config.hpp"
#include "config/coverage_zone_file.hpp"
#include "src/daemon.hpp"
#include "src/demo_mx.hpp"
#include "src/feeds.hpp"

namespace {

int print_errors(const driad::config::ConfigErrors& errors) {
  for (const auto& error : errors) std::cerr << error << '\n';
  std::cerr << errors.size() << (errors.size() == 1 ? " error" : " errors") << " in the config\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"driadd: authoritative DNS for RFC 8777 DRIAD (AMTRELAY) reverse zones", "driadd"};
  std::string config_path;
  std::string check_path;
  bool demo = false;
  bool print_config = false;
  std::string log_level = "info";
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
  app.add_option("--log-level", log_level, "trace, debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.set_version_flag("-V,--version", std::string("driadd ") + DRIAD_VERSION);
  app.footer(
      "Examples:\n"
      "  driadd --demo\n"
      "  dig @127.0.0.1 -p 5353 -x 198.51.100.12 -t AMTRELAY\n"
      "  driadd --check-config /etc/driad/driad.json\n"
      "  driadd --config /etc/driad/driad.json   (SIGHUP reloads it)");
  CLI11_PARSE(app, argc, argv);

  spdlog::set_default_logger(spdlog::stderr_color_mt("driadd"));
  spdlog::set_level(spdlog::level::from_str(log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");

  if (!check_path.empty()) {
    auto config = driad::config::load_config_file(check_path);
    if (!config) return print_errors(config.error());
    auto errors = driad::app::check_feed_paths(*config);
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
    driad::app::Daemon daemon(std::move(*config), demo ? std::string() : config_path, adjust);
    return daemon.run();
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    return 1;
  }
}
