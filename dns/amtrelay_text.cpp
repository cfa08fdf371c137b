// Parsing and printing the AMTRELAY presentation form.
#include "dns/amtrelay_text.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <vector>

#include "dns/name.hpp"

namespace driad::dns {
namespace {

std::vector<std::string_view> split_fields(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t at = 0;
  while (at < text.size()) {
    while (at < text.size() && (text[at] == ' ' || text[at] == '\t')) ++at;
    const std::size_t start = at;
    while (at < text.size() && text[at] != ' ' && text[at] != '\t') ++at;
    if (at > start) fields.push_back(text.substr(start, at - start));
  }
  return fields;
}

bool parse_number(std::string_view text, unsigned& value) {
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return !text.empty() && ec == std::errc{} && ptr == end;
}

}  // namespace

tl::expected<policy::AmtRelay, std::string> amtrelay_from_text(std::string_view text) {
  const auto fields = split_fields(text);
  if (fields.size() != 4) {
    return tl::make_unexpected("'" + std::string(text) + "' is not 'precedence D type relay' (" +
                               std::to_string(fields.size()) + " fields, want 4)");
  }
  policy::AmtRelay relay;
  unsigned precedence = 0;
  if (!parse_number(fields[0], precedence) || precedence > 255) {
    return tl::make_unexpected("precedence '" + std::string(fields[0]) + "' is not 0-255");
  }
  relay.precedence = static_cast<std::uint8_t>(precedence);
  if (fields[1] != "0" && fields[1] != "1") {
    return tl::make_unexpected("D '" + std::string(fields[1]) + "' is not 0 or 1");
  }
  relay.discovery_optional = fields[1] == "1";
  unsigned type = 0;
  if (!parse_number(fields[2], type) || type > 127) {
    return tl::make_unexpected("type '" + std::string(fields[2]) + "' is not 0-3");
  }
  if (type > 3) {
    return tl::make_unexpected("type " + std::to_string(type) +
                               " is unassigned (RFC 8777 defines 0 none, 1 IPv4, 2 IPv6, 3 name)");
  }
  relay.type = static_cast<policy::RelayType>(type);
  const std::string value(fields[3]);
  switch (relay.type) {
    case policy::RelayType::none:
      if (value != ".")
        return tl::make_unexpected("type 0 (no relay) takes '.' as relay, not '" + value + "'");
      break;
    case policy::RelayType::ipv4: {
      relay.relay.resize(4);
      if (inet_pton(AF_INET, value.c_str(), relay.relay.data()) != 1) {
        return tl::make_unexpected("type 1 relay '" + value + "' is not an IPv4 address");
      }
      break;
    }
    case policy::RelayType::ipv6: {
      relay.relay.resize(16);
      if (inet_pton(AF_INET6, value.c_str(), relay.relay.data()) != 1) {
        return tl::make_unexpected("type 2 relay '" + value + "' is not an IPv6 address");
      }
      break;
    }
    case policy::RelayType::domain_name: {
      auto name = name_from_text(value);
      if (!name) return tl::make_unexpected("type 3 relay: " + name.error());
      if (name->size() == 1)
        return tl::make_unexpected("type 3 relay is the root name; use type 0 for no relay");
      relay.relay = std::move(*name);
      break;
    }
  }
  return relay;
}

}  // namespace driad::dns
