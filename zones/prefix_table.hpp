// Longest-prefix match over a fixed set of prefixes, flattened when built into
// sorted, non-overlapping address intervals: a look-up is one binary search and
// touches no pointers. Immutable after build; safe to read from any thread.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "zones/prefix.hpp"

namespace driad::zones {

class PrefixTable {
 public:
  static constexpr std::uint32_t kNoValue = std::numeric_limits<std::uint32_t>::max();

  struct Entry {
    Prefix prefix;
    std::uint32_t value = 0;
  };

  // Fails on a prefix given twice. Entries of both families may be mixed.
  static tl::expected<PrefixTable, std::string> build(std::vector<Entry> entries);

  // The value of the longest prefix holding `address`, or kNoValue.
  std::uint32_t lookup(Family family, Bits128 address) const noexcept;

  // Whether any prefix of the table shares an address with `prefix`: that is,
  // whether a name for `prefix` has something at or below it.
  bool overlaps(const Prefix& prefix) const noexcept;

  std::size_t interval_count() const noexcept { return v4_.starts.size() + v6_.starts.size(); }
  // Heap bytes of the interval arrays, for the snapshot size metric.
  std::size_t memory_bytes() const noexcept;

 private:
  template <typename Key>
  struct Intervals {
    std::vector<Key> starts;
    std::vector<Key> ends;
    std::vector<std::uint32_t> values;
    std::uint32_t lookup(Key address) const noexcept;
    bool overlaps(Key first, Key last) const noexcept;
    void append(Key first, Key last, std::uint32_t value);
  };

  template <typename Key>
  static void flatten(std::vector<Entry>& sorted, Family family, Intervals<Key>& out);

  Intervals<std::uint32_t> v4_;
  Intervals<Bits128> v6_;
};

}  // namespace driad::zones
