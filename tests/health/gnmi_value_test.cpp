// TypedValue decoding: every oneof member, as text and as a counter.
#include "health/gnmi_value.hpp"

#include <gtest/gtest.h>

// Deprecated members are exercised on purpose: old targets send them.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace driad::health {
namespace {

TEST(GnmiValue, Text) {
  gnmi::TypedValue value;
  value.set_string_val("UP");
  EXPECT_EQ(value_text(value), "UP");
  value.set_ascii_val("DOWN");
  EXPECT_EQ(value_text(value), "DOWN");
  value.set_json_val(R"("UP")");
  EXPECT_EQ(value_text(value), "UP");
  value.set_json_ietf_val(R"({"a":1})");
  EXPECT_EQ(value_text(value), R"({"a":1})");
  value.set_bytes_val("raw");
  EXPECT_EQ(value_text(value), "raw");
  value.set_bool_val(true);
  EXPECT_EQ(value_text(value), "true");
  value.set_int_val(-3);
  EXPECT_EQ(value_text(value), "-3");
  value.set_uint_val(7);
  EXPECT_EQ(value_text(value), "7");
  value.mutable_leaflist_val()->add_element()->set_string_val("a");
  value.mutable_leaflist_val()->add_element()->set_uint_val(2);
  EXPECT_EQ(value_text(value), "a,2");
  value.set_json_val("{not json");
  EXPECT_FALSE(value_text(value));
  value.set_proto_bytes("x");
  EXPECT_FALSE(value_text(value));
  EXPECT_FALSE(value_text(gnmi::TypedValue()));
}

TEST(GnmiValue, Counters) {
  gnmi::TypedValue value;
  value.set_uint_val(18446744073709551615ULL);
  EXPECT_EQ(value_uint(value), 18446744073709551615ULL);
  value.set_int_val(300);
  EXPECT_EQ(value_uint(value), 300U);
  value.set_int_val(-1);
  EXPECT_FALSE(value_uint(value));
  value.set_double_val(42.0);
  EXPECT_EQ(value_uint(value), 42U);
  value.set_double_val(42.5);
  EXPECT_FALSE(value_uint(value));
  value.set_float_val(8.0F);
  EXPECT_EQ(value_uint(value), 8U);
  value.mutable_decimal_val()->set_digits(12500);
  value.mutable_decimal_val()->set_precision(2);
  EXPECT_EQ(value_uint(value), 125U);
  value.set_string_val("9007199254740993");  // beyond double precision: exact
  EXPECT_EQ(value_uint(value), 9007199254740993ULL);
  value.set_string_val("12x");
  EXPECT_FALSE(value_uint(value));
  value.set_ascii_val("5");
  EXPECT_EQ(value_uint(value), 5U);
  value.set_json_val("95");
  EXPECT_EQ(value_uint(value), 95U);
  value.set_json_ietf_val(R"("18446744073709551615")");  // RFC 7951: 64-bit as string
  EXPECT_EQ(value_uint(value), 18446744073709551615ULL);
  value.set_json_val("-4");
  EXPECT_FALSE(value_uint(value));
  value.mutable_leaflist_val()->add_element()->set_uint_val(3);
  EXPECT_EQ(value_uint(value), 3U);
  value.mutable_leaflist_val()->add_element()->set_uint_val(4);
  EXPECT_FALSE(value_uint(value));
  value.set_bool_val(true);
  EXPECT_FALSE(value_uint(value));
}

}  // namespace
}  // namespace driad::health
