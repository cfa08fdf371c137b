// The /_sim/ control handlers of the Sim (sim.hpp): failure mode, data
// replacement, session expiry and counters. They need no login and are never
// affected by the mode.
#include "tools/to-sim/sim.hpp"

#include <algorithm>

namespace driad::tosim {

namespace {

Response MethodNotAllowed() {
  return Json(405, Alerts("method not allowed"));
}

}  // namespace

Response Sim::Control(const Request& request, std::string_view path, Seconds now) {
  const std::vector<std::string_view> segments = Segments(path);
  const std::string_view name = segments.size() == 1 ? segments[0] : std::string_view();
  const std::string& method = request.method;
  if (name == "mode") {
    if (method != "POST") return MethodNotAllowed();
    const auto mode = ParseMode(Trim(request.body));
    if (!mode) {
      return Text(400, "unknown mode '" + std::string(Trim(request.body)) +
                           "'; modes: ok, error500, hang, garbage, truncated, login-fail");
    }
    mode_ = *mode;
    return Text(200, "mode " + std::string(ToString(mode_)));
  }
  DataSet* set = name == "servers"       ? &servers_
                 : name == "cachegroups" ? &cachegroups_
                 : name == "profiles"    ? &profiles_
                 : name == "parameters"  ? &parameters_
                                         : nullptr;
  if (set != nullptr) return method == "PUT" ? Replace(request, *set, now) : MethodNotAllowed();
  if (name == "expire-sessions") {
    if (method != "POST") return MethodNotAllowed();
    const size_t count = mojolicious_.size();
    mojolicious_.clear();
    access_tokens_.clear();
    return Text(200, "expired " + std::to_string(count) + " sessions");
  }
  if (name == "stats") return method == "GET" ? Json(200, StatsJson()) : MethodNotAllowed();
  return Json(404, Alerts("no such control path: /_sim/" + std::string(path)));
}

Response Sim::Replace(const Request& request, DataSet& set, Seconds now) {
  auto body = ParseDataBody(request.body);
  if (!body) return Json(400, Alerts("replacement body: " + body.error()));
  set.v4 = *body;
  set.v5 = std::move(*body);
  // Strictly later than the last change, even within one second, so a client
  // holding the old Last-Modified always gets the new data.
  set.last_change = std::max(now, set.last_change + std::chrono::seconds(1));
  const auto last_modified = FormatHttpDate(set.last_change);
  return Json(200, {{"replaced", set.v4["response"].size()}, {"lastModified", last_modified}});
}

nlohmann::json Sim::StatsJson() const {
  return {
      {"mode", ToString(mode_)},
      {"requests", stats_.requests},
      {"logins", stats_.logins},
      {"login_failures", stats_.login_failures},
      {"servers", stats_.servers},
      {"cachegroups", stats_.cachegroups},
      {"profiles", stats_.profiles},
      {"parameters", stats_.parameters},
      {"not_modified", stats_.not_modified},
      {"unauthorized", stats_.unauthorized},
  };
}

}  // namespace driad::tosim
