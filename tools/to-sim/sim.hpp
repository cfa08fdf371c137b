// to-sim's router and state: one request in, one response out, with the
// sessions, the data sets and their change times, the failure mode and the
// counters a test reads. No sockets and no clock reads (time is an argument).
// Not thread-safe: the server calls it from its one io_context thread.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tools/to-sim/fixtures.hpp"
#include "tools/to-sim/http_date.hpp"
#include "tools/to-sim/message.hpp"

namespace driad::tosim {

// How /api/ requests other than ping are answered (POST /_sim/mode).
enum class Mode : std::uint8_t {
  ok,          // normally
  error500,    // 500 with error-500.json
  hang,        // never (the server holds the connection)
  garbage,     // 200 with a body that is not JSON
  truncated,   // the normal answer with the body cut in half
  login_fail,  // normally, except that every login gets 401
};

std::optional<Mode> ParseMode(std::string_view text);
std::string_view ToString(Mode mode);

struct Credentials {
  std::string user = "admin";
  std::string password = "twelve12";
};

// What GET /_sim/stats reports. A request counts once its handler ran, so
// error500/hang/garbage answers count only in `requests`.
struct Stats {
  std::uint64_t requests = 0;        // /api/ requests, ping included
  std::uint64_t logins = 0;          // successful logins
  std::uint64_t login_failures = 0;  // logins answered 400 or 401
  std::uint64_t servers = 0;         // GET servers answered 200 or 304
  std::uint64_t cachegroups = 0;     // GET cachegroups answered 200 or 304
  std::uint64_t profiles = 0;        // GET profiles answered
  std::uint64_t parameters = 0;      // GET profile parameters answered (any status)
  std::uint64_t not_modified = 0;    // 304 answers
  std::uint64_t unauthorized = 0;    // 401 answers to calls that need a session
};

class Sim {
 public:
  // `start` is the initial last change of every data set.
  Sim(Fixtures fixtures, Credentials credentials, Clock::time_point start);

  Response Handle(const Request& request, Clock::time_point now);

  Mode mode() const { return mode_; }
  const Stats& stats() const { return stats_; }

 private:
  // One replaceable body per API major version (they differ only for servers).
  struct DataSet {
    nlohmann::json v4;
    nlohmann::json v5;
    Seconds last_change;
    const nlohmann::json& For(int major) const { return major >= 5 ? v5 : v4; }
  };

  // api.cpp: /api/<major>.<minor>/...
  Response Api(const Request& request, std::string_view path, std::string_view query);
  Response ApiCall(const Request& request, int major, std::string_view rest,
                   std::string_view query);
  Response Login(const Request& request);
  Response Servers(const Request& request, int major, std::string_view query);
  Response Cachegroups(const Request& request, int major);
  Response Profiles(int major, std::string_view query);
  Response Parameters(int major, std::string_view by, std::string_view key);
  // 304 when If-Modified-Since is at or after `set.last_change`; else `body`.
  // Either way with Last-Modified.
  Response Conditional(const Request& request, const DataSet& set, const nlohmann::json& body);
  bool Authenticated(const Request& request) const;

  // control.cpp: /_sim/...
  Response Control(const Request& request, std::string_view path, Seconds now);
  Response Replace(const Request& request, DataSet& set, Seconds now);
  nlohmann::json StatsJson() const;

  std::string NewToken();

  Fixtures fixtures_;  // the alert answers (data lives in the sets below)
  Credentials credentials_;
  DataSet servers_, cachegroups_, profiles_, parameters_;
  Mode mode_ = Mode::ok;
  std::set<std::string> mojolicious_;    // issued `mojolicious` cookie values
  std::set<std::string> access_tokens_;  // issued `access_token` values (cookie or Bearer)
  Stats stats_;
  std::mt19937_64 random_;
};

// A JSON response with `status`.
Response Json(unsigned status, const nlohmann::json& body);
// A text/plain response with `status`.
Response Text(unsigned status, std::string body);

}  // namespace driad::tosim
