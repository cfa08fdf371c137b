// Domain names in presentation form <-> uncompressed wire form (RFC 1035 section
// 3.1 and 5.1), for config-time use. Packet name parsing lives in message.cpp.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace driad::dns {

constexpr std::size_t kMaxNameLength = 255;
constexpr std::size_t kMaxLabelLength = 63;

using WireName = std::vector<std::uint8_t>;

// "ns1.example." or "ns1.example" (both absolute; "." is the root). Accepts the
// \DDD and \X escapes. Errors say which label is wrong and why.
tl::expected<WireName, std::string> name_from_text(std::string_view text);

// Presentation form, always with the trailing dot; escapes what needs it.
std::string name_to_text(std::span<const std::uint8_t> wire);

void lowercase_name(WireName& wire) noexcept;

}  // namespace driad::dns
