// Unit tests of mx-sim's pure parts: path text, subscription matching, the
// control command parser, the exported leaves and their rendering.
#include <gtest/gtest.h>

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
