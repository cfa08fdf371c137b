// Decodes a gnmi::TypedValue into what the feed reads: text (oper-status,
// addresses) or an unsigned number (counters, tunnel counts). Targets send a
// number as uint_val, int_val, double_val, a string, or inside JSON (where
// 64-bit integers are strings), so every member of the oneof is decoded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "proto/gnmi.pb.h"

namespace driad::health {

// The value as text: strings and ascii as they are; JSON strings unquoted,
// other JSON as compact JSON; numbers and bools printed; bytes as raw text;
// a leaf-list as its elements joined by ",". Nothing for any_val,
// proto_bytes or an unset value.
std::optional<std::string> value_text(const gnmi::TypedValue& value);

// The value as an unsigned integer, exactly for 64-bit counters: uint_val;
// int_val >= 0; a whole, non-negative double/float/decimal; a string or JSON
// number or JSON string holding one; a one-element leaf-list of those.
// Nothing for negatives, fractions, text or anything else.
std::optional<std::uint64_t> value_uint(const gnmi::TypedValue& value);

}  // namespace driad::health
