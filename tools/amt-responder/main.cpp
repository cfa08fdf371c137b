// amt-responder: a UDP stand-in for an RFC 7450 AMT relay, for driad's tests
// and demo. It answers Relay Discoveries with Relay Advertisements in the mode
// chosen on the command line or over its text control port; it only listens.
#include <csignal>
#include <iostream>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "tools/amt-responder/responder.hpp"

namespace {

namespace asio = boost::asio;
using driad::amtresponder::ToString;

struct Args {
  std::string listen;
  std::string relay;
  std::string mode = "ok";
  std::string control;
};

int Run(const Args& args) {
  auto listen = driad::amtresponder::ParseEndpoint(args.listen);
  if (!listen) {
    std::cerr << "amt-responder: --listen: " << listen.error() << "\n";
    return 2;
  }
  auto mode = driad::amtresponder::ParseMode(args.mode);
  if (!mode) {
    std::cerr << "amt-responder: --mode: " << mode.error() << "\n";
    return 2;
  }
  // The relay named in answers defaults to the listen address: what a Linux
  // kernel relay, answering from its own address, would say.
  asio::ip::address relay = listen->address();
  if (!args.relay.empty()) {
    boost::system::error_code error;
    relay = asio::ip::make_address(args.relay, error);
    if (error) {
      std::cerr << "amt-responder: --relay: not an address: " << args.relay << "\n";
      return 2;
    }
  }
  std::optional<asio::ip::tcp::endpoint> control_at;
  if (!args.control.empty()) {
    auto control = driad::amtresponder::ParseEndpoint(args.control);
    if (!control) {
      std::cerr << "amt-responder: --control: " << control.error() << "\n";
      return 2;
    }
    control_at = asio::ip::tcp::endpoint(control->address(), control->port());
  }

  asio::io_context io;
  driad::amtresponder::Responder responder(io, relay, *mode);
  if (auto listening = responder.Listen(*listen); !listening) {
    std::cerr << "amt-responder: " << listening.error() << "\n";
    return 1;
  }
  driad::amtresponder::ControlServer control(io, responder);
  if (control_at) {
    if (auto listening = control.Listen(*control_at); !listening) {
      std::cerr << "amt-responder: " << listening.error() << "\n";
      return 1;
    }
  }
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](boost::system::error_code, int) { io.stop(); });

  // These lines are an interface: tests read the ports chosen for port 0.
  std::cout << "amt-responder: udp listening on " << ToString(responder.local()) << " relay "
            << relay.to_string() << " mode " << ToString(*mode) << "\n";
  if (control_at) {
    const auto at = control.local();
    std::cout << "amt-responder: control listening on "
              << ToString(asio::ip::udp::endpoint(at.address(), at.port())) << "\n";
  }
  std::cout << "amt-responder: ready" << std::endl;
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  Args args;
  CLI::App app{"amt-responder: a UDP AMT relay stand-in (RFC 7450 discovery only; listens only)"};
  app.add_option("--listen", args.listen, "UDP address ADDR:PORT (port 0: any free port)")
      ->required();
  app.add_option("--relay", args.relay, "relay address named in answers (default: listen address)");
  app.add_option("--mode", args.mode, "ok | silent | wrong-nonce | redirect:ADDR")
      ->capture_default_str();
  app.add_option("--control", args.control, "control port ADDR:PORT (port 0: any free port)");
  CLI11_PARSE(app, argc, argv);
  try {
    return Run(args);
  } catch (const std::exception& error) {
    std::cerr << "amt-responder: " << error.what() << "\n";
    return 1;
  }
}
