// Implements the gNMI path helpers of path.hpp.
#include "tools/mx-sim/path.hpp"

#include "health/gnmi_path.hpp"

namespace driad::mxsim {

// Parsing, printing and joining are the client's own (health/gnmi_path), so the
// simulator and driad agree on the grammar by construction; only the
// wildcard matching below is the server's.
std::string PathString(const gnmi::Path& path) {
  return health::path_to_string(path);
}

tl::expected<gnmi::Path, std::string> ParsePath(std::string_view text) {
  return health::parse_path(text);
}

gnmi::Path JoinPath(const gnmi::Path& prefix, const gnmi::Path& path) {
  return health::join_path(prefix, path);
}

gnmi::Path Head(const gnmi::Path& path, int count) {
  gnmi::Path out;
  for (int i = 0; i < path.elem_size() && i < count; ++i) *out.add_elem() = path.elem(i);
  return out;
}

gnmi::Path Tail(const gnmi::Path& path, int count) {
  gnmi::Path out;
  for (int i = count; i < path.elem_size(); ++i) *out.add_elem() = path.elem(i);
  return out;
}

bool PathMatches(const gnmi::Path& pattern, const gnmi::Path& leaf) {
  if (pattern.elem_size() > leaf.elem_size()) return false;
  for (int i = 0; i < pattern.elem_size(); ++i) {
    const auto& want = pattern.elem(i);
    const auto& have = leaf.elem(i);
    if (want.name() != "*" && want.name() != have.name()) return false;
    for (const auto& [name, value] : want.key()) {
      const auto it = have.key().find(name);
      if (it == have.key().end()) return false;
      if (value != "*" && value != it->second) return false;
    }
  }
  return true;
}

}  // namespace driad::mxsim
