// The daemon: owns the snapshot publisher and the DNS server, turns config
// loads into snapshots, and reacts to signals (SIGHUP reload, SIGTERM/SIGINT
// stop). Runs on the main thread; query work happens on the server's workers.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "dns/server.hpp"
#include "src/snapshot_spec.hpp"
#include "zones/snapshot_holder.hpp"

namespace driad::app {

class Daemon {
 public:
  // `config_path` empty: the demo config, which SIGHUP reloads from memory.
  Daemon(config::Config config, std::string config_path);

  // Binds, serves and blocks until SIGTERM or SIGINT; the exit status.
  int run();

 private:
  tl::expected<void, std::string> publish(const config::Config& config);
  void reload();

  config::Config config_;
  std::string config_path_;
  zones::SnapshotPublisher publisher_;
  SerialKeeper serials_;
  std::uint64_t generation_ = 0;
};

}  // namespace driad::app
