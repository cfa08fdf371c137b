// The Traffic Ops answers to-sim serves, read from a fixtures folder such as
// tests/fixtures/trafficops/ (same file names; see its README).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace driad::tosim {

struct Fixtures {
  // Data: each a {"response": [...]} body.
  nlohmann::json servers_v4;   // servers.json (API 4.x)
  nlohmann::json servers_v5;   // servers-v5.json (API 5.x)
  nlohmann::json cachegroups;  // cachegroups.json
  nlohmann::json profiles;     // profiles.json
  nlohmann::json parameters;   // profile-parameters.json
  // Answers: each an {"alerts": [...]} body.
  nlohmann::json login_ok;           // login-ok.json
  nlohmann::json login_failed;       // login-failed.json
  nlohmann::json login_bad_request;  // login-bad-request.json
  nlohmann::json unauthorized;       // unauthorized.json
  nlohmann::json error_500;          // error-500.json
};

// Reads every file above from `dir`; the error names the file and the fault.
tl::expected<Fixtures, std::string> LoadFixtures(const std::string& dir);

// `text` as a data body: a JSON object whose "response" is an array.
tl::expected<nlohmann::json, std::string> ParseDataBody(std::string_view text);

// {"alerts":[{"text": text, "level": level}]}, Traffic Ops' error envelope.
nlohmann::json Alerts(std::string_view text, std::string_view level = "error");

}  // namespace driad::tosim
