// Implements the child process test support (child_process.hpp).
#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

extern char** environ;

namespace driad::test_support {

std::optional<std::string> ReadLine(int fd, std::chrono::steady_clock::time_point until) {
  std::string line;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          until - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) return std::nullopt;
    pollfd waiting{fd, POLLIN, 0};
    const int ready = ::poll(&waiting, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    char c = 0;
    const ssize_t got = ::read(fd, &c, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return std::nullopt;
    if (c == '\n') return line;
    line.push_back(c);
  }
}

tl::expected<std::unique_ptr<ChildProcess>, std::string> ChildProcess::Start(
    std::vector<std::string> argv, const ReadyLine& ready, std::chrono::milliseconds patience) {
  if (argv.empty()) return tl::unexpected(std::string("no program to start"));
  std::vector<char*> pointers;
  pointers.reserve(argv.size() + 1);
  for (auto& arg : argv) pointers.push_back(arg.data());
  pointers.push_back(nullptr);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return tl::unexpected(std::string("pipe failed"));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  std::unique_ptr<ChildProcess> process(new ChildProcess());
  const int spawned =
      ::posix_spawnp(&process->pid_, argv[0].c_str(), &actions, nullptr, pointers.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  process->stdout_fd_ = pipe_fds[0];
  if (spawned != 0) {
    process->pid_ = -1;
    return tl::unexpected("posix_spawn " + argv[0] + ": " + std::strerror(spawned));
  }

  const auto until = std::chrono::steady_clock::now() + patience;
  while (auto line = ReadLine(process->stdout_fd_, until)) {
    process->lines_.push_back(*line);
    if (ready(*line)) return process;
  }
  std::string said;
  for (const auto& line : process->lines_) said += "\n  " + line;
  return tl::unexpected(argv[0] + " was not ready within " + std::to_string(patience.count()) +
                        " ms; its stdout:" + (said.empty() ? " nothing" : said));
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && Stop() < 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

int ChildProcess::Stop(std::chrono::milliseconds patience) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const auto until = std::chrono::steady_clock::now() + patience;
  while (true) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() >= until) return -1;
    std::this_thread::sleep_for(10ms);
  }
}

}  // namespace driad::test_support
