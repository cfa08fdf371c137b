// The one gRPC channel per MX: plaintext or (m)TLS from PEM files, keepalive,
// reconnect pacing tied to the feed's backoff; plus gRPC status names for logs.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>
#include <tl/expected.hpp>

#include "health/mx_feed_config.hpp"

namespace driad::health {

// Errors: a TLS file that cannot be read (named, with the reason).
tl::expected<std::shared_ptr<grpc::Channel>, std::string> make_gnmi_channel(
    const MxFeedConfig& config);

// "UNAUTHENTICATED", "UNAVAILABLE", ...
std::string status_code_name(grpc::StatusCode code);

// "UNAVAILABLE: failed to connect" (code name, then the message).
std::string describe(const grpc::Status& status);

}  // namespace driad::health
