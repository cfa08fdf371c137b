// mx-sim end to end over plaintext gRPC: the real binary on loopback, a gRPC
// C++ client, and the control port driving health and load changes.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "tests/tools/mx_sim_process.hpp"
#include "tools/mx-sim/model.hpp"
#include "tools/mx-sim/path.hpp"

namespace driad::mxsim::testing {
namespace {

class MxSimTest : public ::testing::Test {
 protected:
  void StartSim(const std::vector<std::string>& args = {}) {
    auto started = MxSimProcess::Start(args);
    ASSERT_TRUE(started) << started.error();
    sim_ = std::move(*started);
    stub_ = Connect(sim_->gnmi_address());
  }
  void Control(const std::string& command) {
    auto reply = sim_->Control(command);
    ASSERT_TRUE(reply) << command << ": " << reply.error();
  }
  static void Deadline(grpc::ClientContext& context) {
    context.set_deadline(std::chrono::system_clock::now() + 10s);
  }
  // Subscribes and reads up to (and including) the sync_response.
  std::unique_ptr<StreamClient> SyncedStream(LeafTable& table, int64_t heartbeat_ms = 0) {
    auto stream = std::make_unique<StreamClient>(*stub_, DefaultSubscribe(heartbeat_ms));
    EXPECT_TRUE(stream->ReadUntil(
        table, [](const LeafTable& t) { return t.sync_count > 0; }, 10s));
    return stream;
  }

  std::unique_ptr<MxSimProcess> sim_;
  std::unique_ptr<gnmi::gNMI::Stub> stub_;
};

TEST_F(MxSimTest, CapabilitiesAdvertiseVersionAndEncodings) {
  StartSim();
  grpc::ClientContext context;
  Deadline(context);
  gnmi::CapabilityResponse response;
  ASSERT_TRUE(stub_->Capabilities(&context, {}, &response).ok());
  EXPECT_EQ(response.gnmi_version(), "0.10.0");
  std::vector<int> encodings(response.supported_encodings().begin(),
                             response.supported_encodings().end());
  EXPECT_NE(std::find(encodings.begin(), encodings.end(), gnmi::PROTO), encodings.end());
  EXPECT_NE(std::find(encodings.begin(), encodings.end(), gnmi::JSON), encodings.end());
  EXPECT_GT(response.supported_models_size(), 0);
}

TEST_F(MxSimTest, StreamSendsInitialValuesThenSyncThenChanges) {
  StartSim();
  StreamClient stream(*stub_, DefaultSubscribe(/*heartbeat_ms=*/0));
  LeafTable table;
  // Every initial value must come before the (single) sync_response.
  ASSERT_TRUE(stream.ReadUntil(
      table, [](const LeafTable& t) { return t.sync_count > 0; }, 10s));
  EXPECT_EQ(table.String(kLo0Status), "UP");
  EXPECT_EQ(table.String(kAnycastIp), "192.0.2.1");
  EXPECT_EQ(table.String(kUdStatus), "UP");
  EXPECT_TRUE(table.Uint(kUdOctets).has_value());
  EXPECT_EQ(table.Uint(kTunnelCount), 0u);
  EXPECT_EQ(table.Uint(kCpuIdle), 95u);
  EXPECT_EQ(table.Subinterfaces("ud-0/0/0"), 0);

  Control("oper-status DOWN");
  ASSERT_TRUE(stream.ReadUntil(
      table, [](const LeafTable& t) { return t.String(kLo0Status) == "DOWN"; }, 5s));

  Control("tunnels 5");
  ASSERT_TRUE(stream.ReadUntil(
      table,
      [](const LeafTable& t) {
        return t.Subinterfaces("ud-0/0/0") == 5 && t.Uint(kTunnelCount) == 5u;
      },
      5s))
      << "subinterfaces " << table.Subinterfaces("ud-0/0/0");

  // Fewer tunnels arrive as deletes of the vanished subinterfaces.
  Control("tunnels 2");
  ASSERT_TRUE(stream.ReadUntil(
      table,
      [](const LeafTable& t) {
        return t.Subinterfaces("ud-0/0/0") == 2 && t.Uint(kTunnelCount) == 2u;
      },
      5s));

  Control("anycast absent");
  ASSERT_TRUE(stream.ReadUntil(
      table, [](const LeafTable& t) { return !t.values.contains(kAnycastIp); }, 5s));
  Control("anycast present");
  ASSERT_TRUE(stream.ReadUntil(
      table, [](const LeafTable& t) { return t.values.contains(kAnycastIp); }, 5s));
  EXPECT_EQ(table.sync_count, 1);
}

TEST_F(MxSimTest, HeartbeatResendsUnchangedValues) {
  StartSim();
  LeafTable table;
  auto stream = SyncedStream(table, /*heartbeat_ms=*/100);
  ASSERT_EQ(table.update_counts[kLo0Status], 1);
  ASSERT_TRUE(stream->ReadUntil(
      table, [](const LeafTable& t) { return t.update_counts.at(kLo0Status) >= 3; }, 5s));
  EXPECT_EQ(table.String(kLo0Status), "UP");
}

TEST_F(MxSimTest, SampleResendsCounterGrowingWithTunnels) {
  StartSim({"--tunnels", "8"});
  LeafTable table;
  auto stream = SyncedStream(table);
  const uint64_t first = table.Uint(kUdOctets).value_or(0);
  // 8 tunnels x 1 Mbit/s = 1 MB/s: after a few samples the counter has grown.
  ASSERT_TRUE(stream->ReadUntil(
      table, [first](const LeafTable& t) { return t.Uint(kUdOctets).value_or(0) > first; }, 5s));
  EXPECT_EQ(table.Subinterfaces("ud-0/0/0"), 8);
}

TEST_F(MxSimTest, QosIsRefusedLikeJunos) {
  StartSim();
  auto request = DefaultSubscribe();
  request.mutable_subscribe()->mutable_qos()->set_marking(0);
  StreamClient stream(*stub_, request);
  const auto status = stream.WaitEnd(10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(status->error_message(), "Qos not supported");
}

TEST_F(MxSimTest, MissingCredentialsAreRefused) {
  StartSim({"--username", "driad", "--password", "secret"});
  {
    StreamClient stream(*stub_, DefaultSubscribe());
    const auto status = stream.WaitEnd(10s);
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    StreamClient stream(*stub_, DefaultSubscribe(), {{"username", "driad"}, {"password", "wrong"}});
    const auto status = stream.WaitEnd(10s);
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext context;
    Deadline(context);
    gnmi::CapabilityResponse response;
    EXPECT_EQ(stub_->Capabilities(&context, {}, &response).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  StreamClient stream(*stub_, DefaultSubscribe(), {{"username", "driad"}, {"password", "secret"}});
  LeafTable table;
  EXPECT_TRUE(stream.ReadUntil(
      table, [](const LeafTable& t) { return t.sync_count > 0; }, 10s));
}

TEST_F(MxSimTest, RefuseOnGivesUnavailable) {
  StartSim();
  Control("refuse on");
  {
    StreamClient stream(*stub_, DefaultSubscribe());
    const auto status = stream.WaitEnd(10s);
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAVAILABLE);
  }
  Control("refuse off");
  LeafTable table;
  SyncedStream(table);
  EXPECT_EQ(table.sync_count, 1);
}

TEST_F(MxSimTest, DropEndsEveryStream) {
  StartSim();
  LeafTable first_table, second_table;
  auto first = SyncedStream(first_table);
  auto second = SyncedStream(second_table);
  Control("drop");
  for (auto* stream : {first.get(), second.get()}) {
    const auto status = stream->WaitEnd(5s);
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAVAILABLE);
  }
  // The simulator itself keeps serving: a new stream syncs again.
  LeafTable table;
  SyncedStream(table);
  EXPECT_EQ(table.sync_count, 1);
}

TEST_F(MxSimTest, StallStopsUpdatesUntilResume) {
  StartSim();
  LeafTable table;
  auto stream = SyncedStream(table, /*heartbeat_ms=*/100);
  Control("stall");
  // Let anything already in flight arrive, then expect silence even though
  // heartbeats are due every 100 ms and the state changes.
  while (stream->Next(300ms)) {
  }
  Control("oper-status DOWN");
  EXPECT_FALSE(stream->Next(800ms).has_value());
  EXPECT_FALSE(stream->WaitEnd(0ms).has_value()) << "stall must keep the stream open";
  Control("resume");
  EXPECT_TRUE(stream->ReadUntil(
      table, [](const LeafTable& t) { return t.String(kLo0Status) == "DOWN"; }, 5s));
}

TEST_F(MxSimTest, PollModeAnswersEachPoll) {
  StartSim();
  auto request = DefaultSubscribe();
  request.mutable_subscribe()->set_mode(gnmi::SubscriptionList::POLL);
  StreamClient stream(*stub_, request);
  LeafTable table;
  ASSERT_TRUE(stream.ReadUntil(
      table, [](const LeafTable& t) { return t.sync_count == 1; }, 10s));
  Control("oper-status DOWN");
  // No Poll yet: nothing is sent.
  EXPECT_FALSE(stream.Next(300ms).has_value());
  gnmi::SubscribeRequest poll;
  poll.mutable_poll();
  ASSERT_TRUE(stream.Write(poll));
  ASSERT_TRUE(stream.ReadUntil(
      table, [](const LeafTable& t) { return t.sync_count == 2; }, 5s));
  EXPECT_EQ(table.String(kLo0Status), "DOWN");
}

TEST_F(MxSimTest, OnceModeSyncsThenEnds) {
  StartSim();
  auto request = DefaultSubscribe();
  request.mutable_subscribe()->set_mode(gnmi::SubscriptionList::ONCE);
  StreamClient stream(*stub_, request);
  LeafTable table;
  ASSERT_TRUE(stream.ReadUntil(
      table, [](const LeafTable& t) { return t.sync_count == 1; }, 10s));
  const auto status = stream.WaitEnd(5s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ok()) << status->error_message();
  EXPECT_EQ(table.String(kLo0Status), "UP");
}

TEST_F(MxSimTest, UpdatesOnlySendsSyncFirst) {
  StartSim();
  auto request = DefaultSubscribe();
  request.mutable_subscribe()->set_updates_only(true);
  StreamClient stream(*stub_, request);
  const auto first = stream.Next(10s);
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->sync_response());
  Control("oper-status DOWN");
  LeafTable table;
  EXPECT_TRUE(stream.ReadUntil(
      table, [](const LeafTable& t) { return t.String(kLo0Status) == "DOWN"; }, 5s));
}

TEST_F(MxSimTest, JsonEncodingCarriesJsonValues) {
  StartSim();
  auto request = DefaultSubscribe();
  request.mutable_subscribe()->set_encoding(gnmi::JSON);
  StreamClient stream(*stub_, request);
  LeafTable table;
  ASSERT_TRUE(stream.ReadUntil(
      table, [](const LeafTable& t) { return t.sync_count > 0; }, 10s));
  ASSERT_TRUE(table.values.contains(kLo0Status));
  EXPECT_EQ(table.values[kLo0Status].json_val(), "\"UP\"");
  EXPECT_EQ(table.values[kCpuIdle].json_val(), "95");
}

TEST_F(MxSimTest, UnsupportedEncodingIsUnimplemented) {
  StartSim();
  auto request = DefaultSubscribe();
  request.mutable_subscribe()->set_encoding(gnmi::JSON_IETF);
  StreamClient stream(*stub_, request);
  const auto status = stream.WaitEnd(10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->error_code(), grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(MxSimTest, JuniperHeaderExtensionOnResponses) {
  StartSim({"--juniper-header", "--legacy-leaves"});
  StreamClient stream(*stub_, DefaultSubscribe());
  const auto first = stream.Next(10s);
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->extension_size(), 1);
  EXPECT_EQ(static_cast<int>(first->extension(0).registered_ext().id()), 1);
  ASSERT_TRUE(first->has_update());
  bool legacy = false;
  for (const auto& update : first->update().update()) {
    legacy |= update.path().elem_size() == 1 && update.path().elem(0).name() == "__timestamp__";
  }
  EXPECT_TRUE(legacy);
}

TEST_F(MxSimTest, PrefixSubscriptionReturnsLeavesBelow) {
  StartSim({"--tunnels", "3"});
  gnmi::SubscribeRequest request;
  auto* list = request.mutable_subscribe();
  list->set_encoding(gnmi::PROTO);  // the zero value is JSON
  *list->mutable_prefix() = ParsePath("/interfaces/interface[name=ud-0/0/0]").value();
  *list->add_subscription() = MakeSubscription("/", gnmi::ON_CHANGE);
  StreamClient stream(*stub_, request);
  LeafTable table;
  ASSERT_TRUE(stream.ReadUntil(
      table, [](const LeafTable& t) { return t.sync_count > 0; }, 10s));
  std::string seen;
  for (const auto& [path, value] : table.values) seen += path + "\n";
  EXPECT_EQ(table.String(kUdStatus), "UP") << seen;
  EXPECT_TRUE(table.Uint(kUdOctets).has_value());
  EXPECT_EQ(table.Subinterfaces("ud-0/0/0"), 3);
  EXPECT_FALSE(table.values.contains(kLo0Status));
}

TEST_F(MxSimTest, GetReturnsCurrentValue) {
  StartSim();
  Control("cpu-idle 40");
  grpc::ClientContext context;
  Deadline(context);
  gnmi::GetRequest request;
  *request.add_path() = ParsePath(kCpuIdle).value();
  request.set_encoding(gnmi::PROTO);
  gnmi::GetResponse response;
  ASSERT_TRUE(stub_->Get(&context, request, &response).ok());
  ASSERT_EQ(response.notification_size(), 1);
  ASSERT_EQ(response.notification(0).update_size(), 1);
  EXPECT_EQ(response.notification(0).update(0).val().uint_val(), 40u);
}

TEST_F(MxSimTest, ControlStateAndErrors) {
  StartSim();
  Control("tunnels 7");
  auto state = sim_->Control("state");
  ASSERT_TRUE(state) << state.error();
  ASSERT_EQ(state->size(), 1u);
  EXPECT_NE((*state)[0].find("tunnels=7"), std::string::npos) << (*state)[0];
  EXPECT_NE((*state)[0].find("oper-status=UP"), std::string::npos);
  EXPECT_FALSE(sim_->Control("tunnels many"));
  EXPECT_FALSE(sim_->Control("oper-status SIDEWAYS"));
  EXPECT_FALSE(sim_->Control("reboot"));
}

// A subscription whose samples are a minute apart, so that after the sync
// only what a test provokes arrives.
std::unique_ptr<StreamClient> QuietStream(gnmi::gNMI::Stub& stub, LeafTable& table) {
  auto stream = std::make_unique<StreamClient>(stub, DefaultSubscribe(0, 60'000));
  EXPECT_TRUE(stream->ReadUntil(
      table, [](const LeafTable& t) { return t.sync_count > 0; }, 10s));
  return stream;
}

TEST_F(MxSimTest, GarbageReachesEverySyncedStreamAndLeavesTheMxAlone) {
  StartSim({"--tunnels", "2"});
  LeafTable first_table, second_table;
  auto first = QuietStream(*stub_, first_table);
  auto second = QuietStream(*stub_, second_table);
  auto reply = sim_->Control("garbage");
  ASSERT_TRUE(reply) << reply.error();
  const size_t expected = Garbage(GarbageKind::kAll, SimOptions{}, "").size();
  ASSERT_EQ(reply->size(), 1u);
  EXPECT_EQ((*reply)[0],
            "garbage all: " + std::to_string(expected) + " responses to each of 2 streams");
  for (auto* stream : {first.get(), second.get()}) {
    size_t got = 0;
    size_t huge = 0;
    bool empty_response = false;
    while (got < expected) {
      auto response = stream->Next(5s);
      ASSERT_TRUE(response.has_value()) << "after " << got << " of " << expected;
      ++got;
      empty_response |= response->response_case() == gnmi::SubscribeResponse::RESPONSE_NOT_SET;
      for (const auto& update : response->update().update()) {
        huge += update.val().string_val().size() >= kHugeBytes ? 1 : 0;
      }
    }
    EXPECT_GE(huge, 2u);
    EXPECT_TRUE(empty_response);
    EXPECT_FALSE(stream->Next(300ms).has_value()) << "more than the garbage arrived";
    EXPECT_FALSE(stream->WaitEnd(0ms).has_value()) << "garbage must not end the stream";
  }
  // The simulated MX itself is unchanged: a new stream gets the true values.
  LeafTable table;
  auto third = SyncedStream(table);
  EXPECT_EQ(table.String(kLo0Status), "UP");
  EXPECT_EQ(table.Uint(kTunnelCount), 2u);
  EXPECT_EQ(table.Subinterfaces("ud-0/0/0"), 2);
}

TEST_F(MxSimTest, GarbageWhileStalledIsRefused) {
  StartSim();
  Control("stall");
  auto reply = sim_->Control("garbage wrong-type");
  ASSERT_FALSE(reply);
  EXPECT_NE(reply.error().find("stalled"), std::string::npos) << reply.error();
  Control("resume");
  EXPECT_TRUE(sim_->Control("garbage wrong-type"));
}

// The `state` line, or "" when it cannot be read.
std::string StateLine(const MxSimProcess& sim) {
  auto state = sim.Control("state");
  return state && state->size() == 1 ? state->front() : std::string();
}

TEST_F(MxSimTest, ChurnFlipsTheTunnelCountThenRestoresIt) {
  StartSim({"--tunnels", "4"});
  LeafTable table;
  auto stream = QuietStream(*stub_, table);
  ASSERT_EQ(table.update_counts[kTunnelCount], 1);
  Control("churn 2000 1");
  // Bounded: the run lasts a second; allow a slow machine ten.
  std::string state;
  for (int i = 0; i < 100; ++i) {
    state = StateLine(*sim_);
    if (state.find("churn=off") != std::string::npos) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_NE(state.find("churn=off"), std::string::npos) << state;
  const auto at = state.find("churned=");
  ASSERT_NE(at, std::string::npos) << state;
  const uint64_t flips = std::stoull(state.substr(at + 8));
  EXPECT_GT(flips, 0u);
  EXPECT_LE(flips, 2000u) << "more flips than the rate allows in the run";
  EXPECT_NE(state.find("tunnels=4 "), std::string::npos) << state;

  // Every update of the count differs from the one before: 5, 4, 5, ...
  uint64_t last = 4;
  bool alternates = true;
  while (auto response = stream->Next(500ms)) {
    for (const auto& update : response->update().update()) {
      const auto path = PathString(JoinPath(response->update().prefix(), update.path()));
      if (path != kTunnelCount) continue;
      alternates &= update.val().uint_val() != last;
      last = update.val().uint_val();
    }
    table.Apply(*response);
  }
  EXPECT_TRUE(alternates);
  EXPECT_NE(StateLine(*sim_).find(" queued=0 "), std::string::npos) << StateLine(*sim_);
  // One update per flip, plus the sync's, plus the return to 4 after an odd run.
  EXPECT_EQ(table.update_counts[kTunnelCount], static_cast<int>(1 + flips + flips % 2));
  EXPECT_EQ(table.Uint(kTunnelCount), 4u);
  EXPECT_EQ(table.Subinterfaces("ud-0/0/0"), 4);
}

TEST_F(MxSimTest, ChurnStopsOnCommandOrANewTunnelCount) {
  StartSim({"--tunnels", "7"});
  Control("churn 100 300");
  EXPECT_NE(StateLine(*sim_).find(" churn=100/s("), std::string::npos) << StateLine(*sim_);
  Control("churn stop");
  std::string state = StateLine(*sim_);
  EXPECT_NE(state.find(" churn=off"), std::string::npos) << state;
  EXPECT_NE(state.find("tunnels=7 "), std::string::npos) << state;
  Control("churn 100 300");
  Control("tunnels 3");
  state = StateLine(*sim_);
  EXPECT_NE(state.find(" churn=off"), std::string::npos) << state;
  EXPECT_NE(state.find("tunnels=3 "), std::string::npos) << state;
  EXPECT_FALSE(sim_->Control("churn 100001 1"));
}

TEST_F(MxSimTest, ExitsCleanlyOnSigtermWithOpenStream) {
  StartSim();
  LeafTable table;
  auto stream = SyncedStream(table);
  EXPECT_EQ(sim_->Stop(), 0);
  const auto status = stream->WaitEnd(5s);
  ASSERT_TRUE(status.has_value());
  EXPECT_FALSE(status->ok());
}

}  // namespace
}  // namespace driad::mxsim::testing
