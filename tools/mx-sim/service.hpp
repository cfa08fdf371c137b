// The gNMI service of mx-sim on gRPC's callback API: Capabilities, Get, Set
// (refused: the simulator is read-only) and Subscribe, each behind the JunOS
// username/password metadata check when credentials are configured.
#pragma once

#include <optional>
#include <string>

#include <grpcpp/grpcpp.h>

#include "proto/gnmi.grpc.pb.h"
#include "tools/mx-sim/hub.hpp"

namespace driad::mxsim {

struct Credentials {
  std::string username;
  std::string password;
};

class GnmiService final : public gnmi::gNMI::CallbackService {
 public:
  GnmiService(Hub& hub, std::optional<Credentials> credentials)
      : hub_(hub), credentials_(std::move(credentials)) {}

  grpc::ServerUnaryReactor* Capabilities(grpc::CallbackServerContext* context,
                                         const gnmi::CapabilityRequest* request,
                                         gnmi::CapabilityResponse* response) override;
  grpc::ServerUnaryReactor* Get(grpc::CallbackServerContext* context,
                                const gnmi::GetRequest* request,
                                gnmi::GetResponse* response) override;
  grpc::ServerUnaryReactor* Set(grpc::CallbackServerContext* context,
                                const gnmi::SetRequest* request,
                                gnmi::SetResponse* response) override;
  grpc::ServerBidiReactor<gnmi::SubscribeRequest, gnmi::SubscribeResponse>* Subscribe(
      grpc::CallbackServerContext* context) override;

 private:
  // OK, or UNAUTHENTICATED when credentials are configured and the call's
  // `username` / `password` metadata do not match them.
  grpc::Status Authenticate(const grpc::CallbackServerContext& context) const;

  Hub& hub_;
  const std::optional<Credentials> credentials_;
};

}  // namespace driad::mxsim
