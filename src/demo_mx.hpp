// The simulated MX that `driadd --demo` runs in-process: mx-sim's gNMI service
// and its text control port on loopback, so the demo's live relay group follows
// a real gNMI stream and an operator can fail it over by hand
// (`echo 'oper-status DOWN' | nc 127.0.0.1 32768`).
#pragma once

#include <memory>
#include <string>

#include <tl/expected.hpp>

namespace driad::app {

class DemoMx {
 public:
  // Listens for gNMI (plaintext) at `gnmi_address` and for control commands at
  // `control_address`, both "127.0.0.1:PORT".
  static tl::expected<std::unique_ptr<DemoMx>, std::string> start(
      const std::string& gnmi_address, const std::string& control_address);
  ~DemoMx();
  DemoMx(const DemoMx&) = delete;
  DemoMx& operator=(const DemoMx&) = delete;

 private:
  struct Parts;
  explicit DemoMx(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace driad::app
