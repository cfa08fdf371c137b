// Unit tests of to-sim's router and state (Sim): login and sessions, the
// session check, data and version differences, If-Modified-Since, data
// replacement, failure modes and the control endpoints. Time is an argument,
// so every clock here is made up.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tools/to-sim/sim.hpp"

namespace driad::tosim {
namespace {

using std::chrono::seconds;

const Clock::time_point kStart = Clock::time_point(seconds(1780000000));

Request Make(std::string method, std::string target, std::string body = {}) {
  Request request;
  request.method = std::move(method);
  request.target = std::move(target);
  request.body = std::move(body);
  return request;
}

nlohmann::json Body(const Response& response) {
  return nlohmann::json::parse(response.body);
}

// The value of `name=` in a Set-Cookie header.
std::string CookieValue(const std::string& header, const std::string& name) {
  if (header.rfind(name + "=", 0) != 0) return {};
  return header.substr(name.size() + 1, header.find(';') - name.size() - 1);
}

class ToSimRouter : public ::testing::Test {
 protected:
  ToSimRouter() : sim_(LoadFixtures(TO_SIM_FIXTURES).value(), Credentials{}, kStart) {}

  Response Handle(const Request& request, seconds later = seconds(0)) {
    return sim_.Handle(request, kStart + later);
  }

  // Logs in; the Cookie header value to send afterwards and the bearer token.
  std::pair<std::string, std::string> Login() {
    const Response login =
        Handle(Make("POST", "/api/4.0/user/login", R"({"u":"admin","p":"twelve12"})"));
    EXPECT_EQ(login.status, 200u);
    std::string mojolicious, token;
    for (const auto& [name, value] : login.headers) {
      if (name != "Set-Cookie") continue;
      if (auto found = CookieValue(value, "mojolicious"); !found.empty()) mojolicious = found;
      if (auto found = CookieValue(value, "access_token"); !found.empty()) token = found;
    }
    return {"mojolicious=" + mojolicious, token};
  }

  Request Authed(std::string target, const std::string& cookie) {
    Request request = Make("GET", std::move(target));
    request.cookie = cookie;
    return request;
  }

  nlohmann::json Stats() { return Body(Handle(Make("GET", "/_sim/stats"))); }

  Sim sim_;
};

TEST_F(ToSimRouter, PingNeedsNoLogin) {
  const Response ping = Handle(Make("GET", "/api/4.0/ping"));
  EXPECT_EQ(ping.status, 200u);
  EXPECT_EQ(Body(ping), nlohmann::json({{"ping", "pong"}}));
  EXPECT_EQ(Handle(Make("GET", "/api/5.0/ping")).status, 200u);
}

TEST_F(ToSimRouter, LoginIssuesBothCookies) {
  const Response login =
      Handle(Make("POST", "/api/4.0/user/login", R"({"u":"admin","p":"twelve12"})"));
  ASSERT_EQ(login.status, 200u);
  EXPECT_EQ(login.content_type, "application/json");
  EXPECT_EQ(Body(login)["alerts"][0]["text"], "Successfully logged in.");
  std::vector<std::string> cookies;
  for (const auto& [name, value] : login.headers) {
    if (name == "Set-Cookie") cookies.push_back(value);
  }
  ASSERT_EQ(cookies.size(), 2u);
  EXPECT_GE(CookieValue(cookies[0], "mojolicious").size(), 16u);
  EXPECT_GE(CookieValue(cookies[1], "access_token").size(), 16u);
  for (const auto& cookie : cookies) {
    EXPECT_NE(cookie.find("; Path=/"), std::string::npos) << cookie;
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  }
  EXPECT_EQ(Stats()["logins"], 1);
}

TEST_F(ToSimRouter, LoginRejectsWrongEmptyAndMalformed) {
  const Response wrong = Handle(Make("POST", "/api/4.0/user/login", R"({"u":"admin","p":"nope"})"));
  EXPECT_EQ(wrong.status, 401u);
  EXPECT_EQ(Body(wrong)["alerts"][0]["text"], "Invalid username or password.");
  EXPECT_FALSE(wrong.Header("Set-Cookie"));
  const Response empty = Handle(Make("POST", "/api/4.0/user/login", R"({"u":"admin","p":""})"));
  EXPECT_EQ(empty.status, 400u);
  EXPECT_EQ(Body(empty)["alerts"][0]["text"], "username and password are required");
  EXPECT_EQ(Handle(Make("POST", "/api/4.0/user/login", R"({"u":"admin"})")).status, 400u);
  const Response garbage = Handle(Make("POST", "/api/4.0/user/login", "u=admin&p=twelve12"));
  EXPECT_EQ(garbage.status, 400u);
  EXPECT_TRUE(Body(garbage).contains("alerts"));
  EXPECT_EQ(Handle(Make("GET", "/api/4.0/user/login")).status, 405u);
  EXPECT_EQ(Stats()["login_failures"], 4);
  EXPECT_EQ(Stats()["logins"], 0);
}

TEST_F(ToSimRouter, EveryOtherCallNeedsASession) {
  for (const char* target : {"/api/4.0/servers", "/api/5.0/cachegroups", "/api/4.0/profiles",
                             "/api/4.0/profiles/31/parameters", "/api/4.0/no-such-thing"}) {
    const Response response = Handle(Make("GET", target));
    EXPECT_EQ(response.status, 401u) << target;
    EXPECT_EQ(Body(response)["alerts"][0]["text"], "unauthorized, please log in.");
  }
  Request forged = Make("GET", "/api/4.0/servers");
  forged.cookie = "mojolicious=0123456789abcdef0123456789abcdef";
  EXPECT_EQ(Handle(forged).status, 401u);
  EXPECT_EQ(Stats()["unauthorized"], 6);
}

TEST_F(ToSimRouter, AcceptsEitherCookieOrTheBearerToken) {
  const auto [cookie, token] = Login();
  EXPECT_EQ(Handle(Authed("/api/4.0/servers", cookie)).status, 200u);
  EXPECT_EQ(Handle(Authed("/api/4.0/servers", "other=1; access_token=" + token)).status, 200u);
  Request bearer = Make("GET", "/api/4.0/servers");
  bearer.authorization = "Bearer " + token;
  EXPECT_EQ(Handle(bearer).status, 200u);
  // The mojolicious value is not an access token.
  bearer.authorization = "Bearer " + cookie.substr(cookie.find('=') + 1);
  EXPECT_EQ(Handle(bearer).status, 401u);
}

TEST_F(ToSimRouter, ServesTheVersionsOwnServerShape) {
  const auto cookie = Login().first;
  const nlohmann::json v4 = Body(Handle(Authed("/api/4.0/servers?type=AMT_RELAY", cookie)));
  const nlohmann::json v5 = Body(Handle(Authed("/api/5.0/servers?type=AMT_RELAY", cookie)));
  ASSERT_EQ(v4["response"].size(), 4u);
  ASSERT_EQ(v5["response"].size(), 4u);
  EXPECT_EQ(v4["response"][0]["cachegroup"], "amt-us-east");
  EXPECT_EQ(v4["summary"]["count"], 4);
  EXPECT_EQ(v5["response"][0]["cacheGroup"], "amt-us-east");
  EXPECT_FALSE(v5.contains("summary"));
  const nlohmann::json edges = Body(Handle(Authed("/api/4.1/servers?type=EDGE", cookie)));
  EXPECT_TRUE(edges["response"].empty());
  EXPECT_EQ(edges["summary"]["count"], 0);
  EXPECT_EQ(Handle(Authed("/api/3.1/servers", cookie)).status, 404u);
  EXPECT_EQ(Handle(Authed("/api/four/servers", cookie)).status, 404u);
}

TEST_F(ToSimRouter, ServesCachegroupsProfilesAndParameters) {
  const auto cookie = Login().first;
  const nlohmann::json groups = Body(Handle(Authed("/api/4.0/cachegroups", cookie)));
  ASSERT_EQ(groups["response"].size(), 2u);
  EXPECT_EQ(groups["response"][0]["fallbacks"][0], "amt-us-west");

  const auto profiles = Body(Handle(Authed("/api/4.0/profiles?name=AMT_RELAY_MX_PROFILE", cookie)));
  ASSERT_EQ(profiles["response"].size(), 1u);
  EXPECT_EQ(profiles["response"][0]["id"], 31);
  EXPECT_TRUE(Body(Handle(Authed("/api/4.0/profiles?name=OTHER", cookie)))["response"].empty());

  for (const char* target : {"/api/4.0/profiles/name/AMT_RELAY_MX_PROFILE/parameters",
                             "/api/5.0/profiles/31/parameters"}) {
    const Response parameters = Handle(Authed(target, cookie));
    ASSERT_EQ(parameters.status, 200u) << target;
    EXPECT_EQ(Body(parameters)["response"][0]["name"], "gnmi.port") << target;
  }
  for (const char* target : {"/api/4.0/profiles/name/OTHER/parameters",
                             "/api/4.0/profiles/32/parameters", "/api/4.0/profiles/x/parameters"}) {
    const Response missing = Handle(Authed(target, cookie));
    EXPECT_EQ(missing.status, 404u) << target;
    EXPECT_TRUE(Body(missing).contains("alerts")) << target;
  }
  EXPECT_EQ(Stats()["parameters"], 5);
}

TEST_F(ToSimRouter, UnknownPathsAre404WithAlerts) {
  const auto cookie = Login().first;
  for (const char* target : {"/api/4.0/deliveryservices", "/api/4.0/servers/101/extra", "/",
                             "/index.html", "/_sim/nothing"}) {
    const Response response = Handle(Authed(target, cookie));
    EXPECT_EQ(response.status, 404u) << target;
    EXPECT_EQ(response.content_type, "application/json");
    EXPECT_EQ(Body(response)["alerts"][0]["level"], "error") << target;
  }
  Request post = Authed("/api/4.0/servers", cookie);
  post.method = "POST";
  EXPECT_EQ(Handle(post).status, 405u);
}

TEST_F(ToSimRouter, IfModifiedSinceAnswers304UntilTheDataChanges) {
  const auto cookie = Login().first;
  const Response first = Handle(Authed("/api/4.0/servers", cookie), seconds(5));
  ASSERT_EQ(first.status, 200u);
  const auto last_modified = first.Header("Last-Modified");
  ASSERT_TRUE(last_modified);
  EXPECT_EQ(ParseHttpDate(*last_modified), std::chrono::floor<seconds>(kStart));

  Request conditional = Authed("/api/4.0/servers", cookie);
  conditional.if_modified_since = *last_modified;
  const Response cached = Handle(conditional, seconds(5));
  EXPECT_EQ(cached.status, 304u);
  EXPECT_TRUE(cached.body.empty());
  EXPECT_EQ(cached.Header("Last-Modified"), last_modified);
  conditional.if_modified_since = FormatHttpDate(std::chrono::floor<seconds>(kStart) - seconds(1));
  EXPECT_EQ(Handle(conditional, seconds(5)).status, 200u);
  conditional.if_modified_since = "not a date";
  EXPECT_EQ(Handle(conditional, seconds(5)).status, 200u);

  // Replaced within the same second as the initial change: still a change.
  const Response put = Handle(Make("PUT", "/_sim/servers", R"({"response":[{"hostName":"new"}]})"));
  ASSERT_EQ(put.status, 200u) << put.body;
  conditional.if_modified_since = *last_modified;
  std::string newest;
  for (const char* target : {"/api/4.0/servers", "/api/5.0/servers"}) {
    conditional.target = target;
    const Response changed = Handle(conditional);
    ASSERT_EQ(changed.status, 200u) << target;
    EXPECT_EQ(Body(changed)["response"][0]["hostName"], "new") << target;
    const auto newer = ParseHttpDate(changed.Header("Last-Modified").value());
    EXPECT_GT(newer, ParseHttpDate(*last_modified));
    EXPECT_EQ(FormatHttpDate(*newer), Body(put)["lastModified"]);
    newest = *changed.Header("Last-Modified");
  }
  conditional.if_modified_since = newest;
  EXPECT_EQ(Handle(conditional).status, 304u);
  EXPECT_EQ(Stats()["not_modified"], 2);
  EXPECT_EQ(Stats()["servers"], 7);

  // The cachegroups have their own change time.
  Request groups = Authed("/api/4.0/cachegroups", cookie);
  groups.if_modified_since = *last_modified;
  EXPECT_EQ(Handle(groups).status, 304u);
}

TEST_F(ToSimRouter, ReplacementTakesTheClockWhenLater) {
  const Response put =
      Handle(Make("PUT", "/_sim/cachegroups", R"({"response":[]})"), seconds(3600));
  ASSERT_EQ(put.status, 200u);
  EXPECT_EQ(Body(put)["lastModified"],
            FormatHttpDate(std::chrono::floor<seconds>(kStart) + seconds(3600)));
  EXPECT_EQ(Body(put)["replaced"], 0);
}

TEST_F(ToSimRouter, ReplacementRejectsBadBodiesAndKeepsTheData) {
  for (const char* body : {"", "{", R"({"alerts":[]})", R"({"response":{}})", "[]"}) {
    const Response put = Handle(Make("PUT", "/_sim/servers", body));
    EXPECT_EQ(put.status, 400u) << body;
    EXPECT_TRUE(Body(put).contains("alerts")) << body;
  }
  EXPECT_EQ(Handle(Make("POST", "/_sim/servers", R"({"response":[]})")).status, 405u);
  const auto cookie = Login().first;
  EXPECT_EQ(Body(Handle(Authed("/api/4.0/servers", cookie)))["response"].size(), 4u);
  // Profiles and parameters can be replaced too (e.g. a gnmi.port of a test's own).
  ASSERT_EQ(
      Handle(Make("PUT", "/_sim/parameters", R"({"response":[{"name":"gnmi.port"}]})")).status,
      200u);
  EXPECT_EQ(Body(Handle(Authed("/api/4.0/profiles/31/parameters", cookie)))["response"].size(), 1u);
}

TEST_F(ToSimRouter, ExpiredSessionsNeedANewLogin) {
  const auto [cookie, token] = Login();
  const Response expired = Handle(Make("POST", "/_sim/expire-sessions"));
  EXPECT_EQ(expired.status, 200u);
  EXPECT_EQ(Handle(Authed("/api/4.0/servers", cookie)).status, 401u);
  Request bearer = Make("GET", "/api/4.0/servers");
  bearer.authorization = "Bearer " + token;
  EXPECT_EQ(Handle(bearer).status, 401u);
  const auto again = Login().first;
  EXPECT_NE(again, cookie);
  EXPECT_EQ(Handle(Authed("/api/4.0/servers", again)).status, 200u);
  EXPECT_EQ(Stats()["logins"], 2);
  EXPECT_EQ(Stats()["unauthorized"], 2);
}

TEST_F(ToSimRouter, ModeIsSetByNameAndUnknownNamesAreRejected) {
  for (const char* name : {"ok", "error500", "hang", "garbage", "truncated", "login-fail"}) {
    const Response set = Handle(Make("POST", "/_sim/mode", std::string(name) + "\n"));
    EXPECT_EQ(set.status, 200u) << name;
    EXPECT_EQ(set.body, "mode " + std::string(name));
    EXPECT_EQ(ToString(sim_.mode()), name);
    EXPECT_EQ(Stats()["mode"], name);
  }
  EXPECT_EQ(Handle(Make("POST", "/_sim/mode", "slow")).status, 400u);
  EXPECT_EQ(sim_.mode(), Mode::login_fail);
  EXPECT_EQ(Handle(Make("GET", "/_sim/mode")).status, 405u);
}

TEST_F(ToSimRouter, Error500HangAndGarbageReplaceEveryApiAnswerButPing) {
  const auto cookie = Login().first;
  Handle(Make("POST", "/_sim/mode", "error500"));
  for (const char* target : {"/api/4.0/servers", "/api/4.0/cachegroups", "/api/4.0/nothing"}) {
    const Response failed = Handle(Authed(target, cookie));
    EXPECT_EQ(failed.status, 500u) << target;
    EXPECT_EQ(Body(failed)["alerts"][0]["text"], "Internal Server Error");
  }
  EXPECT_EQ(Handle(Make("POST", "/api/4.0/user/login", R"({"u":"admin","p":"twelve12"})")).status,
            500u);
  EXPECT_EQ(Handle(Make("GET", "/api/4.0/ping")).status, 200u);

  Handle(Make("POST", "/_sim/mode", "hang"));
  EXPECT_TRUE(Handle(Authed("/api/4.0/servers", cookie)).hang);
  EXPECT_FALSE(Handle(Make("GET", "/api/4.0/ping")).hang);
  EXPECT_FALSE(Handle(Make("GET", "/_sim/stats")).hang);

  Handle(Make("POST", "/_sim/mode", "garbage"));
  const Response garbage = Handle(Authed("/api/4.0/servers", cookie));
  EXPECT_EQ(garbage.status, 200u);
  EXPECT_FALSE(garbage.body.empty());
  EXPECT_TRUE(nlohmann::json::parse(garbage.body, nullptr, false).is_discarded());
  // None of these reached a handler.
  EXPECT_EQ(Stats()["servers"], 0);
  EXPECT_EQ(Stats()["cachegroups"], 0);
}

TEST_F(ToSimRouter, TruncatedSendsTheFirstHalfOfTheRealBody) {
  const auto cookie = Login().first;
  const std::string whole = Handle(Authed("/api/5.0/servers", cookie)).body;
  Handle(Make("POST", "/_sim/mode", "truncated"));
  const Response cut = Handle(Authed("/api/5.0/servers", cookie));
  EXPECT_EQ(cut.status, 200u);
  EXPECT_EQ(cut.body, whole.substr(0, whole.size() / 2));
  EXPECT_TRUE(nlohmann::json::parse(cut.body, nullptr, false).is_discarded());
  EXPECT_EQ(Stats()["servers"], 2);
}

TEST_F(ToSimRouter, LoginFailModeRefusesTheRightPassword) {
  Handle(Make("POST", "/_sim/mode", "login-fail"));
  const Response refused =
      Handle(Make("POST", "/api/4.0/user/login", R"({"u":"admin","p":"twelve12"})"));
  EXPECT_EQ(refused.status, 401u);
  EXPECT_FALSE(refused.Header("Set-Cookie"));
  Handle(Make("POST", "/_sim/mode", "ok"));
  EXPECT_EQ(Handle(Authed("/api/4.0/servers", Login().first)).status, 200u);
  EXPECT_EQ(Stats()["login_failures"], 1);
}

TEST_F(ToSimRouter, StatsHasEveryCounter) {
  const nlohmann::json stats = Stats();
  for (const char* key : {"logins", "login_failures", "servers", "cachegroups", "not_modified",
                          "unauthorized", "parameters", "requests", "profiles"}) {
    ASSERT_TRUE(stats.contains(key)) << key;
    EXPECT_EQ(stats[key], 0) << key;
  }
  EXPECT_EQ(Handle(Make("POST", "/_sim/stats")).status, 405u);
}

}  // namespace
}  // namespace driad::tosim
