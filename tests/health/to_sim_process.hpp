// Test support: runs the real to-sim binary (a Traffic Ops stand-in) on a
// free loopback port and drives its /_sim/ control endpoints, plus a
// throwaway self-signed certificate for the HTTPS tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "tests/support/child_process.hpp"

namespace driad::health::testing {

using namespace std::chrono_literals;

inline constexpr const char* kSimUser = "amt-driad";
inline constexpr const char* kSimPassword = "example-password";

// One to-sim child process on 127.0.0.1:0, serving tests/fixtures/trafficops
// as kSimUser / kSimPassword, stopped (SIGTERM, then SIGKILL) with the
// object: no test leaves it behind.
class ToSimProcess {
 public:
  // `extra_args` go after the defaults (e.g. --tls-cert F --tls-key F).
  static tl::expected<std::unique_ptr<ToSimProcess>, std::string> Start(
      const std::vector<std::string>& extra_args = {});

  // "http://127.0.0.1:PORT" (or https:// when started with a certificate).
  const std::string& url() const { return url_; }
  std::uint16_t port() const { return port_; }

  // One control call (plain HTTP only; HTTPS sims are not controlled); the
  // response body, or an error with the status.
  tl::expected<std::string, std::string> Control(const std::string& method, const std::string& path,
                                                 const std::string& body = "") const;
  tl::expected<std::string, std::string> SetMode(const std::string& mode) const {
    return Control("POST", "/_sim/mode", mode);
  }
  // GET /_sim/stats; a counter, or -1 when the call failed.
  std::int64_t Stat(const std::string& name) const;

 private:
  ToSimProcess() = default;
  std::unique_ptr<test_support::ChildProcess> process_;
  std::string url_;
  std::uint16_t port_ = 0;
};

// The fixture file `name` under tests/fixtures/trafficops.
std::string TrafficOpsFixture(const std::string& name);

// A self-signed certificate for 127.0.0.1 (CN and SAN IP) made with the
// openssl command in a fresh temporary folder, removed with the object.
class SelfSignedCert {
 public:
  static tl::expected<std::unique_ptr<SelfSignedCert>, std::string> Make();
  ~SelfSignedCert();
  SelfSignedCert(const SelfSignedCert&) = delete;
  SelfSignedCert& operator=(const SelfSignedCert&) = delete;

  std::string cert_file() const { return dir_ + "/cert.pem"; }
  std::string key_file() const { return dir_ + "/key.pem"; }

 private:
  SelfSignedCert() = default;
  std::string dir_;
};

// Polls `done` every 20 ms until it holds or `timeout` passes; its last value.
template <typename Pred>
bool Eventually(Pred done, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until) return done();
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

}  // namespace driad::health::testing
