// MxFeed over mTLS against the real mx-sim, with throwaway certificates made
// by the openssl command for this run only: an ECDSA P-256 PKI and an
// Ed25519 one, and a client certificate from a CA the server does not trust.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "health/mx_feed.hpp"
#include "tests/health/feed_recorder.hpp"
#include "tests/tools/mx_sim_process.hpp"

namespace driad::health {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using mxsim::testing::MxSimProcess;
using policy::MxState;

constexpr const char* kExtensions = R"([ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
[server]
basicConstraints = critical,CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:mx1.example.net
[client]
basicConstraints = critical,CA:FALSE
extendedKeyUsage = clientAuth
)";

// A temporary directory of CA, server and client key pairs of one algorithm,
// plus a "stranger" client signed by another CA.
class Pki {
 public:
  explicit Pki(bool ed25519) : ed25519_(ed25519) {
    char pattern[] = "/tmp/driad-health-tls-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) return;
    dir_ = pattern;
    std::ofstream(dir_ / "ext.cnf") << kExtensions;
    ok_ = Ca("ca") && Ca("other-ca") && Leaf("server", "ca", "server") &&
          Leaf("client", "ca", "client") && Leaf("stranger", "other-ca", "client");
  }
  ~Pki() {
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }
  bool ok() const { return ok_; }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  const std::string& log() const { return log_; }

 private:
  bool Run(const std::string& command) {
    const std::string full = "cd '" + dir_.string() + "' && " + command + " >>openssl.log 2>&1";
    if (std::system(full.c_str()) == 0) return true;
    std::ifstream in(dir_ / "openssl.log");
    std::ostringstream text;
    text << in.rdbuf();
    log_ = "failed: " + command + "\n" + text.str();
    return false;
  }
  bool Key(const std::string& name) {
    return Run(ed25519_ ? "openssl genpkey -algorithm ED25519 -out " + name + ".key"
                        : "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                              name + ".key");
  }
  // Ed25519 signs the message itself: no separate digest may be named.
  std::string Digest() const { return ed25519_ ? "" : " -sha256"; }
  bool Ca(const std::string& name) {
    return Key(name) &&
           Run("openssl req -new -key " + name + ".key -subj '/CN=driad test " + name + "' -out " +
               name + ".csr") &&
           Run("openssl x509 -req -in " + name + ".csr -signkey " + name + ".key -days 2" +
               Digest() + " -extfile ext.cnf -extensions ca -out " + name + ".crt");
  }
  bool Leaf(const std::string& name, const std::string& ca, const std::string& section) {
    return Key(name) &&
           Run("openssl req -new -key " + name + ".key -subj '/CN=" + name + "' -out " + name +
               ".csr") &&
           Run("openssl x509 -req -in " + name + ".csr -CA " + ca + ".crt -CAkey " + ca +
               ".key -set_serial " + std::to_string(++serial_) + " -days 2" + Digest() +
               " -extfile ext.cnf -extensions " + section + " -out " + name + ".crt");
  }

  bool ed25519_;
  fs::path dir_;
  bool ok_ = false;
  int serial_ = 1000;
  std::string log_;
};

class MxFeedTlsTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (std::system("openssl version >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "the openssl command is not installed";
    }
    pki_ = std::make_unique<Pki>(GetParam());
    ASSERT_TRUE(pki_->ok()) << pki_->log();
    auto started =
        MxSimProcess::Start({"--tls-cert", pki_->file("server.crt"), "--tls-key",
                             pki_->file("server.key"), "--client-ca", pki_->file("ca.crt")});
    ASSERT_TRUE(started) << started.error();
    sim_ = std::move(*started);
  }
  void StartFeed(const std::string& client, const std::string& server_name = "") {
    MxFeedConfig config;
    config.name = "mx-tls";
    config.target = sim_->gnmi_address();
    config.relay_ip = "192.0.2.1";
    config.stale_after = 600ms;
    config.backoff_max = 1s;
    config.tls = MxTlsConfig{pki_->file("ca.crt"), pki_->file(client + ".crt"),
                             pki_->file(client + ".key"), server_name};
    auto feed = MxFeed::create(config, recorder_.sink());
    ASSERT_TRUE(feed) << feed.error();
    feed_ = std::move(*feed);
    feed_->start();
  }

  std::unique_ptr<Pki> pki_;
  std::unique_ptr<MxSimProcess> sim_;
  testing::Recorder recorder_;
  std::unique_ptr<MxFeed> feed_;
};

TEST_P(MxFeedTlsTest, MutualTlsIsHealthy) {
  StartFeed("client");
  EXPECT_TRUE(recorder_.wait_state(MxState::healthy, 5s));
}

TEST_P(MxFeedTlsTest, ServerNameOverride) {
  // Dialled as 127.0.0.1 but checked against the certificate's DNS name.
  StartFeed("client", "mx1.example.net");
  EXPECT_TRUE(recorder_.wait_state(MxState::healthy, 5s));
}

TEST_P(MxFeedTlsTest, ServerNameMismatchIsNeverHealthy) {
  StartFeed("client", "other.example.net");
  ASSERT_TRUE(recorder_.wait(
      [](const auto& o) { return o.detail.find("UNAVAILABLE") != std::string::npos; }, 5s));
  EXPECT_FALSE(recorder_.wait_state(MxState::healthy, 300ms));
}

TEST_P(MxFeedTlsTest, ClientCertificateFromAnotherCaIsNeverHealthy) {
  StartFeed("stranger");
  const auto failed = recorder_.wait(
      [](const auto& o) { return o.detail.find("UNAVAILABLE") != std::string::npos; }, 5s);
  ASSERT_TRUE(failed);
  std::this_thread::sleep_for(500ms);
  EXPECT_FALSE(recorder_.wait_state(MxState::healthy, 0ms));
  EXPECT_GE(feed_->counters().failures.load(), 1U);
}

INSTANTIATE_TEST_SUITE_P(Keys, MxFeedTlsTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& key) {
                           return key.param ? "Ed25519" : "EcdsaP256";
                         });

}  // namespace
}  // namespace driad::health
