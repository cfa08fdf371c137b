// The HTTP exchange as to-sim's router sees it: a request reduced to the parts
// Traffic Ops looks at, a response to send, and helpers that read targets,
// query strings, cookies and bearer tokens. No sockets here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace driad::tosim {

struct Request {
  std::string method;             // "GET", "POST", ...
  std::string target;             // path and query as sent
  std::string cookie;             // every Cookie header, joined with "; "
  std::string authorization;      // the Authorization header
  std::string if_modified_since;  // the If-Modified-Since header
  std::string body;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";  // empty: no Content-Type (304)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Set-Cookie, Last-Modified
  // Send nothing: the server holds the connection until the client gives up
  // (or its hang limit passes).
  bool hang = false;

  // The first header called `name` (case-sensitive, as set here), or nullopt.
  std::optional<std::string> Header(std::string_view name) const;
};

// "/a/b?x=1" → {"/a/b", "x=1"}.
std::pair<std::string_view, std::string_view> SplitTarget(std::string_view target);

// %XX and '+' decoded; a malformed escape is kept as it is.
std::string PercentDecode(std::string_view text);

// The decoded value of the first `key` in a query string, or nullopt.
std::optional<std::string> QueryValue(std::string_view query, std::string_view key);

// Every value of cookie `name` in a Cookie header ("a=1; b=2"); a client may
// send an old and a new one.
std::vector<std::string> CookieValues(std::string_view header, std::string_view name);

// The token of "Bearer TOKEN" (scheme case-insensitive), or nullopt.
std::optional<std::string> BearerToken(std::string_view authorization);

// Path segments without empty ones: "/api/4.0/servers/" → {"api","4.0","servers"}.
std::vector<std::string_view> Segments(std::string_view path);

std::string_view Trim(std::string_view text);

}  // namespace driad::tosim
