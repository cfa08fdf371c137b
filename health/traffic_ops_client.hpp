// A blocking Traffic Ops API client (libcurl) that fetches the relay
// topology: AMT_RELAY servers, cachegroups and the MX profile's gnmi.port.
// One curl handle is reused, so the connection and the login cookie stay
// alive between fetches; cookies live in memory only.
//
// Threading: one thread calls fetch() (the feed's); abort() may be called
// from any thread and makes the request in flight, and every later one, fail
// with "stopped" within about a second (libcurl's progress callback rate).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "health/topology.hpp"

namespace driad::health {

struct TrafficOpsSettings {
  std::string url;                  // base: "https://to.example.net", "http://127.0.0.1:8080"
  std::string api_version = "4.0";  // "4.0", "4.1", "5.0": requests go to /api/<version>/...
  std::string cdn;                  // keep only this CDN's relays; empty: every CDN
  std::string ca_file;              // PEM roots for the server certificate; empty: system CAs
  bool insecure = false;            // no peer or host name verification (the feed warns)
  std::chrono::milliseconds timeout{10'000};  // per request, connect to last byte
  std::string user;
  std::string password;  // never logged
};

struct FetchResult {
  // The whole topology; nullopt when servers and cachegroups both answered
  // 304 Not Modified and the gnmi.port is unchanged.
  std::optional<Topology> topology;
  bool not_modified() const { return !topology.has_value(); }
};

class TrafficOpsClient {
 public:
  // Checks the settings (URL scheme, API version, CA file readable) and sets
  // up the curl handle; does not connect.
  static tl::expected<std::unique_ptr<TrafficOpsClient>, std::string> create(
      TrafficOpsSettings settings);
  ~TrafficOpsClient();
  TrafficOpsClient(const TrafficOpsClient&) = delete;
  TrafficOpsClient& operator=(const TrafficOpsClient&) = delete;

  // Logs in when it has no session (and once more on a 401), then GETs
  // /servers?type=AMT_RELAY, /cachegroups and
  // /profiles/name/AMT_RELAY_MX_PROFILE/parameters (404: no gnmi.port), each
  // with If-Modified-Since = the Last-Modified of the last accepted answer.
  // Errors say which request and why: "GET /api/4.0/cachegroups: HTTP 500:
  // Internal Server Error", "...: timed out after 2000 ms", "...: /response:
  // missing", "login: 401 Invalid username or password.". A failed fetch
  // leaves the client's notion of "last accepted" unchanged.
  tl::expected<FetchResult, std::string> fetch();

  void abort();

  const TrafficOpsSettings& settings() const { return settings_; }

 private:
  struct Response {
    long status = 0;
    std::string reason;  // of the status line: "Internal Server Error"
    std::string body;
    std::string last_modified;
  };
  // One part of the topology as last accepted, and the Last-Modified it came with.
  template <typename T>
  struct Cached {
    std::optional<T> value;
    std::string last_modified;
  };
  template <typename T>
  struct Fetched {
    T value;
    std::string last_modified;
    bool modified = true;  // false: 304, `value` is the cached one
  };

  explicit TrafficOpsClient(TrafficOpsSettings settings);
  tl::expected<void, std::string> configure();
  // One HTTP exchange; errors are transport errors only ("timed out after ...").
  tl::expected<Response, std::string> perform(const std::string& path, const std::string* post_body,
                                              const std::string& if_modified_since);
  tl::expected<void, std::string> login();
  // GET with the session: logs in first if needed, and again once on a 401.
  tl::expected<Response, std::string> get(const std::string& path,
                                          const std::string& if_modified_since);
  template <typename T, typename Parse>
  tl::expected<Fetched<T>, std::string> fetch_part(const std::string& path, const Cached<T>& cached,
                                                   Parse parse, bool not_found_is_empty);
  std::string api_path(const std::string& endpoint) const;

  const TrafficOpsSettings settings_;
  void* curl_ = nullptr;  // the CURL easy handle (curl.h stays out of this header)
  std::vector<char> curl_error_;
  std::atomic<bool> aborted_{false};
  bool logged_in_ = false;
  Cached<std::vector<RelayServer>> servers_;
  Cached<std::vector<Cachegroup>> cachegroups_;
  Cached<std::optional<std::uint16_t>> gnmi_port_;
};

}  // namespace driad::health
