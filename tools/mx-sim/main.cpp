// mx-sim: a gNMI target that plays a Juniper MX acting as AMT relay, for
// driad's tests and demo. It only ever listens; its state is changed over a
// text control port. See README.md for the paths served and the commands.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/server_credentials.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <tl/expected.hpp>

#include "tools/mx-sim/control_server.hpp"
#include "tools/mx-sim/hub.hpp"
#include "tools/mx-sim/model.hpp"
#include "tools/mx-sim/service.hpp"

namespace {

using driad::mxsim::HostPort;

struct Args {
  std::string listen;
  std::string tls_cert, tls_key, client_ca;
  std::string username, password;
  std::string control;
  uint32_t tunnels = 0;
  bool quiet = false;
  driad::mxsim::SimOptions sim;
};

tl::expected<std::string, std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::unexpected("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Join(const HostPort& where) {
  const bool v6 = where.host.find(':') != std::string::npos;
  return (v6 ? "[" + where.host + "]" : where.host) + ":" + std::to_string(where.port);
}

tl::expected<std::shared_ptr<grpc::ServerCredentials>, std::string> MakeCredentials(
    const Args& args) {
  if (args.tls_cert.empty()) return grpc::InsecureServerCredentials();
  auto cert = ReadFile(args.tls_cert);
  if (!cert) return tl::unexpected(cert.error());
  auto key = ReadFile(args.tls_key);
  if (!key) return tl::unexpected(key.error());
  grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_key_cert_pairs.push_back({*key, *cert});
  if (!args.client_ca.empty()) {
    auto ca = ReadFile(args.client_ca);
    if (!ca) return tl::unexpected(ca.error());
    options.pem_root_certs = *ca;
    // mTLS as JSD does it: no certificate, or one not from the CA, no call.
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

tl::expected<void, std::string> Validate(const Args& args) {
  if (args.tls_cert.empty() != args.tls_key.empty()) {
    return tl::unexpected(std::string("--tls-cert and --tls-key go together"));
  }
  if (!args.client_ca.empty() && args.tls_cert.empty()) {
    return tl::unexpected(std::string("--client-ca needs --tls-cert and --tls-key"));
  }
  if (args.username.empty() != args.password.empty()) {
    return tl::unexpected(std::string("--username and --password go together"));
  }
  auto where = driad::mxsim::SplitHostPort(args.listen);
  if (!where) return tl::unexpected("--listen: " + where.error());
  return {};
}

int Run(const Args& args, const sigset_t& signals) {
  if (auto ok = Validate(args); !ok) {
    std::cerr << "mx-sim: " << ok.error() << "\n";
    return 2;
  }
  auto credentials = MakeCredentials(args);
  if (!credentials) {
    std::cerr << "mx-sim: " << credentials.error() << "\n";
    return 2;
  }

  driad::mxsim::MxState initial;
  initial.tunnels = args.tunnels;
  driad::mxsim::Hub hub(args.sim, initial);
  std::optional<driad::mxsim::Credentials> login;
  if (!args.username.empty()) login = driad::mxsim::Credentials{args.username, args.password};
  driad::mxsim::GnmiService service(hub, login);

  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(args.listen, *credentials, &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::cerr << "mx-sim: cannot listen on " << args.listen << "\n";
    hub.Stop();
    return 1;
  }
  HostPort gnmi_at = driad::mxsim::SplitHostPort(args.listen).value();
  gnmi_at.port = static_cast<uint16_t>(port);

  std::unique_ptr<driad::mxsim::ControlServer> control;
  if (!args.control.empty()) {
    auto started = driad::mxsim::ControlServer::Start(args.control, hub);
    if (!started) {
      std::cerr << "mx-sim: --control: " << started.error() << "\n";
      server->Shutdown(std::chrono::system_clock::now());
      hub.Stop();
      return 1;
    }
    control = std::move(*started);
  }

  // These lines are an interface: tests read the ports chosen for port 0.
  std::cout << "mx-sim: gnmi listening on " << Join(gnmi_at)
            << (args.tls_cert.empty()    ? " (plaintext)"
                : args.client_ca.empty() ? " (TLS)"
                                         : " (mTLS)")
            << "\n";
  if (control) {
    HostPort control_at = driad::mxsim::SplitHostPort(args.control).value();
    control_at.port = control->port();
    std::cout << "mx-sim: control listening on " << Join(control_at) << "\n";
  }
  std::cout << "mx-sim: ready" << std::endl;

  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("signal {}: shutting down", received);
  if (control) control->Stop();
  hub.CloseAll(grpc::Status(grpc::StatusCode::UNAVAILABLE, "mx-sim shutting down"));
  // Ended calls whose clients have not yet released them keep Shutdown waiting
  // until the deadline; one second bounds that.
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  server.reset();
  hub.Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // SIGINT/SIGTERM are taken by sigwait in Run(); block them before anything
  // (gRPC included) can start a thread, so every thread inherits the mask
  // and none is killed by the default action.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Args args;
  CLI::App app{"mx-sim: a gNMI target that plays a Juniper MX AMT relay (listens only)"};
  app.add_option("--listen", args.listen, "gNMI address ADDR:PORT (port 0: any free port)")
      ->required();
  app.add_option("--tls-cert", args.tls_cert, "server certificate (PEM); enables TLS");
  app.add_option("--tls-key", args.tls_key, "server private key (PEM)");
  app.add_option("--client-ca", args.client_ca, "CA (PEM) that client certificates must chain to");
  app.add_option("--username", args.username, "require this `username` metadata");
  app.add_option("--password", args.password, "require this `password` metadata");
  app.add_option("--control", args.control, "control port ADDR:PORT (port 0: any free port)");
  app.add_option("--interface", args.sim.interface, "relay interface")->capture_default_str();
  app.add_option("--anycast", args.sim.anycast, "anycast relay address on the relay interface")
      ->capture_default_str();
  app.add_option("--ud-device", args.sim.ud_device, "AMT tunnel device")->capture_default_str();
  app.add_option("--routing-engine", args.sim.routing_engine, "routing engine component name")
      ->capture_default_str();
  app.add_option("--tunnels", args.tunnels, "initial tunnel count")
      ->check(CLI::Range(uint32_t{0}, static_cast<uint32_t>(driad::mxsim::kMaxTunnels)));
  app.add_flag("--juniper-header", args.sim.juniper_header,
               "add registered_ext {id: 1} to responses, as JunOS does");
  app.add_flag("--legacy-leaves", args.sim.legacy_leaves,
               "add old JunOS __timestamp__-style leaves to notifications");
  app.add_flag("--quiet", args.quiet, "log warnings only");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_default_logger(spdlog::stderr_color_mt("mx-sim"));
  spdlog::set_level(args.quiet ? spdlog::level::warn : spdlog::level::info);
  return Run(args, signals);
}
