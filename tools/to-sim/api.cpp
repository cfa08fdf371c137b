// The /api/<major>.<minor>/ handlers of the Sim (sim.hpp): login, ping,
// servers, cachegroups, profiles and profile parameters, behind the session
// check and the failure mode.
#include "tools/to-sim/sim.hpp"

#include <charconv>

namespace driad::tosim {

namespace {

constexpr std::string_view kGarbage = "<html><body>502 Bad Gateway</body></html>\n{\"response\": [";

// The major version of "<major>.<minor>", or 0 when it is not one.
int MajorVersion(std::string_view version) {
  const size_t dot = version.find('.');
  if (dot == std::string_view::npos || dot + 1 == version.size()) return 0;
  int major = 0, minor = 0;
  const char* end = version.data() + version.size();
  auto [after_major, major_error] = std::from_chars(version.data(), version.data() + dot, major);
  auto [after_minor, minor_error] = std::from_chars(version.data() + dot + 1, end, minor);
  if (major_error != std::errc() || after_major != version.data() + dot ||
      minor_error != std::errc() || after_minor != end) {
    return 0;
  }
  return major;
}

std::string StringField(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// `body` with only the "response" entries whose `key` is `value`.
nlohmann::json Filtered(nlohmann::json body, const char* key, const std::string& value) {
  nlohmann::json kept = nlohmann::json::array();
  for (auto& entry : body["response"]) {
    if (StringField(entry, key) == value) kept.push_back(std::move(entry));
  }
  body["response"] = std::move(kept);
  return body;
}

Response MethodNotAllowed() {
  return Json(405, Alerts("method not allowed"));
}

}  // namespace

Response Sim::Api(const Request& request, std::string_view path, std::string_view query) {
  ++stats_.requests;
  const size_t slash = path.find('/');
  const std::string_view version = path.substr(0, slash);
  const std::string_view rest = slash == std::string_view::npos ? "" : path.substr(slash + 1);
  const int major = MajorVersion(version);
  if (major != 4 && major != 5) {
    return Json(404, Alerts("API version not supported: " + std::string(version)));
  }
  if (Segments(rest) == std::vector<std::string_view>{"ping"}) {
    return request.method == "GET" ? Json(200, {{"ping", "pong"}}) : MethodNotAllowed();
  }
  switch (mode_) {
    case Mode::error500:
      return Json(500, fixtures_.error_500);
    case Mode::hang: {
      Response response;
      response.hang = true;
      return response;
    }
    case Mode::garbage: {
      Response response;
      response.body = kGarbage;
      return response;
    }
    default:
      break;
  }
  Response response = ApiCall(request, major, rest, query);
  // Content-Length stays right for what is sent: the server computes it.
  if (mode_ == Mode::truncated) response.body.resize(response.body.size() / 2);
  return response;
}

Response Sim::ApiCall(const Request& request, int major, std::string_view rest,
                      std::string_view query) {
  const std::vector<std::string_view> segments = Segments(rest);
  const bool get = request.method == "GET";
  if (segments == std::vector<std::string_view>{"user", "login"}) {
    return request.method == "POST" ? Login(request) : MethodNotAllowed();
  }
  if (!Authenticated(request)) {
    ++stats_.unauthorized;
    return Json(401, fixtures_.unauthorized);
  }
  if (segments.size() == 1 && segments[0] == "servers") {
    return get ? Servers(request, major, query) : MethodNotAllowed();
  }
  if (segments.size() == 1 && segments[0] == "cachegroups") {
    return get ? Cachegroups(request, major) : MethodNotAllowed();
  }
  if (segments.size() == 1 && segments[0] == "profiles") {
    return get ? Profiles(major, query) : MethodNotAllowed();
  }
  if (segments.size() == 4 && segments[0] == "profiles" && segments[1] == "name" &&
      segments[3] == "parameters") {
    return get ? Parameters(major, "name", segments[2]) : MethodNotAllowed();
  }
  if (segments.size() == 3 && segments[0] == "profiles" && segments[2] == "parameters") {
    return get ? Parameters(major, "id", segments[1]) : MethodNotAllowed();
  }
  return Json(404, Alerts("no such API path: " + std::string(rest)));
}

Response Sim::Login(const Request& request) {
  if (mode_ == Mode::login_fail) {
    ++stats_.login_failures;
    return Json(401, fixtures_.login_failed);
  }
  const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    ++stats_.login_failures;
    return Json(400, Alerts("parsing login request: not a JSON object"));
  }
  const std::string user = StringField(body, "u");
  const std::string password = StringField(body, "p");
  if (user.empty() || password.empty()) {
    ++stats_.login_failures;
    return Json(400, fixtures_.login_bad_request);
  }
  if (user != credentials_.user || password != credentials_.password) {
    ++stats_.login_failures;
    return Json(401, fixtures_.login_failed);
  }
  ++stats_.logins;
  const std::string cookie = NewToken();
  const std::string token = NewToken();
  mojolicious_.insert(cookie);
  access_tokens_.insert(token);
  Response response = Json(200, fixtures_.login_ok);
  // Traffic Ops' cookies last an hour; this one's sessions last until
  // POST /_sim/expire-sessions.
  const std::string attributes = "; Path=/; Max-Age=3600; HttpOnly";
  response.headers.emplace_back("Set-Cookie", "mojolicious=" + cookie + attributes);
  response.headers.emplace_back("Set-Cookie", "access_token=" + token + attributes);
  return response;
}

bool Sim::Authenticated(const Request& request) const {
  for (const auto& value : CookieValues(request.cookie, "mojolicious")) {
    if (mojolicious_.contains(value)) return true;
  }
  for (const auto& value : CookieValues(request.cookie, "access_token")) {
    if (access_tokens_.contains(value)) return true;
  }
  const auto bearer = BearerToken(request.authorization);
  return bearer && access_tokens_.contains(*bearer);
}

Response Sim::Servers(const Request& request, int major, std::string_view query) {
  ++stats_.servers;
  nlohmann::json body = servers_.For(major);
  if (auto type = QueryValue(query, "type")) body = Filtered(std::move(body), "type", *type);
  // API 4 says how many servers matched; API 5 dropped the summary.
  if (body.contains("summary") && body["summary"].is_object()) {
    body["summary"]["count"] = body["response"].size();
  }
  return Conditional(request, servers_, body);
}

Response Sim::Cachegroups(const Request& request, int major) {
  ++stats_.cachegroups;
  return Conditional(request, cachegroups_, cachegroups_.For(major));
}

Response Sim::Profiles(int major, std::string_view query) {
  ++stats_.profiles;
  const auto name = QueryValue(query, "name");
  return Json(200, name ? Filtered(profiles_.For(major), "name", *name) : profiles_.For(major));
}

Response Sim::Parameters(int major, std::string_view by, std::string_view key) {
  ++stats_.parameters;
  const std::string wanted = PercentDecode(key);
  for (const auto& profile : profiles_.For(major).at("response")) {
    const bool match = by == "name"
                           ? StringField(profile, "name") == wanted
                           : profile.is_object() && profile.contains("id") &&
                                 profile["id"].is_number_integer() &&
                                 std::to_string(profile["id"].get<std::int64_t>()) == wanted;
    if (match) return Json(200, parameters_.For(major));
  }
  return Json(404, Alerts("no profile with " + std::string(by) + " " + wanted));
}

Response Sim::Conditional(const Request& request, const DataSet& set, const nlohmann::json& body) {
  Response response = Json(200, body);
  response.headers.emplace_back("Last-Modified", FormatHttpDate(set.last_change));
  if (request.if_modified_since.empty()) return response;
  const auto since = ParseHttpDate(request.if_modified_since);
  if (since && *since >= set.last_change) {
    ++stats_.not_modified;
    response.status = 304;
    response.content_type.clear();
    response.body.clear();
  }
  return response;
}

}  // namespace driad::tosim
