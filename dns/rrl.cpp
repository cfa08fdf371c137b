// The rate limiter's table (a set-associative array of GCRA buckets) and the
// in-place truncation that slipped and oversized answers go out as.
#include "dns/rrl.hpp"

#include <algorithm>
#include <cstring>

#include "dns/keyed_hash.hpp"
#include "dns/message.hpp"
#include "dns/name.hpp"

namespace driad::dns {
namespace {

constexpr std::uint64_t kNsPerSecond = 1'000'000'000;
constexpr std::uint64_t kCountMask = 0xffff;  // the low 16 bits of a tag
constexpr std::uint8_t kFlagTc = 0x02;

void put16(std::uint8_t* at, std::uint16_t value) noexcept {
  at[0] = static_cast<std::uint8_t>(value >> 8);
  at[1] = static_cast<std::uint8_t>(value);
}

// The offset just past the name at `at` (labels, or labels ending in a
// compression pointer); 0 when it runs past `size` or is malformed.
std::size_t skip_name(const std::uint8_t* message, std::size_t at, std::size_t size) noexcept {
  while (at < size) {
    const std::uint8_t length = message[at];
    if (length == 0) return at + 1;
    if ((length & 0xc0) == 0xc0) return at + 2 <= size ? at + 2 : 0;
    if (length > kMaxLabelLength) return 0;
    at += 1 + std::size_t{length};
  }
  return 0;
}

}  // namespace

RrlPrefix rrl_prefix(const ClientAddress& client, std::uint8_t ipv4_prefix,
                     std::uint8_t ipv6_prefix) noexcept {
  if (!client.known) return {};
  const unsigned length = client.family == zones::Family::ipv4 ? ipv4_prefix : ipv6_prefix;
  return {client.family, client.address & zones::prefix_mask(client.family, length)};
}

RateLimiter::RateLimiter(const RrlOptions& options, std::size_t slots, std::uint64_t seed)
    : seed_(seed != 0 ? seed : random_hash_seed()),
      slip_(options.slip),
      max_amplification_(options.max_amplification),
      ipv4_prefix_(options.ipv4_prefix),
      ipv6_prefix_(options.ipv6_prefix) {
  std::size_t sets = 1;
  while (sets * kWays < slots) sets *= 2;
  table_.resize(sets * kWays);
  set_mask_ = sets - 1;
  const std::uint64_t rate = std::max<std::uint32_t>(options.responses_per_second, 1);
  const std::uint64_t burst = std::max<std::uint64_t>(rate * std::max(options.window_s, 1U), 1);
  interval_ns_ = std::max<std::uint64_t>(kNsPerSecond / rate, 1);
  tolerance_ns_ = (burst - 1) * interval_ns_;
}

RrlVerdict RateLimiter::check(const ClientAddress& client, std::uint64_t now_ns) noexcept {
  const RrlPrefix prefix = rrl_prefix(client, ipv4_prefix_, ipv6_prefix_);
  const auto low = static_cast<std::uint64_t>(prefix.bits);
  const auto high = static_cast<std::uint64_t>(prefix.bits >> 64);
  const std::uint64_t hash =
      splitmix64_mix(splitmix64_mix(seed_ ^ low) ^ high ^
                     (prefix.family == zones::Family::ipv6 ? 0x9e3779b97f4a7c15 : 0));
  std::uint64_t fingerprint = hash & ~kCountMask;
  if (fingerprint == 0) fingerprint = kCountMask + 1;

  // The set's slot for this prefix, else the one whose bucket is the least
  // in debt: a slot whose due time has passed holds a full bucket, exactly
  // what a new slot starts with, so taking it loses nothing.
  Slot* const set = &table_[(hash & set_mask_) * kWays];
  Slot* slot = nullptr;
  Slot* oldest = set;
  for (std::size_t way = 0; way < kWays; ++way) {
    if ((set[way].tag & ~kCountMask) == fingerprint) {
      slot = &set[way];
      break;
    }
    if (set[way].due_ns < oldest->due_ns) oldest = &set[way];
  }
  if (slot == nullptr) {
    slot = oldest;
    slot->tag = fingerprint;
    slot->due_ns = now_ns;
  }

  const std::uint64_t due = std::max(slot->due_ns, now_ns);
  if (due - now_ns <= tolerance_ns_) {
    slot->due_ns = due + interval_ns_;
    return RrlVerdict::send;
  }
  if (slip_ == 0) return RrlVerdict::drop;
  const std::uint64_t limited = (slot->tag & kCountMask) + 1;
  if (limited >= slip_) {
    slot->tag = fingerprint;
    return RrlVerdict::slip;
  }
  slot->tag = fingerprint | limited;
  return RrlVerdict::drop;
}

std::size_t truncate_response(std::span<std::uint8_t> message, std::size_t size) noexcept {
  size = std::min(size, message.size());
  if (size < kHeaderSize) return size;
  std::uint8_t* const m = message.data();
  const std::uint16_t questions = read16(&m[4]) == 1 ? 1 : 0;
  const unsigned records = unsigned{read16(&m[6])} + read16(&m[8]) + read16(&m[10]);
  const unsigned before_additional = unsigned{read16(&m[6])} + read16(&m[8]);

  std::size_t at = kHeaderSize;
  std::size_t question_end = kHeaderSize;
  if (questions == 1) {
    at = skip_name(m, at, size);
    question_end = at != 0 && at + 4 <= size ? at + 4 : 0;
  }
  std::size_t opt_begin = 0;
  std::size_t opt_end = 0;
  at = question_end;
  for (unsigned i = 0; at != 0 && i < records; ++i) {
    const std::size_t begin = at;
    at = skip_name(m, at, size);
    if (at == 0 || at + 10 > size) break;
    const std::size_t end = at + 10 + read16(&m[at + 8]);
    if (end > size) break;
    if (i >= before_additional && read16(&m[at]) == rr_type::opt) {
      opt_begin = begin;
      opt_end = end;
      break;
    }
    at = end;
  }

  const bool with_question = question_end != 0;
  std::size_t out = with_question ? question_end : kHeaderSize;
  if (opt_end != 0) {
    std::memmove(&m[out], &m[opt_begin], opt_end - opt_begin);
    out += opt_end - opt_begin;
  }
  m[2] |= kFlagTc;
  put16(&m[4], with_question ? questions : 0);
  put16(&m[6], 0);
  put16(&m[8], 0);
  put16(&m[10], opt_end != 0 ? 1 : 0);
  return out;
}

}  // namespace driad::dns
