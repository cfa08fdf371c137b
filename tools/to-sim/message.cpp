// Implements the request and response helpers (message.hpp).
#include "tools/to-sim/message.hpp"

#include <cctype>

namespace driad::tosim {

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Calls `each(key, value)` for every "key=value" part of `text` split at `separator`.
template <typename Each>
void ForEachPair(std::string_view text, char separator, Each each) {
  while (!text.empty()) {
    const size_t end = text.find(separator);
    const std::string_view part = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    const size_t equals = part.find('=');
    if (equals == std::string_view::npos) {
      each(Trim(part), std::string_view());
    } else {
      each(Trim(part.substr(0, equals)), Trim(part.substr(equals + 1)));
    }
  }
}

}  // namespace

std::optional<std::string> Response::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::pair<std::string_view, std::string_view> SplitTarget(std::string_view target) {
  const size_t question = target.find('?');
  if (question == std::string_view::npos) return {target, {}};
  return {target.substr(0, question), target.substr(question + 1)};
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() && HexDigit(text[i + 1]) >= 0 &&
               HexDigit(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigit(text[i + 1]) * 16 + HexDigit(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::optional<std::string> QueryValue(std::string_view query, std::string_view key) {
  std::optional<std::string> found;
  ForEachPair(query, '&', [&](std::string_view name, std::string_view value) {
    if (!found && PercentDecode(name) == key) found = PercentDecode(value);
  });
  return found;
}

std::vector<std::string> CookieValues(std::string_view header, std::string_view name) {
  std::vector<std::string> values;
  ForEachPair(header, ';', [&](std::string_view key, std::string_view value) {
    if (key == name) values.emplace_back(value);
  });
  return values;
}

std::optional<std::string> BearerToken(std::string_view authorization) {
  const std::string_view text = Trim(authorization);
  const size_t space = text.find(' ');
  if (space == std::string_view::npos || !EqualsNoCase(text.substr(0, space), "Bearer")) {
    return std::nullopt;
  }
  const std::string_view token = Trim(text.substr(space + 1));
  if (token.empty()) return std::nullopt;
  return std::string(token);
}

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> segments;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    const std::string_view segment = path.substr(0, slash);
    if (!segment.empty()) segments.push_back(segment);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

}  // namespace driad::tosim
