// Implements the to-sim test support (to_sim_process.hpp).
#include "tests/health/to_sim_process.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

extern char** environ;

namespace driad::health::testing {
namespace {

// Waits up to `patience` for `pid` to exit; its wait status, or nullopt.
std::optional<int> WaitExit(pid_t pid, std::chrono::milliseconds patience) {
  const auto until = std::chrono::steady_clock::now() + patience;
  while (true) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    if (std::chrono::steady_clock::now() >= until) return std::nullopt;
    std::this_thread::sleep_for(10ms);
  }
}

std::size_t Collect(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

}  // namespace

std::string TrafficOpsFixture(const std::string& name) {
  std::ifstream in(std::string(DRIAD_SOURCE_DIR) + "/tests/fixtures/trafficops/" + name,
                   std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

tl::expected<std::unique_ptr<ToSimProcess>, std::string> ToSimProcess::Start(
    const std::vector<std::string>& extra_args) {
  std::vector<std::string> args = {TO_SIM_PATH,
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--fixtures",
                                   std::string(DRIAD_SOURCE_DIR) + "/tests/fixtures/trafficops",
                                   "--user",
                                   kSimUser,
                                   "--password",
                                   kSimPassword};
  // TO_SIM_VERBOSE=1 in the environment shows to-sim's request log when debugging.
  if (std::getenv("TO_SIM_VERBOSE") == nullptr) args.emplace_back("--quiet");
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  const bool tls = std::find(args.begin(), args.end(), "--tls-cert") != args.end();
  // The one stdout line: "to-sim listening on 127.0.0.1:PORT".
  const std::string marker = "to-sim listening on 127.0.0.1:";
  auto child = test_support::ChildProcess::Start(
      std::move(args), [&](const std::string& line) { return line.starts_with(marker); }, 15s);
  if (!child) return tl::unexpected(child.error());
  const std::string& line = (*child)->lines().back();
  const int port = std::atoi(line.c_str() + marker.size());
  if (port <= 0 || port > 65535) return tl::unexpected("to-sim announced: " + line);

  std::unique_ptr<ToSimProcess> process(new ToSimProcess());
  process->process_ = std::move(*child);
  process->port_ = static_cast<std::uint16_t>(port);
  process->url_ = std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port);
  return process;
}

tl::expected<std::string, std::string> ToSimProcess::Control(const std::string& method,
                                                             const std::string& path,
                                                             const std::string& body) const {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return tl::unexpected(std::string("curl_easy_init failed"));
  const std::string url = "http://127.0.0.1:" + std::to_string(port_) + path;
  std::string answer;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method != "GET") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK)
    return tl::unexpected(method + " " + path + ": " + curl_easy_strerror(code));
  if (status != 200) {
    return tl::unexpected(method + " " + path + ": HTTP " + std::to_string(status) + ": " + answer);
  }
  return answer;
}

std::int64_t ToSimProcess::Stat(const std::string& name) const {
  auto stats = Control("GET", "/_sim/stats");
  if (!stats) return -1;
  const auto json = nlohmann::json::parse(*stats, nullptr, false);
  if (!json.is_object() || !json.contains(name) || !json[name].is_number_integer()) return -1;
  return json[name].get<std::int64_t>();
}

tl::expected<std::unique_ptr<SelfSignedCert>, std::string> SelfSignedCert::Make() {
  char dir[] = "/tmp/driad-to-tls-XXXXXX";
  if (::mkdtemp(dir) == nullptr) return tl::unexpected(std::string("mkdtemp failed"));
  std::unique_ptr<SelfSignedCert> made(new SelfSignedCert());
  made->dir_ = dir;
  const std::string key = made->key_file();
  const std::string cert = made->cert_file();
  std::vector<std::string> args = {"openssl",
                                   "req",
                                   "-x509",
                                   "-newkey",
                                   "ec",
                                   "-pkeyopt",
                                   "ec_paramgen_curve:prime256v1",
                                   "-nodes",
                                   "-keyout",
                                   key,
                                   "-out",
                                   cert,
                                   "-days",
                                   "2",
                                   "-subj",
                                   "/CN=127.0.0.1",
                                   "-addext",
                                   "subjectAltName=IP:127.0.0.1"};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int spawned = ::posix_spawnp(&pid, "openssl", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0)
    return tl::unexpected("posix_spawnp openssl: " + std::string(std::strerror(spawned)));
  const auto status = WaitExit(pid, 30s);
  if (!status) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return tl::unexpected(std::string("openssl req did not finish in 30 s"));
  }
  if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0 || !std::ifstream(cert) ||
      !std::ifstream(key)) {
    return tl::unexpected(std::string("openssl req failed"));
  }
  return made;
}

SelfSignedCert::~SelfSignedCert() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace driad::health::testing
