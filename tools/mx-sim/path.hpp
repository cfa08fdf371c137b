// gNMI path helpers for mx-sim: the textual form used in logs and control
// output, parsing it back, joining prefix + path, and subscription matching.
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "proto/gnmi.pb.h"

namespace driad::mxsim {

// "/interfaces/interface[name=lo0]/state/oper-status". Keys are written in
// name order (protobuf maps have no order) so equal paths give equal strings;
// only ']' and '\' are escaped inside key values. Origin and target are left
// out: they never distinguish two leaves of one simulated router.
std::string PathString(const gnmi::Path& path);

// The inverse of PathString. A '/' inside [...] is part of the key value.
tl::expected<gnmi::Path, std::string> ParsePath(std::string_view text);

// prefix + path, element-wise; the prefix's origin and target win when set.
gnmi::Path JoinPath(const gnmi::Path& prefix, const gnmi::Path& path);

// The first `count` elements of `path` (all of them if it is shorter).
gnmi::Path Head(const gnmi::Path& path, int count);
// `path` without its first `count` elements.
gnmi::Path Tail(const gnmi::Path& path, int count);

// True when `pattern` selects `leaf`: the pattern's elements are a prefix of
// the leaf's, a name "*" matches any element, and a key is matched only where
// the pattern names it ("*" as a key value matches any value). A pattern elem
// without keys therefore matches every list entry, as the spec requires.
bool PathMatches(const gnmi::Path& pattern, const gnmi::Path& leaf);

}  // namespace driad::mxsim
