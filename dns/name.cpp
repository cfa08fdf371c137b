// Presentation <-> wire conversion of domain names.
#include "dns/name.hpp"

#include <cctype>

namespace driad::dns {

tl::expected<WireName, std::string> name_from_text(std::string_view text) {
  if (text.empty()) return tl::make_unexpected("the name is empty");
  if (text == ".") return WireName{0};
  WireName wire;
  std::string label;
  auto finish_label = [&]() -> tl::expected<void, std::string> {
    if (label.empty()) return tl::make_unexpected("'" + std::string(text) + "' has an empty label");
    if (label.size() > kMaxLabelLength) {
      return tl::make_unexpected("'" + std::string(text) + "' has a label of " +
                                 std::to_string(label.size()) + " octets (at most 63)");
    }
    wire.push_back(static_cast<std::uint8_t>(label.size()));
    wire.insert(wire.end(), label.begin(), label.end());
    label.clear();
    return {};
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.') {
      if (auto done = finish_label(); !done) return tl::make_unexpected(done.error());
    } else if (c == '\\') {
      if (i + 1 >= text.size())
        return tl::make_unexpected("'" + std::string(text) + "' ends in a backslash");
      if (i + 3 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1])) &&
          std::isdigit(static_cast<unsigned char>(text[i + 2])) &&
          std::isdigit(static_cast<unsigned char>(text[i + 3]))) {
        const int value =
            (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (value > 255)
          return tl::make_unexpected("'" + std::string(text) + "' has an escape above \\255");
        label.push_back(static_cast<char>(value));
        i += 3;
      } else if (std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
        return tl::make_unexpected("'" + std::string(text) +
                                   "' has a \\DDD escape without three digits");
      } else {
        label.push_back(text[++i]);
      }
    } else {
      label.push_back(c);
    }
  }
  if (!label.empty()) {
    if (auto done = finish_label(); !done) return tl::make_unexpected(done.error());
  }
  wire.push_back(0);
  if (wire.size() > kMaxNameLength) {
    return tl::make_unexpected("'" + std::string(text) + "' is " + std::to_string(wire.size()) +
                               " octets in wire form (at most 255)");
  }
  return wire;
}

std::string name_to_text(std::span<const std::uint8_t> wire) {
  std::string text;
  std::size_t at = 0;
  while (at < wire.size() && wire[at] != 0) {
    const std::size_t length = wire[at];
    for (std::size_t i = at + 1; i <= at + length && i < wire.size(); ++i) {
      const auto c = static_cast<unsigned char>(wire[i]);
      if (c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' || c == '$' ||
          c == '@') {
        text.push_back('\\');
        text.push_back(static_cast<char>(c));
      } else if (c <= 0x20 || c >= 0x7f) {
        const char digits[] = {'\\', static_cast<char>('0' + c / 100),
                               static_cast<char>('0' + c / 10 % 10),
                               static_cast<char>('0' + c % 10)};
        text.append(digits, sizeof digits);
      } else {
        text.push_back(static_cast<char>(c));
      }
    }
    text.push_back('.');
    at += length + 1;
  }
  return text.empty() ? "." : text;
}

void lowercase_name(WireName& wire) noexcept {
  std::size_t at = 0;
  while (at < wire.size() && wire[at] != 0) {
    const std::size_t end = at + 1 + wire[at];
    for (std::size_t i = at + 1; i < end && i < wire.size(); ++i) {
      if (wire[i] >= 'A' && wire[i] <= 'Z') wire[i] = static_cast<std::uint8_t>(wire[i] + 32);
    }
    at = end;
  }
}

}  // namespace driad::dns
