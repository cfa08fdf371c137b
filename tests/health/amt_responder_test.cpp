// amt-responder's mode parser and control commands (tools/amt-responder).
#include "tools/amt-responder/responder.hpp"

#include <gtest/gtest.h>

namespace driad::amtresponder {
namespace {

TEST(AmtResponder, ParsesModes) {
  EXPECT_EQ(ParseMode("ok")->kind, Mode::Kind::ok);
  EXPECT_EQ(ParseMode(" silent ")->kind, Mode::Kind::silent);
  EXPECT_EQ(ParseMode("wrong-nonce")->kind, Mode::Kind::wrong_nonce);
  auto redirect = ParseMode("redirect:192.0.2.9");
  ASSERT_TRUE(redirect.has_value());
  EXPECT_EQ(redirect->kind, Mode::Kind::redirect);
  EXPECT_EQ(ToString(*redirect), "redirect:192.0.2.9");
  EXPECT_EQ(ParseMode("redirect 2001:db8::9")->redirect_to.to_string(), "2001:db8::9");
  EXPECT_FALSE(ParseMode("redirect").has_value());
  EXPECT_FALSE(ParseMode("redirect nowhere").has_value());
  EXPECT_FALSE(ParseMode("loud").has_value());
}

TEST(AmtResponder, ParsesEndpoints) {
  EXPECT_EQ(ToString(ParseEndpoint("127.0.0.1:2268").value()), "127.0.0.1:2268");
  EXPECT_EQ(ToString(ParseEndpoint("[::1]:0").value()), "[::1]:0");
  EXPECT_FALSE(ParseEndpoint("127.0.0.1").has_value());
  EXPECT_FALSE(ParseEndpoint("127.0.0.1:99999").has_value());
  EXPECT_FALSE(ParseEndpoint("host:1").has_value());
}

TEST(AmtResponder, ExecutesControlLines) {
  boost::asio::io_context io;
  Responder responder(io, boost::asio::ip::make_address("127.0.0.1"), Mode{});
  EXPECT_EQ(Execute("mode silent\r", responder), "ok\n");
  EXPECT_EQ(responder.mode().kind, Mode::Kind::silent);
  EXPECT_EQ(Execute("mode redirect 127.0.0.2", responder), "ok\n");
  EXPECT_EQ(Execute("stats", responder), "discoveries 0 answers 0 mode redirect:127.0.0.2\nok\n");
  EXPECT_EQ(Execute("mode", responder).rfind("error: ", 0), 0U);
  EXPECT_EQ(Execute("reboot", responder).rfind("error: ", 0), 0U);
}

}  // namespace
}  // namespace driad::amtresponder
