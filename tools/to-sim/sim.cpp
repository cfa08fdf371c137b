// Implements the Sim's dispatch, modes and tokens (sim.hpp); the /api/ and
// /_sim/ handlers are in api.cpp and control.cpp.
#include "tools/to-sim/sim.hpp"

#include <array>
#include <cstdio>
#include <utility>

namespace driad::tosim {

namespace {

constexpr std::array<std::pair<Mode, std::string_view>, 6> kModes = {{
    {Mode::ok, "ok"},
    {Mode::error500, "error500"},
    {Mode::hang, "hang"},
    {Mode::garbage, "garbage"},
    {Mode::truncated, "truncated"},
    {Mode::login_fail, "login-fail"},
}};

std::mt19937_64 SeededRandom() {
  std::random_device device;
  std::seed_seq seed{device(), device(), device(), device()};
  return std::mt19937_64(seed);
}

}  // namespace

std::optional<Mode> ParseMode(std::string_view text) {
  for (const auto& [mode, name] : kModes) {
    if (name == text) return mode;
  }
  return std::nullopt;
}

std::string_view ToString(Mode mode) {
  for (const auto& [known, name] : kModes) {
    if (known == mode) return name;
  }
  return "?";
}

Response Json(unsigned status, const nlohmann::json& body) {
  Response response;
  response.status = status;
  response.body = body.dump();
  return response;
}

Response Text(unsigned status, std::string body) {
  Response response;
  response.status = status;
  response.content_type = "text/plain";
  response.body = std::move(body);
  return response;
}

Sim::Sim(Fixtures fixtures, Credentials credentials, Clock::time_point start)
    : fixtures_(std::move(fixtures)),
      credentials_(std::move(credentials)),
      random_(SeededRandom()) {
  const Seconds since = std::chrono::floor<std::chrono::seconds>(start);
  servers_ = {fixtures_.servers_v4, fixtures_.servers_v5, since};
  cachegroups_ = {fixtures_.cachegroups, fixtures_.cachegroups, since};
  profiles_ = {fixtures_.profiles, fixtures_.profiles, since};
  parameters_ = {fixtures_.parameters, fixtures_.parameters, since};
}

Response Sim::Handle(const Request& request, Clock::time_point now) {
  const auto [path, query] = SplitTarget(request.target);
  if (path.starts_with("/api/")) return Api(request, path.substr(5), query);
  if (path.starts_with("/_sim/")) {
    return Control(request, path.substr(6), std::chrono::floor<std::chrono::seconds>(now));
  }
  return Json(404, Alerts("no such path: " + std::string(path)));
}

std::string Sim::NewToken() {
  char text[33];
  std::snprintf(text, sizeof text, "%016llx%016llx", static_cast<unsigned long long>(random_()),
                static_cast<unsigned long long>(random_()));
  return text;
}

}  // namespace driad::tosim
