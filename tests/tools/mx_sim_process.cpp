// Implements the mx-sim test support (mx_sim_process.hpp).
#include "tests/tools/mx_sim_process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "tools/mx-sim/path.hpp"

namespace driad::mxsim::testing {
namespace {

using test_support::ReadLine;

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
  auto child = test_support::ChildProcess::Start(
      std::move(args), [](const std::string& line) { return line == "mx-sim: ready"; }, 15s);
  if (!child) return tl::unexpected(child.error());

  std::unique_ptr<MxSimProcess> process(new MxSimProcess());
  process->process_ = std::move(*child);
  for (const auto& line : process->process_->lines()) {
    if (auto gnmi = After(line, "gnmi listening on "); !gnmi.empty()) {
      process->gnmi_address_ = gnmi;
    }
    if (auto control = After(line, "control listening on "); !control.empty()) {
      process->control_port_ = std::stoi(control.substr(control.rfind(':') + 1));
    }
  }
  if (process->gnmi_address_.empty() || process->control_port_ == 0) {
    std::string transcript;
    for (const auto& line : process->process_->lines()) transcript += line + "\n";
    return tl::unexpected("mx-sim did not announce its ports; output:\n" + transcript);
  }
  return process;
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
