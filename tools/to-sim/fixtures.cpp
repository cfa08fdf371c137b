// Implements fixture loading and the body shapes (fixtures.hpp).
#include "tools/to-sim/fixtures.hpp"

#include <fstream>
#include <sstream>

namespace driad::tosim {

namespace {

tl::expected<std::string, std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::unexpected("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

tl::expected<nlohmann::json, std::string> ParseAlertsBody(std::string_view text) {
  nlohmann::json body = nlohmann::json::parse(text, nullptr, false);
  if (body.is_discarded()) return tl::unexpected(std::string("not JSON"));
  if (!body.is_object() || !body.contains("alerts") || !body["alerts"].is_array()) {
    return tl::unexpected(std::string("no \"alerts\" array"));
  }
  return body;
}

// Reads `dir/name` and checks its shape with `parse`.
template <typename Parse>
tl::expected<void, std::string> Load(const std::string& dir, const char* name, Parse parse,
                                     nlohmann::json& into) {
  const std::string path = dir + "/" + name;
  auto text = ReadFile(path);
  if (!text) return tl::unexpected(text.error());
  auto body = parse(*text);
  if (!body) return tl::unexpected(path + ": " + body.error());
  into = std::move(*body);
  return {};
}

}  // namespace

tl::expected<nlohmann::json, std::string> ParseDataBody(std::string_view text) {
  nlohmann::json body = nlohmann::json::parse(text, nullptr, false);
  if (body.is_discarded()) return tl::unexpected(std::string("not JSON"));
  if (!body.is_object() || !body.contains("response") || !body["response"].is_array()) {
    return tl::unexpected(std::string("no \"response\" array"));
  }
  return body;
}

nlohmann::json Alerts(std::string_view text, std::string_view level) {
  return {{"alerts", nlohmann::json::array({{{"text", text}, {"level", level}}})}};
}

tl::expected<Fixtures, std::string> LoadFixtures(const std::string& dir) {
  Fixtures fixtures;
  const struct {
    const char* name;
    bool data;
    nlohmann::json& into;
  } files[] = {
      {"servers.json", true, fixtures.servers_v4},
      {"servers-v5.json", true, fixtures.servers_v5},
      {"cachegroups.json", true, fixtures.cachegroups},
      {"profiles.json", true, fixtures.profiles},
      {"profile-parameters.json", true, fixtures.parameters},
      {"login-ok.json", false, fixtures.login_ok},
      {"login-failed.json", false, fixtures.login_failed},
      {"login-bad-request.json", false, fixtures.login_bad_request},
      {"unauthorized.json", false, fixtures.unauthorized},
      {"error-500.json", false, fixtures.error_500},
  };
  for (const auto& file : files) {
    auto loaded = file.data ? Load(dir, file.name, ParseDataBody, file.into)
                            : Load(dir, file.name, ParseAlertsBody, file.into);
    if (!loaded) return tl::unexpected(loaded.error());
  }
  return fixtures;
}

}  // namespace driad::tosim
