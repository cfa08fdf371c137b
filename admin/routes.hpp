// The admin API's routes: which path answers what, the bearer-token check, and
// the query-string parsing. Pure apart from the Backend it calls.
//
//   GET  /healthz              200 "ok": the process is up (no token needed)
//   GET  /readyz               200, or 503 with the reason (no token needed)
//   GET  /metrics              Prometheus text (no token needed)
//   GET  /api/v1/state         zones, groups, relays, decisions, snapshot, feeds
//   GET  /api/v1/decisions     ?limit=N (default 50, at most 256): changes, oldest first
//   GET  /api/v1/explain       ?source=IP[&client=IP]: the answer and why
//   POST /api/v1/reload        reload the config as SIGHUP does; 422 when rejected
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "admin/backend.hpp"
#include "admin/http.hpp"

namespace driad::admin {

// A request target split into its path and its decoded query parameters.
struct Target {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;

  // The first value of parameter `name`.
  std::optional<std::string> param(std::string_view name) const;
};

// "%41" and "+" decoded; an error for a bad escape.
tl::expected<Target, std::string> parse_target(std::string_view target);

// Whether `authorization` is "Bearer <token>", compared in time that does not
// depend on where the first difference lies.
bool bearer_matches(std::string_view authorization, std::string_view token) noexcept;

class Router {
 public:
  // `token` empty: no token is asked for.
  Router(Backend& backend, std::string token);

  HttpResponse handle(const HttpRequest& request) const;

  static constexpr std::size_t kMaxDecisions = 256;

 private:
  Backend& backend_;
  std::string token_;
};

}  // namespace driad::admin
