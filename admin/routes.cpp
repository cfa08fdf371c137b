// Implements the admin routes (routes.hpp).
#include "admin/routes.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

#include "admin/json_views.hpp"
#include "admin/metrics.hpp"

namespace driad::admin {
namespace {

constexpr std::size_t kDefaultDecisions = 50;

HttpResponse json_response(unsigned status, std::string body) {
  return {status, "application/json", std::move(body) + "\n", {}};
}

HttpResponse error(unsigned status, const std::string& message) {
  return json_response(status, nlohmann::json{{"error", message}}.dump());
}

HttpResponse text(unsigned status, std::string body) {
  return {status, "text/plain; charset=utf-8", std::move(body), {}};
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

tl::expected<std::string, std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      const int high = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
      const int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (high < 0 || low < 0) {
        return tl::make_unexpected("bad %-escape in '" + std::string(text) + "'");
      }
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// The paths that answer without a token: probes and scrapers.
bool is_open(std::string_view path) {
  return path == "/healthz" || path == "/readyz" || path == "/metrics";
}

}  // namespace

std::optional<std::string> Target::param(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

tl::expected<Target, std::string> parse_target(std::string_view target) {
  Target out;
  const std::size_t mark = target.find('?');
  auto path = percent_decode(target.substr(0, mark));
  if (!path) return tl::make_unexpected(path.error());
  out.path = std::move(*path);
  if (mark == std::string_view::npos) return out;
  std::string_view rest = target.substr(mark + 1);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq));
    auto value =
        percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (!key) return tl::make_unexpected(key.error());
    if (!value) return tl::make_unexpected(value.error());
    out.query.emplace_back(std::move(*key), std::move(*value));
  }
  return out;
}

bool bearer_matches(std::string_view authorization, std::string_view token) noexcept {
  constexpr std::string_view kScheme = "bearer ";
  if (token.empty() || authorization.size() != kScheme.size() + token.size()) return false;
  // The scheme is case-insensitive (RFC 7235 section 2.1) and no secret.
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char c = authorization[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c) != kScheme[i]) return false;
  }
  unsigned char difference = 0;
  for (std::size_t i = 0; i < token.size(); ++i) {
    difference |= static_cast<unsigned char>(authorization[kScheme.size() + i] ^ token[i]);
  }
  return difference == 0;
}

Router::Router(Backend& backend, std::string token) : backend_(backend), token_(std::move(token)) {}

HttpResponse Router::handle(const HttpRequest& request) const {
  auto target = parse_target(request.target);
  if (!target) return error(400, target.error());
  const std::string& path = target->path;

  if (!token_.empty() && !is_open(path) && !bearer_matches(request.authorization, token_)) {
    HttpResponse denied = error(401, "a bearer token is required (DRIAD_ADMIN_TOKEN)");
    denied.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"driad\"");
    return denied;
  }

  const bool post = path == "/api/v1/reload";
  const char* allowed = post ? "POST" : "GET";
  const bool known = is_open(path) || post || path == "/api/v1/state" ||
                     path == "/api/v1/decisions" || path == "/api/v1/explain";
  if (!known) return error(404, "no such path: " + path);
  if (request.method != allowed) {
    HttpResponse refused = error(405, std::string(allowed) + " only");
    refused.headers.emplace_back("Allow", allowed);
    return refused;
  }

  if (path == "/healthz") return text(200, "ok\n");
  if (path == "/readyz") {
    const Readiness readiness = backend_.readiness();
    return readiness.ready ? text(200, "ready\n")
                           : text(503, "not ready: " + readiness.reason + "\n");
  }
  if (path == "/metrics") {
    return {200, "text/plain; version=0.0.4; charset=utf-8", render_metrics(backend_.status()), {}};
  }
  if (path == "/api/v1/state") return json_response(200, state_json(backend_.status()));
  if (path == "/api/v1/decisions") {
    std::size_t limit = kDefaultDecisions;
    if (const auto given = target->param("limit")) {
      const auto [end, parsed] =
          std::from_chars(given->data(), given->data() + given->size(), limit);
      if (parsed != std::errc() || end != given->data() + given->size() || limit == 0) {
        return error(400, "limit: '" + *given + "' is not a positive number");
      }
      limit = std::min(limit, kMaxDecisions);
    }
    return json_response(200, decisions_json(backend_.decisions(limit)));
  }
  if (path == "/api/v1/explain") {
    const auto source = target->param("source");
    if (!source || source->empty()) return error(400, "source=IP is required");
    auto explained = backend_.explain(*source, target->param("client").value_or(""));
    if (!explained) return error(400, explained.error());
    return json_response(200, explanation_json(*explained));
  }
  const ReloadResult result = backend_.reload();
  return json_response(result.ok ? 200 : 422, reload_json(result));
}

}  // namespace driad::admin
