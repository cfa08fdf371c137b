// to-sim: a Traffic Ops stand-in for driad's Traffic Ops client and
// integration tests. It serves fixture answers over HTTP or HTTPS with
// sessions, If-Modified-Since and scripted failures. See README.md.
#include <csignal>
#include <iostream>
#include <memory>
#include <string>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "tools/to-sim/fixtures.hpp"
#include "tools/to-sim/server.hpp"
#include "tools/to-sim/sim.hpp"

namespace {

namespace asio = boost::asio;

struct Args {
  std::string listen;
  std::string fixtures;
  driad::tosim::Credentials credentials;
  std::string tls_cert, tls_key;
  int hang_limit = 120;
  bool quiet = false;
};

int Run(const Args& args) {
  if (args.tls_cert.empty() != args.tls_key.empty()) {
    std::cerr << "to-sim: --tls-cert and --tls-key go together\n";
    return 2;
  }
  auto listen = driad::tosim::ParseEndpoint(args.listen);
  if (!listen) {
    std::cerr << "to-sim: --listen: " << listen.error() << "\n";
    return 2;
  }
  auto fixtures = driad::tosim::LoadFixtures(args.fixtures);
  if (!fixtures) {
    std::cerr << "to-sim: --fixtures: " << fixtures.error() << "\n";
    return 2;
  }
  std::shared_ptr<asio::ssl::context> tls;
  if (!args.tls_cert.empty()) {
    auto context = driad::tosim::MakeTlsContext(args.tls_cert, args.tls_key);
    if (!context) {
      std::cerr << "to-sim: " << context.error() << "\n";
      return 2;
    }
    tls = std::move(*context);
  }

  // Declared before the io_context: connections still queued there refer to
  // the Sim until the io_context is destroyed.
  driad::tosim::Sim sim(std::move(*fixtures), args.credentials, driad::tosim::Clock::now());
  asio::io_context io;
  driad::tosim::ServerOptions options;
  options.hang_limit = std::chrono::seconds(args.hang_limit);
  driad::tosim::Server server(io, sim, tls, options);
  if (auto listening = server.Listen(*listen); !listening) {
    std::cerr << "to-sim: " << listening.error() << "\n";
    return 1;
  }
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code error, int received) {
    if (error) return;
    spdlog::info("signal {}: shutting down", received);
    server.Close();
    io.stop();
  });

  // This line is an interface: tests read the port chosen for port 0.
  std::cout << "to-sim listening on " << driad::tosim::ToString(server.local()) << std::endl;
  spdlog::info("serving {} over {} as user {}", args.fixtures, tls ? "HTTPS" : "HTTP",
               args.credentials.user);
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  Args args;
  CLI::App app{
      "to-sim: a Traffic Ops simulator (HTTP or HTTPS) serving fixture answers, with\n"
      "sessions, If-Modified-Since and failure modes switched over /_sim/ (see README.md)"};
  app.add_option("--listen", args.listen, "address ADDR:PORT (port 0: any free port)")->required();
  app.add_option("--fixtures", args.fixtures,
                 "folder with servers.json, servers-v5.json, cachegroups.json, ... "
                 "(as tests/fixtures/trafficops)")
      ->required();
  app.add_option("--user", args.credentials.user, "login user name")->capture_default_str();
  app.add_option("--password", args.credentials.password, "login password")->capture_default_str();
  app.add_option("--tls-cert", args.tls_cert, "server certificate chain (PEM); serves HTTPS");
  app.add_option("--tls-key", args.tls_key, "server private key (PEM)");
  app.add_option("--hang-limit", args.hang_limit,
                 "seconds after which a connection held in mode hang is closed")
      ->capture_default_str()
      ->check(CLI::Range(1, 120));
  app.add_flag("--quiet", args.quiet, "log warnings only");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_default_logger(spdlog::stderr_color_mt("to-sim"));
  spdlog::set_level(args.quiet ? spdlog::level::warn : spdlog::level::info);
  try {
    return Run(args);
  } catch (const std::exception& error) {
    std::cerr << "to-sim: " << error.what() << "\n";
    return 1;
  }
}
