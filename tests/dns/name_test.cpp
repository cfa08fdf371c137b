// name_from_text / name_to_text / lowercase_name: presentation <-> wire names.
#include "dns/name.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/dns/dns_test_support.hpp"

namespace driad::dns {
namespace {

using test::Bytes;

TEST(NameFromText, AbsoluteAndRelativeSpellingsGiveTheSameWire) {
  const auto absolute = name_from_text("ns1.example.");
  const auto relative = name_from_text("ns1.example");
  ASSERT_TRUE(absolute) << absolute.error();
  ASSERT_TRUE(relative) << relative.error();
  EXPECT_EQ(*absolute, (Bytes{3, 'n', 's', '1', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0}));
  EXPECT_EQ(*absolute, *relative);
}

TEST(NameFromText, RootIsOneZeroOctet) {
  const auto root = name_from_text(".");
  ASSERT_TRUE(root);
  EXPECT_EQ(*root, Bytes{0});
}

TEST(NameFromText, KeepsCase) {
  const auto name = name_from_text("AmT.Example.");
  ASSERT_TRUE(name);
  EXPECT_EQ(*name, test::wire_name("AmT.Example."));
}

TEST(NameFromText, EmptyNameIsRefused) {
  const auto name = name_from_text("");
  ASSERT_FALSE(name);
  EXPECT_NE(name.error().find("empty"), std::string::npos) << name.error();
}

TEST(NameFromText, EmptyLabelIsRefused) {
  for (const char* text : {"a..b.", ".a.", "a.b..", ".."}) {
    const auto name = name_from_text(text);
    ASSERT_FALSE(name) << text;
    EXPECT_NE(name.error().find("empty label"), std::string::npos) << text << ": " << name.error();
  }
}

TEST(NameFromText, LabelOf63IsAcceptedAnd64Refused) {
  const std::string ok = std::string(63, 'a') + ".example.";
  const auto good = name_from_text(ok);
  ASSERT_TRUE(good) << good.error();
  EXPECT_EQ((*good)[0], 63);

  const auto bad = name_from_text(std::string(64, 'a') + ".example.");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("64 octets"), std::string::npos) << bad.error();
}

TEST(NameFromText, NameOf255OctetsIsAcceptedAnd256Refused) {
  const std::string l63(63, 'a');
  // Wire: 3 * 64 + (1 + 61) + 1 = 255.
  const auto good = name_from_text(l63 + "." + l63 + "." + l63 + "." + std::string(61, 'b') + ".");
  ASSERT_TRUE(good) << good.error();
  EXPECT_EQ(good->size(), 255U);

  const auto bad = name_from_text(l63 + "." + l63 + "." + l63 + "." + std::string(62, 'b') + ".");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("256 octets"), std::string::npos) << bad.error();
}

TEST(NameFromText, EscapedDotStaysInsideTheLabel) {
  const auto name = name_from_text("a\\.b.example.");
  ASSERT_TRUE(name) << name.error();
  EXPECT_EQ(*name, (Bytes{3, 'a', '.', 'b', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0}));
}

TEST(NameFromText, DecimalEscapesBecomeOctets) {
  const auto name = name_from_text("\\065\\000\\255.x.");
  ASSERT_TRUE(name) << name.error();
  EXPECT_EQ(*name, (Bytes{3, 'A', 0, 255, 1, 'x', 0}));
  // An escape that ends the text.
  const auto last = name_from_text("a\\098");
  ASSERT_TRUE(last) << last.error();
  EXPECT_EQ(*last, (Bytes{2, 'a', 'b', 0}));
}

TEST(NameFromText, BadEscapesAreRefused) {
  const auto above = name_from_text("\\256.example.");
  ASSERT_FALSE(above);
  EXPECT_NE(above.error().find("above"), std::string::npos) << above.error();

  const auto short_escape = name_from_text("\\12.example.");
  ASSERT_FALSE(short_escape);
  EXPECT_NE(short_escape.error().find("three digits"), std::string::npos) << short_escape.error();

  const auto trailing = name_from_text("example\\");
  ASSERT_FALSE(trailing);
  EXPECT_NE(trailing.error().find("backslash"), std::string::npos) << trailing.error();
}

TEST(NameFromText, EscapedOctetsCountTowardsTheLabelLimit) {
  std::string text;
  for (int i = 0; i < 64; ++i) text += "\\046";  // 64 escaped dots in one label
  EXPECT_FALSE(name_from_text(text + "."));
}

TEST(NameToText, PrintsWithTrailingDot) {
  EXPECT_EQ(name_to_text(test::wire_name("ns1.example.")), "ns1.example.");
  EXPECT_EQ(name_to_text(Bytes{0}), ".");
  EXPECT_EQ(name_to_text(Bytes{}), ".");
}

TEST(NameToText, EscapesSpecialAndUnprintableOctets) {
  EXPECT_EQ(name_to_text(Bytes{3, 'a', '.', 'b', 0}), "a\\.b.");
  EXPECT_EQ(name_to_text(Bytes{2, '\\', ';', 0}), "\\\\\\;.");
  EXPECT_EQ(name_to_text(Bytes{3, ' ', 0, 200, 0}), "\\032\\000\\200.");
}

TEST(NameToText, RoundTripsThroughNameFromText) {
  for (const char* text : {"amtrelays.example.com.", "a\\.b.example.", "\\000\\255x.",
                           "12.100.51.198.in-addr.arpa.", "."}) {
    const auto wire = name_from_text(text);
    ASSERT_TRUE(wire) << text;
    EXPECT_EQ(name_to_text(*wire), text);
  }
}

TEST(LowercaseName, LowersAsciiLettersOnly) {
  auto name = name_from_text("AmT-\\200Z.ExAmPlE.");
  ASSERT_TRUE(name);
  lowercase_name(*name);
  EXPECT_EQ(*name,
            (Bytes{6, 'a', 'm', 't', '-', 200, 'z', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0}));
}

}  // namespace
}  // namespace driad::dns
