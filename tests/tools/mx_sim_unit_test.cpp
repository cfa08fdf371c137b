// Unit tests of mx-sim's pure parts: path text, subscription matching, the
// control command parser, the exported leaves and their rendering.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "tools/mx-sim/command.hpp"
#include "tools/mx-sim/control_server.hpp"
#include "tools/mx-sim/model.hpp"
#include "tools/mx-sim/path.hpp"

namespace driad::mxsim {
namespace {

TEST(MxSimPath, RoundTripsSlashInsideKeyAndEscapes) {
  const std::string text = R"(/interfaces/interface[name=ud-0/0/0]/state/counters/out-octets)";
  auto path = ParsePath(text);
  ASSERT_TRUE(path) << path.error();
  ASSERT_EQ(path->elem_size(), 5);
  EXPECT_EQ(path->elem(1).key().at("name"), "ud-0/0/0");
  EXPECT_EQ(PathString(*path), text);

  auto escaped = ParsePath(R"(/a[k=x\]y\\z]/b)");
  ASSERT_TRUE(escaped) << escaped.error();
  EXPECT_EQ(escaped->elem(0).key().at("k"), R"(x]y\z)");
  EXPECT_EQ(PathString(*escaped), R"(/a[k=x\]y\\z]/b)");
}

TEST(MxSimPath, KeysAreWrittenInNameOrder) {
  auto path = ParsePath("/p[b=2][a=1]");
  ASSERT_TRUE(path);
  EXPECT_EQ(PathString(*path), "/p[a=1][b=2]");
  EXPECT_EQ(PathString(gnmi::Path{}), "/");
}

TEST(MxSimPath, RejectsMalformedText) {
  EXPECT_FALSE(ParsePath("/a[k=v"));
  EXPECT_FALSE(ParsePath("/a[kv]"));
  EXPECT_FALSE(ParsePath("/[k=v]"));
  EXPECT_FALSE(ParsePath("/a[=v]"));
}

TEST(MxSimPath, MatchingIsPrefixWithWildcards) {
  const auto leaf = ParsePath("/interfaces/interface[name=lo0]/state/oper-status").value();
  EXPECT_TRUE(PathMatches(ParsePath("/").value(), leaf));
  EXPECT_TRUE(PathMatches(ParsePath("/interfaces").value(), leaf));
  EXPECT_TRUE(PathMatches(ParsePath("/interfaces/interface").value(), leaf));
  EXPECT_TRUE(PathMatches(ParsePath("/interfaces/interface[name=*]/state").value(), leaf));
  EXPECT_TRUE(PathMatches(ParsePath("/interfaces/*[name=lo0]").value(), leaf));
  EXPECT_FALSE(PathMatches(ParsePath("/interfaces/interface[name=lo1]").value(), leaf));
  EXPECT_FALSE(PathMatches(ParsePath("/interfaces/interface[index=0]").value(), leaf));
  EXPECT_FALSE(
      PathMatches(ParsePath("/interfaces/interface[name=lo0]/state/oper-status/x").value(), leaf));
}

TEST(MxSimPath, JoinAppendsElementsAndKeepsTarget) {
  auto prefix = ParsePath("/interfaces/interface[name=lo0]").value();
  prefix.set_target("mx1");
  const auto joined = JoinPath(prefix, ParsePath("state/oper-status").value());
  EXPECT_EQ(PathString(joined), "/interfaces/interface[name=lo0]/state/oper-status");
  EXPECT_EQ(joined.target(), "mx1");
  EXPECT_EQ(PathString(Head(joined, 2)), "/interfaces/interface[name=lo0]");
  EXPECT_EQ(PathString(Tail(joined, 2)), "/state/oper-status");
}

TEST(MxSimCommand, ParsesEveryForm) {
  auto command = ParseCommand("oper-status DOWN");
  ASSERT_TRUE(command);
  EXPECT_EQ(command->kind, Command::Kind::kOperStatus);
  EXPECT_FALSE(command->flag);
  EXPECT_TRUE(ParseCommand("oper-status up")->flag);
  EXPECT_TRUE(ParseCommand("anycast present")->flag);
  EXPECT_FALSE(ParseCommand("anycast absent\r")->flag);
  EXPECT_EQ(ParseCommand("tunnels 5")->number, 5u);
  EXPECT_EQ(ParseCommand("  tunnels   0 ")->number, 0u);
  EXPECT_EQ(ParseCommand("rate auto")->kind, Command::Kind::kRate);
  EXPECT_FALSE(ParseCommand("rate auto")->number.has_value());
  EXPECT_EQ(ParseCommand("rate 1000000")->number, 1'000'000u);
  EXPECT_EQ(ParseCommand("cpu-idle 40")->number, 40u);
  EXPECT_TRUE(ParseCommand("refuse on")->flag);
  EXPECT_EQ(ParseCommand("stall")->kind, Command::Kind::kStall);
  EXPECT_EQ(ParseCommand("resume")->kind, Command::Kind::kResume);
  EXPECT_EQ(ParseCommand("drop")->kind, Command::Kind::kDrop);
  EXPECT_EQ(ParseCommand("state")->kind, Command::Kind::kState);
  EXPECT_EQ(ParseCommand("quit")->kind, Command::Kind::kQuit);
}

TEST(MxSimCommand, RejectsBadInputWithAReason) {
  for (const char* line : {"", "reboot", "tunnels", "tunnels -1", "tunnels 5x", "tunnels 100001",
                           "cpu-idle 101", "oper-status", "oper-status SIDEWAYS", "stall now",
                           "refuse maybe", "anycast gone", "rate fast"}) {
    auto command = ParseCommand(line);
    EXPECT_FALSE(command) << line;
    if (!command) {
      EXPECT_FALSE(command.error().empty()) << line;
    }
  }
}

TEST(MxSimCommand, ParsesGarbageAndChurn) {
  auto garbage = ParseCommand("garbage");
  ASSERT_TRUE(garbage) << garbage.error();
  EXPECT_EQ(garbage->kind, Command::Kind::kGarbage);
  EXPECT_EQ(garbage->garbage, GarbageKind::kAll);
  EXPECT_EQ(ParseCommand("garbage wrong-type")->garbage, GarbageKind::kWrongType);
  EXPECT_EQ(ParseCommand("garbage HUGE")->garbage, GarbageKind::kHuge);
  EXPECT_EQ(ParseCommand("garbage bad-path")->garbage, GarbageKind::kBadPath);
  EXPECT_EQ(ParseCommand("garbage no-value")->garbage, GarbageKind::kNoValue);
  EXPECT_EQ(ParseCommand("garbage unknown-path")->garbage, GarbageKind::kUnknownPath);
  EXPECT_EQ(ParseCommand("garbage all")->garbage, GarbageKind::kAll);

  auto churn = ParseCommand("churn 10000 30");
  ASSERT_TRUE(churn) << churn.error();
  EXPECT_EQ(churn->kind, Command::Kind::kChurn);
  EXPECT_EQ(churn->number, 10'000u);
  EXPECT_EQ(churn->seconds, 30u);
  EXPECT_EQ(ParseCommand("churn 100000 300")->number, kMaxChurnRate);
  auto stop = ParseCommand("churn stop");
  ASSERT_TRUE(stop);
  EXPECT_EQ(stop->kind, Command::Kind::kChurn);
  EXPECT_FALSE(stop->number.has_value());
}

TEST(MxSimCommand, RejectsBadGarbageAndChurn) {
  for (const char* line :
       {"garbage nonsense", "garbage huge extra", "churn", "churn 10", "churn 0 5", "churn 5 0",
        "churn 100001 5", "churn 5 301", "churn fast 5", "churn 5 -1", "churn stop now"}) {
    auto command = ParseCommand(line);
    EXPECT_FALSE(command) << line;
    if (!command) {
      EXPECT_FALSE(command.error().empty()) << line;
    }
  }
  EXPECT_NE(ParseCommand("garbage nonsense").error().find("unknown-path"), std::string::npos);
}

TEST(MxSimControl, SplitsHostAndPort) {
  auto v4 = SplitHostPort("127.0.0.1:32767");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 32767);
  auto v6 = SplitHostPort("[::1]:0");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  EXPECT_FALSE(SplitHostPort("::1:80"));
  EXPECT_FALSE(SplitHostPort("localhost"));
  EXPECT_FALSE(SplitHostPort("127.0.0.1:99999"));
}

TEST(MxSimModel, LeavesFollowTheState) {
  SimOptions options;
  MxState state;
  const auto now = SteadyClock::now();
  const auto healthy = Leaves(options, state, now);
  // lo0 status, anycast, ud status, out-octets, tunnel count, CPU.
  EXPECT_EQ(healthy.size(), 6u);

  state.anycast_present = false;
  state.tunnels = 3;
  const auto loaded = Leaves(options, state, now);
  EXPECT_EQ(loaded.size(), 5u + 2 * 3);
  for (const auto& leaf : loaded) EXPECT_EQ(leaf.key.find("address[ip="), std::string::npos);
}

TEST(MxSimModel, CounterGrowsAtTheRate) {
  MxState state;
  state.tunnels = 8;  // 8 Mbit/s = 1 MB/s
  const auto later = state.mark + std::chrono::seconds(2);
  EXPECT_EQ(state.OutOctets(later), 2'000'000u);
  state.Rebase(later);
  state.rate_bps = 0;
  EXPECT_EQ(state.OutOctets(later + std::chrono::seconds(5)), 2'000'000u);
}

TEST(MxSimModel, RenderGroupsByListEntry) {
  SimOptions options;
  MxState state;
  state.tunnels = 1;
  const auto leaves = Leaves(options, state, SteadyClock::now());
  std::vector<const Leaf*> updates;
  for (const auto& leaf : leaves) updates.push_back(&leaf);
  const auto notifications = Render(updates, {ParsePath("/amt/relay/state/gone").value()},
                                    RenderOptions{gnmi::PROTO, "mx1", false, 42});
  // Groups: /amt/relay, /components/component[...], interface lo0, interface ud-0/0/0.
  ASSERT_EQ(notifications.size(), 4u);
  size_t total = 0;
  for (const auto& notification : notifications) {
    EXPECT_EQ(notification.prefix().elem_size(), 2);
    EXPECT_EQ(notification.prefix().target(), "mx1");
    EXPECT_EQ(notification.timestamp(), 42);
    total += static_cast<size_t>(notification.update_size());
  }
  EXPECT_EQ(total, leaves.size());
  EXPECT_EQ(PathString(notifications[0].prefix()), "/amt/relay");
  ASSERT_EQ(notifications[0].delete__size(), 1);
  EXPECT_EQ(PathString(notifications[0].delete_(0)), "/state/gone");
}

TEST(MxSimModel, TunnelLeavesAreTheLeavesOfOneTunnel) {
  SimOptions options;
  MxState state;
  state.tunnels = 3;
  const auto leaves = Leaves(options, state, SteadyClock::now());
  std::set<std::string> keys;
  for (const auto& leaf : leaves) keys.insert(leaf.key);
  const auto second = TunnelLeaves(options, 2);
  ASSERT_EQ(second.size(), 2u);
  for (const auto& leaf : second) {
    EXPECT_TRUE(keys.contains(leaf.key)) << leaf.key;
    EXPECT_NE(leaf.key.find("subinterface[index=2]"), std::string::npos) << leaf.key;
  }
  const Leaf count = TunnelCountLeaf(3);
  EXPECT_EQ(count.key, kTunnelCountPath);
  EXPECT_EQ(count.value.uint_val(), 3u);
}

// Every update of a garbage batch, as (full path string, value).
std::vector<std::pair<std::string, gnmi::TypedValue>> Updates(
    const std::vector<gnmi::SubscribeResponse>& responses) {
  std::vector<std::pair<std::string, gnmi::TypedValue>> out;
  for (const auto& response : responses) {
    for (const auto& update : response.update().update()) {
      out.emplace_back(PathString(JoinPath(response.update().prefix(), update.path())),
                       update.val());
    }
  }
  return out;
}

TEST(MxSimGarbage, AllIsEveryKindInOrder) {
  const SimOptions options;
  size_t sum = 0;
  for (const GarbageKind kind :
       {GarbageKind::kUnknownPath, GarbageKind::kWrongType, GarbageKind::kBadPath,
        GarbageKind::kNoValue, GarbageKind::kHuge}) {
    const auto batch = Garbage(kind, options, "");
    EXPECT_FALSE(batch.empty()) << GarbageKindName(kind);
    sum += batch.size();
  }
  EXPECT_EQ(Garbage(GarbageKind::kAll, options, "").size(), sum);
}

TEST(MxSimGarbage, UnknownPathsAreNoLeafTheMxExports) {
  const SimOptions options;
  MxState state;
  state.tunnels = 2;
  std::set<std::string> real;
  for (const auto& leaf : Leaves(options, state, SteadyClock::now())) real.insert(leaf.key);
  const auto batch = Garbage(GarbageKind::kUnknownPath, options, "mx1");
  for (const auto& [path, value] : Updates(batch)) EXPECT_FALSE(real.contains(path)) << path;
  for (const auto& response : batch) EXPECT_EQ(response.update().prefix().target(), "mx1");
}

TEST(MxSimGarbage, WrongTypesHitKnownLeaves) {
  const auto updates = Updates(Garbage(GarbageKind::kWrongType, SimOptions{}, ""));
  const auto find = [&](const std::string& path, gnmi::TypedValue::ValueCase kind) {
    return std::any_of(updates.begin(), updates.end(), [&](const auto& update) {
      return update.first == path && update.second.value_case() == kind;
    });
  };
  const std::string lo0 = "/interfaces/interface[name=lo0]/state/oper-status";
  const std::string ud = "/interfaces/interface[name=ud-0/0/0]/state";
  EXPECT_TRUE(find(lo0, gnmi::TypedValue::kIntVal));
  EXPECT_TRUE(find(ud + "/oper-status", gnmi::TypedValue::kBoolVal));
  EXPECT_TRUE(find(ud + "/counters/out-octets", gnmi::TypedValue::kStringVal));
  EXPECT_TRUE(find(kTunnelCountPath, gnmi::TypedValue::kStringVal));
  EXPECT_TRUE(find(kTunnelCountPath, gnmi::TypedValue::kLeaflistVal));
}

TEST(MxSimGarbage, BadPathsSayDownWhereNoRealLeafIs) {
  const auto updates = Updates(Garbage(GarbageKind::kBadPath, SimOptions{}, ""));
  ASSERT_GE(updates.size(), 6u);
  for (const auto& [path, value] : updates) {
    EXPECT_EQ(value.string_val(), "DOWN") << path;
    EXPECT_NE(path, "/interfaces/interface[name=lo0]/state/oper-status");
  }
  // The text of the first one does not parse: an unbalanced bracket.
  EXPECT_FALSE(ParsePath(updates.front().first));
}

TEST(MxSimGarbage, NoValueLeavesValuesAndResponsesEmpty) {
  const auto batch = Garbage(GarbageKind::kNoValue, SimOptions{}, "");
  const auto updates = Updates(batch);
  ASSERT_FALSE(updates.empty());
  for (const auto& [path, value] : updates) {
    EXPECT_EQ(value.value_case(), gnmi::TypedValue::VALUE_NOT_SET) << path;
  }
  EXPECT_TRUE(std::any_of(batch.begin(), batch.end(), [](const auto& response) {
    return response.response_case() == gnmi::SubscribeResponse::RESPONSE_NOT_SET;
  }));
}

TEST(MxSimGarbage, HugeValuesAreSixtyFourKiB) {
  const auto updates = Updates(Garbage(GarbageKind::kHuge, SimOptions{}, ""));
  size_t huge = 0;
  for (const auto& [path, value] : updates) {
    const size_t size = value.has_string_val() ? value.string_val().size()
                        : value.has_json_val() ? value.json_val().size()
                                               : 0;
    huge += size >= kHugeBytes ? 1 : 0;
    huge += path.size() >= kHugeBytes ? 1 : 0;
  }
  EXPECT_GE(huge, 5u);
}

TEST(MxSimModel, JsonEncodingQuotesStringsOnly) {
  gnmi::TypedValue text;
  text.set_string_val("U\"P");
  EXPECT_EQ(Encode(text, gnmi::JSON).json_val(), R"("U\"P")");
  gnmi::TypedValue number;
  number.set_uint_val(18446744073709551615u);
  EXPECT_EQ(Encode(number, gnmi::JSON).json_val(), "18446744073709551615");
  EXPECT_EQ(Encode(number, gnmi::PROTO).uint_val(), 18446744073709551615u);
}

}  // namespace
}  // namespace driad::mxsim
