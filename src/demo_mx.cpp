// Starting and stopping the in-process simulated MX of the demo.
#include "src/demo_mx.hpp"

#include <chrono>
#include <optional>

#include <grpcpp/grpcpp.h>

#include "tools/mx-sim/control_server.hpp"
#include "tools/mx-sim/hub.hpp"
#include "tools/mx-sim/service.hpp"

namespace driad::app {

struct DemoMx::Parts {
  Parts() : hub(mxsim::SimOptions{}, mxsim::MxState{}), service(hub, std::nullopt) {}
  mxsim::Hub hub;
  mxsim::GnmiService service;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<mxsim::ControlServer> control;
};

DemoMx::DemoMx(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

tl::expected<std::unique_ptr<DemoMx>, std::string> DemoMx::start(
    const std::string& gnmi_address, const std::string& control_address) {
  auto parts = std::make_unique<Parts>();
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(gnmi_address, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&parts->service);
  parts->server = builder.BuildAndStart();
  if (!parts->server || port == 0) {
    parts->hub.Stop();
    return tl::make_unexpected("demo MX: cannot listen for gNMI on " + gnmi_address);
  }
  auto control = mxsim::ControlServer::Start(control_address, parts->hub);
  if (!control) {
    parts->server->Shutdown(std::chrono::system_clock::now());
    parts->hub.Stop();
    return tl::make_unexpected("demo MX: control port " + control_address + ": " + control.error());
  }
  parts->control = std::move(*control);
  return std::unique_ptr<DemoMx>(new DemoMx(std::move(parts)));
}

DemoMx::~DemoMx() {
  parts_->control->Stop();
  parts_->hub.CloseAll(grpc::Status(grpc::StatusCode::UNAVAILABLE, "demo MX stopping"));
  // Streams a client has not yet released keep Shutdown waiting; bound it.
  parts_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  parts_->hub.Stop();
}

}  // namespace driad::app
