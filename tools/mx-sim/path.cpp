// Implements the gNMI path helpers of path.hpp.
#include "tools/mx-sim/path.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace driad::mxsim {
namespace {

void AppendEscaped(std::string& out, const std::string& value) {
  for (char c : value) {
    if (c == ']' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
}

// Parses one element such as `interface[name=ud-0/0/0]` into `elem`.
tl::expected<void, std::string> ParseElem(std::string_view text, gnmi::PathElem& elem) {
  const size_t bracket = text.find('[');
  elem.set_name(std::string(text.substr(0, bracket)));
  if (elem.name().empty())
    return tl::unexpected("empty element name in '" + std::string(text) + "'");
  size_t i = bracket;
  while (i != std::string_view::npos && i < text.size()) {
    if (text[i] != '[') return tl::unexpected("expected '[' in '" + std::string(text) + "'");
    const size_t eq = text.find('=', i);
    if (eq == std::string_view::npos) {
      return tl::unexpected("key without '=' in '" + std::string(text) + "'");
    }
    std::string name(text.substr(i + 1, eq - i - 1));
    if (name.empty()) return tl::unexpected("empty key name in '" + std::string(text) + "'");
    std::string value;
    size_t j = eq + 1;
    bool closed = false;
    for (; j < text.size(); ++j) {
      if (text[j] == '\\' && j + 1 < text.size()) {
        value.push_back(text[++j]);
      } else if (text[j] == ']') {
        closed = true;
        break;
      } else {
        value.push_back(text[j]);
      }
    }
    if (!closed) return tl::unexpected("unterminated '[' in '" + std::string(text) + "'");
    (*elem.mutable_key())[name] = std::move(value);
    i = j + 1;
  }
  return {};
}

}  // namespace

std::string PathString(const gnmi::Path& path) {
  std::string out;
  for (const auto& elem : path.elem()) {
    out.push_back('/');
    out += elem.name();
    std::vector<std::pair<std::string, std::string>> keys(elem.key().begin(), elem.key().end());
    std::sort(keys.begin(), keys.end());
    for (const auto& [name, value] : keys) {
      out.push_back('[');
      out += name;
      out.push_back('=');
      AppendEscaped(out, value);
      out.push_back(']');
    }
  }
  if (out.empty()) out = "/";
  return out;
}

tl::expected<gnmi::Path, std::string> ParsePath(std::string_view text) {
  gnmi::Path path;
  size_t start = 0;
  bool in_key = false;
  // Split on '/' outside brackets, honouring backslash escapes inside them.
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size()) {
      const char c = text[i];
      if (in_key && c == '\\') {
        ++i;
        continue;
      }
      if (c == '[') in_key = true;
      if (c == ']') in_key = false;
      if (in_key || c != '/') continue;
    } else if (in_key) {
      return tl::unexpected("unterminated '[' in path '" + std::string(text) + "'");
    }
    const std::string_view segment = text.substr(start, i - start);
    start = i + 1;
    if (segment.empty()) continue;  // leading '/', or '//'
    auto parsed = ParseElem(segment, *path.add_elem());
    if (!parsed) return tl::unexpected(parsed.error());
  }
  return path;
}

gnmi::Path JoinPath(const gnmi::Path& prefix, const gnmi::Path& path) {
  gnmi::Path out = prefix;
  for (const auto& elem : path.elem()) *out.add_elem() = elem;
  if (out.origin().empty()) out.set_origin(path.origin());
  if (out.target().empty()) out.set_target(path.target());
  return out;
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
