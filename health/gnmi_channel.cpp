// Implements the gNMI channel factory (gnmi_channel.hpp).
#include "health/gnmi_channel.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

namespace driad::health {
namespace {

tl::expected<std::string, std::string> read_pem(const char* setting, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return tl::unexpected(std::string("tls ") + setting + " '" + file +
                          "': cannot open: " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().empty()) {
    return tl::unexpected(std::string("tls ") + setting + " '" + file + "': empty");
  }
  return text.str();
}

int millis(std::chrono::milliseconds value) {
  return static_cast<int>(std::min<std::int64_t>(value.count(), INT32_MAX));
}

}  // namespace

tl::expected<std::shared_ptr<grpc::Channel>, std::string> make_gnmi_channel(
    const MxFeedConfig& config) {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, millis(config.keepalive_time));
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, millis(config.keepalive_timeout));
  // Only ping while the Subscribe is open: servers punish idle pings.
  arguments.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 0);
  arguments.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  // gRPC's own connection backoff (1 s .. 120 s by default) would otherwise
  // sit under ours and stretch every retry: keep it within our bounds.
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, millis(config.backoff_initial));
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, millis(config.backoff_max));

  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (!config.tls) {
    spdlog::warn(
        "mx feed {}: gNMI to {} in plaintext (no tls configured): credentials travel "
        "unencrypted",
        config.name, config.target);
    credentials = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions options;
    const MxTlsConfig& tls = *config.tls;
    if (!tls.ca_file.empty()) {
      auto roots = read_pem("ca_file", tls.ca_file);
      if (!roots) return tl::unexpected(roots.error());
      options.pem_root_certs = std::move(*roots);
    }
    if (tls.cert_file.empty() != tls.key_file.empty()) {
      return tl::unexpected(std::string("tls: cert_file and key_file go together"));
    }
    if (!tls.cert_file.empty()) {
      auto chain = read_pem("cert_file", tls.cert_file);
      if (!chain) return tl::unexpected(chain.error());
      auto key = read_pem("key_file", tls.key_file);
      if (!key) return tl::unexpected(key.error());
      options.pem_cert_chain = std::move(*chain);
      options.pem_private_key = std::move(*key);
    }
    if (!tls.server_name.empty()) {
      arguments.SetString(GRPC_SSL_TARGET_NAME_OVERRIDE_ARG, tls.server_name);
    }
    credentials = grpc::SslCredentials(options);
  }
  return grpc::CreateCustomChannel(config.target, credentials, arguments);
}

std::string status_code_name(grpc::StatusCode code) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  const auto index = static_cast<size_t>(code);
  if (index < std::size(kNames)) return kNames[index];
  return "CODE_" + std::to_string(static_cast<int>(code));
}

std::string describe(const grpc::Status& status) {
  std::string out = status_code_name(status.error_code());
  if (!status.error_message().empty()) out += ": " + status.error_message();
  return out;
}

}  // namespace driad::health
