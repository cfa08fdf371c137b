// mx-sim over TLS and mTLS with a throwaway ECDSA P-256 CA, server and client
// certificates made by the openssl command for this test run only.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/tools/mx_sim_process.hpp"

namespace driad::mxsim::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kExtensions = R"([ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
)";

std::string Slurp(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A temporary directory with ca, other-ca, server and client key pairs.
class Pki {
 public:
  Pki() {
    char pattern[] = "/tmp/driad-mx-sim-tls-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) return;
    dir_ = pattern;
    std::ofstream(dir_ / "ext.cnf") << kExtensions;
    ok_ = MakeCa("ca") && MakeCa("other-ca") && MakeLeaf("server", "ca", "server") &&
          MakeLeaf("client", "ca", "client") && MakeLeaf("stranger", "other-ca", "client");
  }
  ~Pki() {
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }
  bool ok() const { return ok_; }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  std::string pem(const std::string& name) const { return Slurp(dir_ / name); }
  const std::string& log() const { return log_; }

 private:
  bool Run(const std::string& command) {
    const std::string full = "cd '" + dir_.string() + "' && " + command + " >>openssl.log 2>&1";
    const bool ok = std::system(full.c_str()) == 0;
    if (!ok) log_ = "failed: " + command + "\n" + Slurp(dir_ / "openssl.log");
    return ok;
  }
  bool Key(const std::string& name) {
    return Run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + name +
               ".key");
  }
  // Self-signed: a CSR signed with its own key, given the CA extensions.
  bool MakeCa(const std::string& name) {
    return Key(name) &&
           Run("openssl req -new -key " + name + ".key -subj '/CN=driad test " + name + "' -out " +
               name + ".csr") &&
           Run("openssl x509 -req -in " + name + ".csr -signkey " + name +
               ".key -days 2 -sha256 -extfile ext.cnf -extensions ca -out " + name + ".crt");
  }
  bool MakeLeaf(const std::string& name, const std::string& ca, const std::string& section) {
    return Key(name) &&
           Run("openssl req -new -key " + name + ".key -subj '/CN=" + name + "' -out " + name +
               ".csr") &&
           Run("openssl x509 -req -in " + name + ".csr -CA " + ca + ".crt -CAkey " + ca +
               ".key -set_serial " + std::to_string(++serial_) +
               " -days 2 -sha256 -extfile ext.cnf -extensions " + section + " -out " + name +
               ".crt");
  }

  fs::path dir_;
  bool ok_ = false;
  int serial_ = 1000;
  std::string log_;
};

class MxSimTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (std::system("openssl version >/dev/null 2>&1") != 0) return;
    pki_ = new Pki();
  }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }
  void SetUp() override {
    if (pki_ == nullptr) GTEST_SKIP() << "the openssl command is not installed";
    ASSERT_TRUE(pki_->ok()) << pki_->log();
  }

  void StartSim(bool mutual) {
    std::vector<std::string> args = {"--tls-cert", pki_->file("server.crt"), "--tls-key",
                                     pki_->file("server.key")};
    if (mutual) {
      args.push_back("--client-ca");
      args.push_back(pki_->file("ca.crt"));
    }
    auto started = MxSimProcess::Start(args);
    ASSERT_TRUE(started) << started.error();
    sim_ = std::move(*started);
  }

  static std::shared_ptr<grpc::ChannelCredentials> Tls(const std::string& client) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = pki_->pem("ca.crt");
    if (!client.empty()) {
      options.pem_private_key = pki_->pem(client + ".key");
      options.pem_cert_chain = pki_->pem(client + ".crt");
    }
    return grpc::SslCredentials(options);
  }

  grpc::Status Capabilities(gnmi::gNMI::Stub& stub) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    gnmi::CapabilityResponse response;
    return stub.Capabilities(&context, {}, &response);
  }

  static Pki* pki_;
  std::unique_ptr<MxSimProcess> sim_;
};

Pki* MxSimTlsTest::pki_ = nullptr;

TEST_F(MxSimTlsTest, ServerTlsVerifiedBySanIp) {
  StartSim(/*mutual=*/false);
  auto stub = Connect(sim_->gnmi_address(), Tls(""));
  const auto status = Capabilities(*stub);
  EXPECT_TRUE(status.ok()) << status.error_message();
  // A plaintext client cannot talk to a TLS target.
  auto plain = Connect(sim_->gnmi_address());
  EXPECT_FALSE(Capabilities(*plain).ok());
}

TEST_F(MxSimTlsTest, MutualTlsStreamsWithAValidClientCertificate) {
  StartSim(/*mutual=*/true);
  auto stub = Connect(sim_->gnmi_address(), Tls("client"));
  StreamClient stream(*stub, DefaultSubscribe());
  LeafTable table;
  ASSERT_TRUE(stream.ReadUntil(
      table, [](const LeafTable& t) { return t.sync_count > 0; }, 10s));
  EXPECT_EQ(table.String(kLo0Status), "UP");
  ASSERT_TRUE(sim_->Control("oper-status DOWN"));
  EXPECT_TRUE(stream.ReadUntil(
      table, [](const LeafTable& t) { return t.String(kLo0Status) == "DOWN"; }, 5s));
}

TEST_F(MxSimTlsTest, MutualTlsRefusesMissingOrForeignClientCertificates) {
  StartSim(/*mutual=*/true);
  auto anonymous = Connect(sim_->gnmi_address(), Tls(""));
  EXPECT_EQ(Capabilities(*anonymous).error_code(), grpc::StatusCode::UNAVAILABLE);
  auto stranger = Connect(sim_->gnmi_address(), Tls("stranger"));
  EXPECT_EQ(Capabilities(*stranger).error_code(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace driad::mxsim::testing
