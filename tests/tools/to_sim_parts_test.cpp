// Unit tests of to-sim's small parts: HTTP dates, target/query/cookie/bearer
// parsing and fixture loading.
#include <gtest/gtest.h>

#include "tools/to-sim/fixtures.hpp"
#include "tools/to-sim/http_date.hpp"
#include "tools/to-sim/message.hpp"

namespace driad::tosim {
namespace {

Seconds At(std::int64_t since_epoch) {
  return Seconds(std::chrono::seconds(since_epoch));
}

TEST(ToSimHttpDate, FormatsImfFixdate) {
  EXPECT_EQ(FormatHttpDate(At(784111777)), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(FormatHttpDate(At(0)), "Thu, 01 Jan 1970 00:00:00 GMT");
}

TEST(ToSimHttpDate, ParsesTheThreeFormsAndRejectsOthers) {
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), At(784111777));
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), At(784111777));
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994"), At(784111777));
  EXPECT_EQ(ParseHttpDate(FormatHttpDate(At(1780000000))), At(1780000000));
  EXPECT_FALSE(ParseHttpDate(""));
  EXPECT_FALSE(ParseHttpDate("yesterday"));
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT trailing"));
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 CET"));
}

TEST(ToSimMessage, SplitsTargetsAndReadsQueries) {
  const auto [path, query] = SplitTarget("/api/4.0/servers?type=AMT_RELAY&cdn=2");
  EXPECT_EQ(path, "/api/4.0/servers");
  EXPECT_EQ(query, "type=AMT_RELAY&cdn=2");
  EXPECT_EQ(SplitTarget("/x").second, "");
  EXPECT_EQ(QueryValue(query, "type"), "AMT_RELAY");
  EXPECT_EQ(QueryValue(query, "cdn"), "2");
  EXPECT_FALSE(QueryValue(query, "name"));
  EXPECT_EQ(QueryValue("name=A%20B+C&name=second", "name"), "A B C");
  EXPECT_EQ(QueryValue("flag&x=1", "flag"), "");
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%zz%41"), "%zzA");
}

TEST(ToSimMessage, ReadsCookiesAndBearerTokens) {
  EXPECT_EQ(CookieValues("mojolicious=abc; access_token=def", "mojolicious"),
            std::vector<std::string>{"abc"});
  EXPECT_EQ(CookieValues("a=1;mojolicious=old; mojolicious=new", "mojolicious"),
            (std::vector<std::string>{"old", "new"}));
  EXPECT_TRUE(CookieValues("xmojolicious=abc", "mojolicious").empty());
  EXPECT_TRUE(CookieValues("", "mojolicious").empty());
  EXPECT_EQ(BearerToken("Bearer abc"), "abc");
  EXPECT_EQ(BearerToken("bearer   abc "), "abc");
  EXPECT_FALSE(BearerToken("Basic YWRtaW46"));
  EXPECT_FALSE(BearerToken("Bearer "));
  EXPECT_FALSE(BearerToken(""));
}

TEST(ToSimMessage, SegmentsSkipEmptyParts) {
  EXPECT_EQ(Segments("/api/4.0/servers/"),
            (std::vector<std::string_view>{"api", "4.0", "servers"}));
  EXPECT_TRUE(Segments("/").empty());
}

TEST(ToSimFixtures, LoadsTheRepositoryFixtures) {
  auto fixtures = LoadFixtures(TO_SIM_FIXTURES);
  ASSERT_TRUE(fixtures) << fixtures.error();
  EXPECT_EQ(fixtures->servers_v4["response"].size(), 4u);
  EXPECT_TRUE(fixtures->servers_v4["response"][0].contains("cachegroup"));
  EXPECT_TRUE(fixtures->servers_v5["response"][0].contains("cacheGroup"));
  EXPECT_EQ(fixtures->cachegroups["response"].size(), 2u);
  EXPECT_EQ(fixtures->unauthorized["alerts"][0]["text"], "unauthorized, please log in.");
}

TEST(ToSimFixtures, NamesTheFileThatIsMissing) {
  auto fixtures = LoadFixtures("/nonexistent-to-sim-fixtures");
  ASSERT_FALSE(fixtures);
  EXPECT_NE(fixtures.error().find("servers.json"), std::string::npos) << fixtures.error();
}

TEST(ToSimFixtures, DataBodiesNeedAResponseArray) {
  EXPECT_TRUE(ParseDataBody(R"({"response": []})"));
  EXPECT_FALSE(ParseDataBody("not json"));
  EXPECT_FALSE(ParseDataBody(R"({"response": {}})"));
  EXPECT_FALSE(ParseDataBody(R"([1, 2])"));
  EXPECT_EQ(Alerts("boom")["alerts"][0]["level"], "error");
}

}  // namespace
}  // namespace driad::tosim
