// One admin HTTP exchange as plain data: what the server read and what the
// router answers. No Beast types here, so the router is tested without sockets.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace driad::admin {

struct HttpRequest {
  std::string method;         // "GET", "POST"
  std::string target;         // "/api/v1/explain?source=198.51.100.12"
  std::string authorization;  // the Authorization header as sent; never logged
  std::string body;
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
};

}  // namespace driad::admin
