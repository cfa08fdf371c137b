// Implements the mx-sim test support (mx_sim_process.hpp).
#include "tests/tools/mx_sim_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "tools/mx-sim/path.hpp"

extern char** environ;

namespace driad::mxsim::testing {
namespace {

// Reads one '\n'-terminated line from `fd` before `until`; nullopt on EOF or
// timeout. Byte-at-a-time is fine for the few short lines read here.
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
    char c;
    const ssize_t got = ::read(fd, &c, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return std::nullopt;
    if (c == '\n') return line;
    line.push_back(c);
  }
}

std::string After(const std::string& line, const std::string& marker) {
  const size_t at = line.find(marker);
  if (at == std::string::npos) return {};
  std::string rest = line.substr(at + marker.size());
  return rest.substr(0, rest.find(' '));
}

}  // namespace

tl::expected<std::unique_ptr<MxSimProcess>, std::string> MxSimProcess::Start(
    const std::vector<std::string>& extra_args) {
  std::vector<std::string> args = {MX_SIM_PATH, "--listen", "127.0.0.1:0", "--control",
                                   "127.0.0.1:0"};
  // MX_SIM_VERBOSE=1 in the environment shows mx-sim's own log when debugging.
  if (std::getenv("MX_SIM_VERBOSE") == nullptr) args.push_back("--quiet");
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return tl::unexpected(std::string("pipe failed"));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  std::unique_ptr<MxSimProcess> process(new MxSimProcess());
  const int spawned =
      ::posix_spawn(&process->pid_, MX_SIM_PATH, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  process->stdout_fd_ = pipe_fds[0];
  if (spawned != 0) {
    process->pid_ = -1;
    return tl::unexpected("posix_spawn " + std::string(MX_SIM_PATH) + ": " +
                          std::strerror(spawned));
  }

  const auto until = std::chrono::steady_clock::now() + 15s;
  std::string transcript;
  while (auto line = ReadLine(process->stdout_fd_, until)) {
    transcript += *line + "\n";
    if (auto gnmi = After(*line, "gnmi listening on "); !gnmi.empty()) {
      process->gnmi_address_ = gnmi;
    }
    if (auto control = After(*line, "control listening on "); !control.empty()) {
      process->control_port_ = std::stoi(control.substr(control.rfind(':') + 1));
    }
    if (*line == "mx-sim: ready") break;
  }
  if (process->gnmi_address_.empty() || process->control_port_ == 0) {
    return tl::unexpected("mx-sim did not announce its ports; output:\n" + transcript);
  }
  return process;
}

MxSimProcess::~MxSimProcess() {
  if (pid_ > 0 && Stop() < 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

int MxSimProcess::Stop(std::chrono::milliseconds patience) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const auto until = std::chrono::steady_clock::now() + patience;
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(20ms);
  }
  return -1;
}

tl::expected<std::vector<std::string>, std::string> MxSimProcess::Control(
    const std::string& command) const {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return tl::unexpected(std::string("socket failed"));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(control_port_));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return tl::unexpected("connect to control port: " + std::string(std::strerror(errno)));
  }
  const std::string line = command + "\n";
  if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    ::close(fd);
    return tl::unexpected(std::string("send to control port failed"));
  }
  std::vector<std::string> output;
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (auto reply = ReadLine(fd, until)) {
    if (*reply == "ok") {
      ::close(fd);
      return output;
    }
    if (reply->rfind("error: ", 0) == 0) {
      ::close(fd);
      return tl::unexpected(reply->substr(7));
    }
    output.push_back(*reply);
  }
  ::close(fd);
  return tl::unexpected("no ok/error reply to '" + command + "'");
}

void LeafTable::Apply(const gnmi::SubscribeResponse& response) {
  if (response.has_update()) {
    const auto& notification = response.update();
    for (const auto& update : notification.update()) {
      const std::string key = PathString(JoinPath(notification.prefix(), update.path()));
      values[key] = update.val();
      ++update_counts[key];
    }
    for (const auto& deleted : notification.delete_()) {
      const std::string key = PathString(JoinPath(notification.prefix(), deleted));
      // A delete removes the node and everything below it.
      for (auto it = values.begin(); it != values.end();) {
        const bool below = it->first == key || it->first.rfind(key + "/", 0) == 0;
        it = below ? values.erase(it) : std::next(it);
      }
    }
  }
  if (response.sync_response()) ++sync_count;
}

std::optional<std::string> LeafTable::String(const std::string& path) const {
  const auto it = values.find(path);
  if (it == values.end() || !it->second.has_string_val()) return std::nullopt;
  return it->second.string_val();
}

std::optional<uint64_t> LeafTable::Uint(const std::string& path) const {
  const auto it = values.find(path);
  if (it == values.end() || !it->second.has_uint_val()) return std::nullopt;
  return it->second.uint_val();
}

int LeafTable::Subinterfaces(const std::string& device) const {
  const std::string prefix =
      "/interfaces/interface[name=" + device + "]/subinterfaces/subinterface[";
  std::map<std::string, int> keys;
  for (const auto& [path, value] : values) {
    if (path.rfind(prefix, 0) != 0) continue;
    ++keys[path.substr(prefix.size(), path.find(']', prefix.size()) - prefix.size())];
  }
  return static_cast<int>(keys.size());
}

StreamClient::StreamClient(gnmi::gNMI::Stub& stub, const gnmi::SubscribeRequest& first,
                           const std::map<std::string, std::string>& metadata,
                           std::chrono::seconds deadline) {
  context_.set_deadline(std::chrono::system_clock::now() + deadline);
  for (const auto& [key, value] : metadata) context_.AddMetadata(key, value);
  stream_ = stub.Subscribe(&context_);
  stream_->Write(first);
  reader_ = std::thread([this] {
    gnmi::SubscribeResponse response;
    while (stream_->Read(&response)) {
      std::lock_guard lock(mutex_);
      queue_.push_back(response);
      cv_.notify_all();
    }
    grpc::Status status = stream_->Finish();
    std::lock_guard lock(mutex_);
    status_ = std::move(status);
    cv_.notify_all();
  });
}

StreamClient::~StreamClient() {
  context_.TryCancel();
  if (reader_.joinable()) reader_.join();
}

std::optional<gnmi::SubscribeResponse> StreamClient::Next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, timeout, [this] { return !queue_.empty() || status_.has_value(); });
  if (queue_.empty()) return std::nullopt;
  auto response = std::move(queue_.front());
  queue_.pop_front();
  return response;
}

std::optional<grpc::Status> StreamClient::WaitEnd(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, timeout, [this] { return status_.has_value(); });
  return status_;
}

bool StreamClient::Write(const gnmi::SubscribeRequest& request) {
  return stream_->Write(request);
}

gnmi::Subscription MakeSubscription(const std::string& path, gnmi::SubscriptionMode mode,
                                    int64_t sample_ms, int64_t heartbeat_ms) {
  gnmi::Subscription subscription;
  *subscription.mutable_path() = ParsePath(path).value();
  subscription.set_mode(mode);
  subscription.set_sample_interval(static_cast<uint64_t>(sample_ms) * 1'000'000);
  subscription.set_heartbeat_interval(static_cast<uint64_t>(heartbeat_ms) * 1'000'000);
  return subscription;
}

gnmi::SubscribeRequest DefaultSubscribe(int64_t heartbeat_ms, int64_t sample_ms) {
  gnmi::SubscribeRequest request;
  auto* list = request.mutable_subscribe();
  list->set_mode(gnmi::SubscriptionList::STREAM);
  list->set_encoding(gnmi::PROTO);
  *list->add_subscription() = MakeSubscription(kLo0Status, gnmi::ON_CHANGE, 0, heartbeat_ms);
  *list->add_subscription() = MakeSubscription(kAnycastIp, gnmi::ON_CHANGE);
  *list->add_subscription() = MakeSubscription(kUdStatus, gnmi::ON_CHANGE, 0, heartbeat_ms);
  *list->add_subscription() = MakeSubscription(kUdOctets, gnmi::SAMPLE, sample_ms);
  *list->add_subscription() = MakeSubscription(kUdSubinterfaces, gnmi::ON_CHANGE);
  *list->add_subscription() = MakeSubscription(kTunnelCount, gnmi::ON_CHANGE);
  *list->add_subscription() = MakeSubscription(kCpuIdle, gnmi::SAMPLE, sample_ms);
  return request;
}

std::unique_ptr<gnmi::gNMI::Stub> Connect(const std::string& address,
                                          std::shared_ptr<grpc::ChannelCredentials> credentials,
                                          const grpc::ChannelArguments& arguments) {
  return gnmi::gNMI::NewStub(grpc::CreateCustomChannel(address, credentials, arguments));
}

}  // namespace driad::mxsim::testing
