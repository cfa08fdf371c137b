// Test support: a tool run as a child process that says on stdout when it is
// ready, with bounded waits everywhere and a destructor that always stops it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

namespace driad::test_support {

using namespace std::chrono_literals;

// Reads one '\n'-terminated line from `fd` before `until`; nullopt on EOF or
// timeout. Byte-at-a-time is fine for the few short lines tests read.
std::optional<std::string> ReadLine(int fd, std::chrono::steady_clock::time_point until);

// One child process with stdout on a pipe (stdin and stderr inherited). The
// destructor sends SIGTERM and, if the process lingers, SIGKILL: no test
// leaves it behind, whichever way it ends.
class ChildProcess {
 public:
  using ReadyLine = std::function<bool(const std::string& line)>;

  // Spawns `argv` (argv[0] a path, or a name looked up in PATH) and reads its
  // stdout lines, keeping them, until `ready` holds for one. An error, with
  // the lines seen, when stdout closes or `patience` passes first.
  static tl::expected<std::unique_ptr<ChildProcess>, std::string> Start(
      std::vector<std::string> argv, const ReadyLine& ready, std::chrono::milliseconds patience);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Every stdout line read so far, the ready line last.
  const std::vector<std::string>& lines() const { return lines_; }

  // SIGTERM, then waits up to `patience` for exit; the exit code (128 +
  // signal number when killed by a signal), or -1 when it is still running
  // (or was stopped already).
  int Stop(std::chrono::milliseconds patience = 5s);

 private:
  ChildProcess() = default;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::vector<std::string> lines_;
};

}  // namespace driad::test_support
