// The admin routes without sockets: which paths answer what, the bearer
// token (401 with WWW-Authenticate; /healthz, /readyz and /metrics open),
// methods, query strings and the JSON bodies.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "admin/routes.hpp"

namespace driad::admin {
namespace {

using nlohmann::json;

class FakeBackend final : public Backend {
 public:
  Readiness ready{true, "ready"};
  mutable std::size_t last_limit = 0;
  int reloads = 0;
  bool reload_ok = true;
  mutable std::string explained_source;
  mutable std::string explained_client;

  Readiness readiness() const override { return ready; }
  Status status() const override {
    Status status;
    status.version = "9.9.9";
    status.ready = ready.ready;
    status.zones = {{"100.51.198.in-addr.arpa.", 7}};
    return status;
  }
  std::vector<DecisionRecord> decisions(std::size_t limit) const override {
    last_limit = limit;
    return {{1000, "east", "", "gateway_only", "mx_unknown", "MX not yet proven healthy", "d1"},
            {2000, "east", "gateway_only", "mx_first", "mx_healthy", "MX healthy", "d2"}};
  }
  tl::expected<Explanation, std::string> explain(std::string_view source,
                                                 std::string_view client) const override {
    explained_source = std::string(source);
    explained_client = std::string(client);
    if (source == "bad")
      return tl::make_unexpected(std::string("source: 'bad' is not an IP address"));
    Explanation out;
    out.source = std::string(source);
    out.rrset = {"x. 60 IN AMTRELAY 10 0 1 192.0.2.1"};
    return out;
  }
  ReloadResult reload() override {
    ++reloads;
    ReloadResult result;
    result.ok = reload_ok;
    if (!reload_ok) result.errors = {"f.json: /zones: missing"};
    return result;
  }
};

HttpResponse call(const Router& router, const std::string& method, const std::string& target,
                  const std::string& authorization = "") {
  return router.handle({method, target, authorization, ""});
}

std::string header(const HttpResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return {};
}

TEST(Target, SplitsAndDecodes) {
  auto target =
      parse_target("/api/v1/explain?source=198.51.100.12&client=2001%3Adb8%3A%3A1&x=a+b&=&y");
  ASSERT_TRUE(target) << target.error();
  EXPECT_EQ(target->path, "/api/v1/explain");
  EXPECT_EQ(target->param("source"), "198.51.100.12");
  EXPECT_EQ(target->param("client"), "2001:db8::1");
  EXPECT_EQ(target->param("x"), "a b");
  EXPECT_EQ(target->param("y"), "");
  EXPECT_FALSE(target->param("z"));
  EXPECT_FALSE(parse_target("/a?b=%4"));
  EXPECT_FALSE(parse_target("/a?b=%zz"));
}

TEST(Token, BearerMatchesExactly) {
  EXPECT_TRUE(bearer_matches("Bearer s3cret", "s3cret"));
  EXPECT_TRUE(bearer_matches("bearer s3cret", "s3cret"));
  EXPECT_FALSE(bearer_matches("Bearer s3cre", "s3cret"));
  EXPECT_FALSE(bearer_matches("Bearer s3cretX", "s3cret"));
  EXPECT_FALSE(bearer_matches("Bearer S3cret", "s3cret"));
  EXPECT_FALSE(bearer_matches("Basic s3cret", "s3cret"));
  EXPECT_FALSE(bearer_matches("s3cret", "s3cret"));
  EXPECT_FALSE(bearer_matches("Bearer ", ""));  // an empty token never matches
}

TEST(Router, TokenGuardsTheApiButNotProbesOrMetrics) {
  FakeBackend backend;
  const Router router(backend, "s3cret");
  for (const char* path :
       {"/api/v1/state", "/api/v1/decisions", "/api/v1/explain?source=1.2.3.4", "/nope"}) {
    const HttpResponse denied = call(router, "GET", path);
    EXPECT_EQ(denied.status, 401U) << path;
    EXPECT_EQ(header(denied, "WWW-Authenticate"), "Bearer realm=\"driad\"") << path;
    EXPECT_EQ(call(router, "GET", path, "Bearer wrong").status, 401U) << path;
    EXPECT_EQ(denied.body.find("s3cret"), std::string::npos);
  }
  EXPECT_EQ(call(router, "POST", "/api/v1/reload").status, 401U);
  EXPECT_EQ(backend.reloads, 0);
  EXPECT_EQ(call(router, "GET", "/api/v1/state", "Bearer s3cret").status, 200U);
  EXPECT_EQ(call(router, "POST", "/api/v1/reload", "Bearer s3cret").status, 200U);
  EXPECT_EQ(backend.reloads, 1);
  for (const char* path : {"/healthz", "/readyz", "/metrics"}) {
    EXPECT_EQ(call(router, "GET", path).status, 200U) << path;
  }
}

TEST(Router, NoTokenConfiguredMeansNoneAsked) {
  FakeBackend backend;
  const Router router(backend, "");
  EXPECT_EQ(call(router, "GET", "/api/v1/state").status, 200U);
  EXPECT_EQ(call(router, "GET", "/api/v1/state", "Bearer anything").status, 200U);
}

TEST(Router, ProbesSayWhy) {
  FakeBackend backend;
  const Router router(backend, "");
  const HttpResponse health = call(router, "GET", "/healthz");
  EXPECT_EQ(health.body, "ok\n");
  EXPECT_EQ(call(router, "GET", "/readyz").body, "ready\n");
  backend.ready = {false, "no snapshot is loaded"};
  const HttpResponse ready = call(router, "GET", "/readyz");
  EXPECT_EQ(ready.status, 503U);
  EXPECT_EQ(ready.body, "not ready: no snapshot is loaded\n");
  EXPECT_EQ(call(router, "GET", "/healthz").status, 200U);
}

TEST(Router, MethodsAndUnknownPaths) {
  FakeBackend backend;
  const Router router(backend, "");
  const HttpResponse post_state = call(router, "POST", "/api/v1/state");
  EXPECT_EQ(post_state.status, 405U);
  EXPECT_EQ(header(post_state, "Allow"), "GET");
  const HttpResponse get_reload = call(router, "GET", "/api/v1/reload");
  EXPECT_EQ(get_reload.status, 405U);
  EXPECT_EQ(header(get_reload, "Allow"), "POST");
  EXPECT_EQ(backend.reloads, 0);
  EXPECT_EQ(call(router, "GET", "/api/v2/state").status, 404U);
  EXPECT_EQ(call(router, "GET", "/").status, 404U);
}

TEST(Router, BodiesAreTheViews) {
  FakeBackend backend;
  const Router router(backend, "");
  const HttpResponse metrics = call(router, "GET", "/metrics");
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics.body.find("driad_build_info{version=\"9.9.9\"} 1"), std::string::npos);
  const json state = json::parse(call(router, "GET", "/api/v1/state").body);
  EXPECT_EQ(state["version"], "9.9.9");
  EXPECT_EQ(state["zones"][0]["serial"], 7);

  const json decisions = json::parse(call(router, "GET", "/api/v1/decisions?limit=2").body);
  EXPECT_EQ(backend.last_limit, 2U);
  ASSERT_EQ(decisions["decisions"].size(), 2U);
  EXPECT_TRUE(decisions["decisions"][0]["from"].is_null());
  EXPECT_EQ(decisions["decisions"][1]["from"], "gateway_only");
  EXPECT_EQ(decisions["decisions"][1]["to"], "mx_first");
  call(router, "GET", "/api/v1/decisions");
  EXPECT_EQ(backend.last_limit, 50U);
  call(router, "GET", "/api/v1/decisions?limit=100000");
  EXPECT_EQ(backend.last_limit, Router::kMaxDecisions);
  EXPECT_EQ(call(router, "GET", "/api/v1/decisions?limit=0").status, 400U);
  EXPECT_EQ(call(router, "GET", "/api/v1/decisions?limit=x").status, 400U);
}

TEST(Router, ExplainTakesSourceAndClient) {
  FakeBackend backend;
  const Router router(backend, "");
  const HttpResponse ok =
      call(router, "GET", "/api/v1/explain?source=198.51.100.12&client=127.0.0.1");
  ASSERT_EQ(ok.status, 200U);
  EXPECT_EQ(backend.explained_source, "198.51.100.12");
  EXPECT_EQ(backend.explained_client, "127.0.0.1");
  EXPECT_EQ(json::parse(ok.body)["rrset"][0], "x. 60 IN AMTRELAY 10 0 1 192.0.2.1");
  call(router, "GET", "/api/v1/explain?source=198.51.100.12");
  EXPECT_EQ(backend.explained_client, "");
  EXPECT_EQ(call(router, "GET", "/api/v1/explain").status, 400U);
  const HttpResponse bad = call(router, "GET", "/api/v1/explain?source=bad");
  EXPECT_EQ(bad.status, 400U);
  EXPECT_EQ(json::parse(bad.body)["error"], "source: 'bad' is not an IP address");
}

TEST(Router, RejectedReloadIs422WithTheErrors) {
  FakeBackend backend;
  backend.reload_ok = false;
  const Router router(backend, "");
  const HttpResponse response = call(router, "POST", "/api/v1/reload");
  EXPECT_EQ(response.status, 422U);
  const json body = json::parse(response.body);
  EXPECT_FALSE(body["ok"]);
  EXPECT_EQ(body["errors"][0], "f.json: /zones: missing");
}

}  // namespace
}  // namespace driad::admin
