// gNMI path strings (`/interfaces/interface[name=et-0/0/0]/state/oper-status`)
// parsed into gnmi::Path and printed back, plus the few path operations the
// feed needs: join prefix + path, compare, and test "is below".
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "proto/gnmi.pb.h"

namespace driad::health {

// Grammar (gNMI path conventions): an optional leading '/', then elements
// separated by '/'. An element is a name followed by zero or more keys
// `[name=value]`. Inside a key value a '/' is not a separator, '=' and '['
// are plain characters, and only ']' and '\' are escaped (`\]`, `\\`).
// "/" alone is the root (no elements). Errors name the 1-based column and
// what is wrong there, e.g. "column 24: unterminated key (missing ']')".
tl::expected<gnmi::Path, std::string> parse_path(std::string_view text);

// The inverse of parse_path. Keys are printed in name order (protobuf maps
// have none) so equal paths print equally. Origin and target are left out.
std::string path_to_string(const gnmi::Path& path);

// prefix + path, element-wise (full path of an update). The prefix's origin
// and target win when set.
gnmi::Path join_path(const gnmi::Path& prefix, const gnmi::Path& path);

// True when the first elements of `path` equal every element of `prefix`
// (names and key sets). Equal paths count; origin and target are ignored.
bool path_starts_with(const gnmi::Path& path, const gnmi::Path& prefix);

// Element-wise equality, ignoring origin and target.
bool same_path(const gnmi::Path& a, const gnmi::Path& b);

}  // namespace driad::health
