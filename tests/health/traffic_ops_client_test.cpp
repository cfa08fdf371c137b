// TrafficOpsClient against the real to-sim binary on loopback: login,
// sessions, If-Modified-Since, every failure mode, API 5, and HTTPS with and
// without the CA.
#include "health/traffic_ops_client.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "health/traffic_ops_json.hpp"
#include "tests/health/to_sim_process.hpp"

namespace driad::health {
namespace {

using namespace std::chrono_literals;
using testing::kSimPassword;
using testing::kSimUser;
using testing::ToSimProcess;
using testing::TrafficOpsFixture;

const std::string kServersPath = "GET /api/4.0/servers?type=AMT_RELAY";

Topology FixtureTopology() {
  Topology topology;
  topology.servers = parse_servers(TrafficOpsFixture("servers.json")).value();
  topology.cachegroups = parse_cachegroups(TrafficOpsFixture("cachegroups.json")).value();
  topology.mx_gnmi_port = 32767;
  return topology;
}

class TrafficOpsClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sim = ToSimProcess::Start();
    ASSERT_TRUE(sim) << sim.error();
    sim_ = std::move(*sim);
  }
  TrafficOpsSettings Settings() const {
    TrafficOpsSettings settings;
    settings.url = sim_->url();
    settings.user = kSimUser;
    settings.password = kSimPassword;
    settings.timeout = 5s;
    return settings;
  }
  std::unique_ptr<TrafficOpsClient> Client(const TrafficOpsSettings& settings) {
    auto client = TrafficOpsClient::create(settings);
    EXPECT_TRUE(client) << client.error();
    return client ? std::move(*client) : nullptr;
  }
  // A client that has fetched once, so it holds a session and Last-Modified dates.
  std::unique_ptr<TrafficOpsClient> Fetched(const TrafficOpsSettings& settings) {
    auto client = Client(settings);
    auto first = client->fetch();
    EXPECT_TRUE(first) << first.error();
    return client;
  }
  void Mode(const std::string& mode) {
    auto set = sim_->SetMode(mode);
    ASSERT_TRUE(set) << set.error();
  }

  std::unique_ptr<ToSimProcess> sim_;
};

TEST_F(TrafficOpsClientTest, LogsInThenFetchesTheWholeTopology) {
  auto client = Client(Settings());
  auto result = client->fetch();
  ASSERT_TRUE(result) << result.error();
  ASSERT_FALSE(result->not_modified());
  EXPECT_EQ(*result->topology, FixtureTopology());
  EXPECT_EQ(sim_->Stat("logins"), 1);
  EXPECT_EQ(sim_->Stat("servers"), 1);
  EXPECT_EQ(sim_->Stat("cachegroups"), 1);
  EXPECT_EQ(sim_->Stat("parameters"), 1);
}

TEST_F(TrafficOpsClientTest, ApiFiveGivesTheSameTopology) {
  TrafficOpsSettings settings = Settings();
  settings.api_version = "5.0";
  settings.cdn = "mcast-cdn";
  auto result = Client(settings)->fetch();
  ASSERT_TRUE(result) << result.error();
  ASSERT_FALSE(result->not_modified());
  EXPECT_EQ(*result->topology, FixtureTopology());
}

TEST_F(TrafficOpsClientTest, WrongPasswordIsALoginError) {
  TrafficOpsSettings settings = Settings();
  settings.password = "wrong";
  auto result = Client(settings)->fetch();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), "login: 401 Invalid username or password.");
  EXPECT_EQ(sim_->Stat("login_failures"), 1);
  EXPECT_EQ(sim_->Stat("servers"), 0);
}

TEST_F(TrafficOpsClientTest, LoginFailModeIsALoginError) {
  Mode("login-fail");
  auto result = Client(Settings())->fetch();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), "login: 401 Invalid username or password.");
}

TEST_F(TrafficOpsClientTest, SecondFetchIsNotModified) {
  auto client = Fetched(Settings());
  const auto before = sim_->Stat("not_modified");
  auto second = client->fetch();
  ASSERT_TRUE(second) << second.error();
  EXPECT_TRUE(second->not_modified());
  // Servers and cachegroups both answered 304.
  EXPECT_EQ(sim_->Stat("not_modified"), before + 2);
  EXPECT_EQ(sim_->Stat("logins"), 1);
}

TEST_F(TrafficOpsClientTest, ExpiredSessionLogsInAgain) {
  auto client = Fetched(Settings());
  ASSERT_EQ(sim_->Stat("logins"), 1);
  ASSERT_TRUE(sim_->Control("POST", "/_sim/expire-sessions"));
  auto again = client->fetch();
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(sim_->Stat("logins"), 2);
  EXPECT_GE(sim_->Stat("unauthorized"), 1);
}

TEST_F(TrafficOpsClientTest, ChangedServersAreFetchedWhole) {
  auto client = Fetched(Settings());
  auto body = nlohmann::json::parse(TrafficOpsFixture("servers.json"));
  body["response"][1]["status"] = "ADMIN_DOWN";
  ASSERT_TRUE(sim_->Control("PUT", "/_sim/servers", body.dump()));
  auto changed = client->fetch();
  ASSERT_TRUE(changed) << changed.error();
  ASSERT_FALSE(changed->not_modified());
  Topology expected = FixtureTopology();
  expected.servers[0].status = "ADMIN_DOWN";  // amtgw-use-01 sorts first
  EXPECT_EQ(*changed->topology, expected);
}

TEST_F(TrafficOpsClientTest, ServerErrorsAreErrorValues) {
  auto client = Fetched(Settings());
  Mode("error500");
  auto failed = client->fetch();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error(), kServersPath + ": HTTP 500: Internal Server Error");

  Mode("garbage");
  failed = client->fetch();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().rfind(kServersPath + ": not JSON: parse error at line 1, column 1", 0),
            0U)
      << failed.error();

  // Truncation needs a 200: a fresh client has no dates to get a 304 with.
  Mode("truncated");
  failed = Client(Settings())->fetch();
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().find("not JSON: parse error"), std::string::npos) << failed.error();

  // The failures did not spoil the last accepted dates: back to 304s.
  Mode("ok");
  auto recovered = client->fetch();
  ASSERT_TRUE(recovered) << recovered.error();
  EXPECT_TRUE(recovered->not_modified());
}

TEST_F(TrafficOpsClientTest, HangTimesOut) {
  TrafficOpsSettings settings = Settings();
  settings.timeout = 1s;
  auto client = Fetched(settings);
  Mode("hang");
  auto failed = client->fetch();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error(), kServersPath + ": timed out after 1000 ms");
}

TEST_F(TrafficOpsClientTest, AbortEndsAHangingRequest) {
  TrafficOpsSettings settings = Settings();
  settings.timeout = 60s;
  auto client = Fetched(settings);
  Mode("hang");
  std::thread aborter([&client] {
    std::this_thread::sleep_for(300ms);
    client->abort();
  });
  const auto started = std::chrono::steady_clock::now();
  auto failed = client->fetch();
  const auto took = std::chrono::steady_clock::now() - started;
  aborter.join();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error(), kServersPath + ": stopped");
  // Far from the 60 s timeout: the abort, not the timeout, ended it.
  EXPECT_LT(took, 10s);
  // And it stays aborted.
  EXPECT_FALSE(client->fetch());
}

TEST_F(TrafficOpsClientTest, ConnectionRefusedIsAnError) {
  // A port that was free a moment ago and has no listener now.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ::close(fd);
  TrafficOpsSettings settings = Settings();
  settings.url = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/";
  auto failed = Client(settings)->fetch();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().rfind("login: POST /api/4.0/user/login: ", 0), 0U) << failed.error();
  EXPECT_NE(failed.error().find("onnect"), std::string::npos) << failed.error();
}

TEST(TrafficOpsClientSettings, BadSettingsAreRefused) {
  TrafficOpsSettings settings;
  settings.url = "ftp://to.example.net";
  auto client = TrafficOpsClient::create(settings);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error(),
            "traffic ops url \"ftp://to.example.net\": not an http:// or https:// URL");
  settings.url = "https://to.example.net";
  settings.api_version = "4";
  client = TrafficOpsClient::create(settings);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error(), "traffic ops api_version \"4\": not <major>.<minor>");
  settings.api_version = "4.1";
  settings.ca_file = "/nonexistent/ca.pem";
  client = TrafficOpsClient::create(settings);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error(),
            "traffic ops ca_file /nonexistent/ca.pem: cannot open: No such file or directory");
}

class TrafficOpsClientTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cert = testing::SelfSignedCert::Make();
    ASSERT_TRUE(cert) << cert.error();
    cert_ = std::move(*cert);
    auto sim =
        ToSimProcess::Start({"--tls-cert", cert_->cert_file(), "--tls-key", cert_->key_file()});
    ASSERT_TRUE(sim) << sim.error();
    sim_ = std::move(*sim);
    ASSERT_EQ(sim_->url().rfind("https://", 0), 0U);
  }
  tl::expected<FetchResult, std::string> Fetch(const std::string& ca_file, bool insecure) {
    TrafficOpsSettings settings;
    settings.url = sim_->url();
    settings.user = kSimUser;
    settings.password = kSimPassword;
    settings.timeout = 5s;
    settings.ca_file = ca_file;
    settings.insecure = insecure;
    auto client = TrafficOpsClient::create(settings);
    if (!client) return tl::unexpected(client.error());
    return (*client)->fetch();
  }

  std::unique_ptr<testing::SelfSignedCert> cert_;
  std::unique_ptr<ToSimProcess> sim_;
};

TEST_F(TrafficOpsClientTlsTest, WithTheCaFileItWorks) {
  auto result = Fetch(cert_->cert_file(), false);
  ASSERT_TRUE(result) << result.error();
  ASSERT_FALSE(result->not_modified());
  EXPECT_EQ(*result->topology, FixtureTopology());
}

TEST_F(TrafficOpsClientTlsTest, WithoutTheCaItFails) {
  auto result = Fetch("", false);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().rfind("login: POST /api/4.0/user/login: ", 0), 0U) << result.error();
  EXPECT_NE(result.error().find("certificate"), std::string::npos) << result.error();
}

TEST_F(TrafficOpsClientTlsTest, InsecureWorksWithoutTheCa) {
  auto result = Fetch("", true);
  ASSERT_TRUE(result) << result.error();
  EXPECT_FALSE(result->not_modified());
}

}  // namespace
}  // namespace driad::health
