// Implements the gNMI path grammar of gnmi_path.hpp.
#include "health/gnmi_path.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace driad::health {
namespace {

// A cursor over the text that knows its column, so every error says where.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  tl::expected<gnmi::Path, std::string> run() {
    gnmi::Path path;
    if (text_.empty()) return fail("empty path (the root is \"/\")");
    if (text_[0] == '/') ++at_;
    if (at_ == text_.size()) return path;  // "/": the root
    while (true) {
      auto elem = parse_elem();
      if (!elem) return tl::unexpected(elem.error());
      *path.add_elem() = std::move(*elem);
      if (at_ == text_.size()) return path;
      // parse_elem stops only at '/' or the end.
      ++at_;
      if (at_ == text_.size()) return fail("trailing '/'");
    }
  }

 private:
  tl::unexpected<std::string> fail(const std::string& what) const {
    return tl::unexpected("column " + std::to_string(at_ + 1) + ": " + what);
  }

  tl::expected<gnmi::PathElem, std::string> parse_elem() {
    gnmi::PathElem elem;
    const size_t start = at_;
    while (at_ < text_.size() && text_[at_] != '/' && text_[at_] != '[') {
      if (text_[at_] == ']' || text_[at_] == '=') {
        return fail(std::string("unexpected '") + text_[at_] + "' in element name");
      }
      ++at_;
    }
    if (at_ == start) return fail("empty element name");
    elem.set_name(std::string(text_.substr(start, at_ - start)));
    while (at_ < text_.size() && text_[at_] == '[') {
      auto key = parse_key(elem);
      if (!key) return tl::unexpected(key.error());
    }
    if (at_ < text_.size() && text_[at_] != '/') {
      return fail("expected '/' or '[' after element '" + elem.name() + "'");
    }
    return elem;
  }

  // At '[': reads `name=value]` into `elem`.
  tl::expected<void, std::string> parse_key(gnmi::PathElem& elem) {
    const size_t open = at_++;
    const size_t name_start = at_;
    while (at_ < text_.size() && text_[at_] != '=' && text_[at_] != ']' && text_[at_] != '/') {
      ++at_;
    }
    if (at_ == text_.size() || text_[at_] != '=') {
      at_ = open;
      return fail("key without '=' in element '" + elem.name() + "'");
    }
    if (at_ == name_start) return fail("empty key name in element '" + elem.name() + "'");
    std::string name(text_.substr(name_start, at_ - name_start));
    ++at_;  // '='
    std::string value;
    while (true) {
      if (at_ == text_.size()) {
        at_ = open;
        return fail("unterminated key '" + name + "' (missing ']')");
      }
      const char c = text_[at_];
      if (c == ']') break;
      if (c == '\\') {
        if (at_ + 1 == text_.size() || (text_[at_ + 1] != ']' && text_[at_ + 1] != '\\')) {
          return fail("bad escape in key '" + name + R"(' (only \] and \\ are escapes))");
        }
        ++at_;
      }
      value.push_back(text_[at_++]);
    }
    ++at_;  // ']'
    if (elem.key().contains(name)) {
      at_ = open;
      return fail("duplicate key '" + name + "' in element '" + elem.name() + "'");
    }
    (*elem.mutable_key())[name] = std::move(value);
    return {};
  }

  std::string_view text_;
  size_t at_ = 0;
};

bool same_elem(const gnmi::PathElem& a, const gnmi::PathElem& b) {
  if (a.name() != b.name() || a.key_size() != b.key_size()) return false;
  return std::all_of(a.key().begin(), a.key().end(), [&b](const auto& key) {
    const auto it = b.key().find(key.first);
    return it != b.key().end() && it->second == key.second;
  });
}

}  // namespace

tl::expected<gnmi::Path, std::string> parse_path(std::string_view text) {
  return Parser(text).run();
}

std::string path_to_string(const gnmi::Path& path) {
  std::string out;
  for (const auto& elem : path.elem()) {
    out.push_back('/');
    out += elem.name();
    std::vector<std::pair<std::string, std::string>> keys(elem.key().begin(), elem.key().end());
    std::sort(keys.begin(), keys.end());
    for (const auto& [name, value] : keys) {
      out += '[' + name + '=';
      for (const char c : value) {
        if (c == ']' || c == '\\') out.push_back('\\');
        out.push_back(c);
      }
      out.push_back(']');
    }
  }
  return out.empty() ? "/" : out;
}

gnmi::Path join_path(const gnmi::Path& prefix, const gnmi::Path& path) {
  gnmi::Path out = prefix;
  for (const auto& elem : path.elem()) *out.add_elem() = elem;
  if (out.origin().empty()) out.set_origin(path.origin());
  if (out.target().empty()) out.set_target(path.target());
  return out;
}

bool path_starts_with(const gnmi::Path& path, const gnmi::Path& prefix) {
  if (prefix.elem_size() > path.elem_size()) return false;
  for (int i = 0; i < prefix.elem_size(); ++i) {
    if (!same_elem(path.elem(i), prefix.elem(i))) return false;
  }
  return true;
}

bool same_path(const gnmi::Path& a, const gnmi::Path& b) {
  return a.elem_size() == b.elem_size() && path_starts_with(a, b);
}

}  // namespace driad::health
