// Building the flattened interval table and searching it.
#include "zones/prefix_table.hpp"

#include <algorithm>

namespace driad::zones {

template <typename Key>
std::uint32_t PrefixTable::Intervals<Key>::lookup(Key address) const noexcept {
  const auto after = std::upper_bound(starts.begin(), starts.end(), address);
  if (after == starts.begin()) return kNoValue;
  const auto index = static_cast<std::size_t>(after - starts.begin()) - 1;
  return ends[index] >= address ? values[index] : kNoValue;
}

template <typename Key>
bool PrefixTable::Intervals<Key>::overlaps(Key first, Key last) const noexcept {
  // Intervals are disjoint and sorted, so their ends are sorted too.
  const auto it = std::lower_bound(ends.begin(), ends.end(), first);
  if (it == ends.end()) return false;
  return starts[static_cast<std::size_t>(it - ends.begin())] <= last;
}

template <typename Key>
void PrefixTable::Intervals<Key>::append(Key first, Key last, std::uint32_t value) {
  if (!values.empty() && values.back() == value && ends.back() + 1 == first) {
    ends.back() = last;
    return;
  }
  starts.push_back(first);
  ends.push_back(last);
  values.push_back(value);
}

// A sweep over prefixes sorted by (first address, length): a stack holds the
// prefixes that contain the current position; each is closed when the sweep
// passes its last address. Inner prefixes cut their containers' intervals.
template <typename Key>
void PrefixTable::flatten(std::vector<Entry>& sorted, Family family, Intervals<Key>& out) {
  struct Open {
    Key last;
    std::uint32_t value;
  };
  std::vector<Open> open;
  Key cursor = 0;
  bool exhausted = false;  // the sweep has passed the family's last address
  auto close_top = [&] {
    const Open top = open.back();
    open.pop_back();
    if (exhausted || cursor > top.last) return;
    out.append(cursor, top.last, top.value);
    if (top.last == static_cast<Key>(family_mask(family))) {
      exhausted = true;
    } else {
      cursor = top.last + 1;
    }
  };
  for (const Entry& entry : sorted) {
    if (entry.prefix.family != family) continue;
    const auto first = static_cast<Key>(entry.prefix.first());
    const auto last = static_cast<Key>(entry.prefix.last());
    while (!open.empty() && open.back().last < first) close_top();
    if (!open.empty() && cursor < first) out.append(cursor, first - 1, open.back().value);
    cursor = first;
    open.push_back({last, entry.value});
  }
  while (!open.empty()) close_top();
}

tl::expected<PrefixTable, std::string> PrefixTable::build(std::vector<Entry> entries) {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.prefix.family != b.prefix.family) return a.prefix.family < b.prefix.family;
    if (a.prefix.address != b.prefix.address) return a.prefix.address < b.prefix.address;
    return a.prefix.length < b.prefix.length;
  });
  const auto duplicate =
      std::adjacent_find(entries.begin(), entries.end(),
                         [](const Entry& a, const Entry& b) { return a.prefix == b.prefix; });
  if (duplicate != entries.end()) {
    return tl::make_unexpected("prefix " + to_string(duplicate->prefix) + " is given twice");
  }
  PrefixTable table;
  flatten(entries, Family::ipv4, table.v4_);
  flatten(entries, Family::ipv6, table.v6_);
  return table;
}

std::uint32_t PrefixTable::lookup(Family family, Bits128 address) const noexcept {
  if (family == Family::ipv4) return v4_.lookup(static_cast<std::uint32_t>(address));
  return v6_.lookup(address);
}

bool PrefixTable::overlaps(const Prefix& prefix) const noexcept {
  if (prefix.family == Family::ipv4) {
    return v4_.overlaps(static_cast<std::uint32_t>(prefix.first()),
                        static_cast<std::uint32_t>(prefix.last()));
  }
  return v6_.overlaps(prefix.first(), prefix.last());
}

std::size_t PrefixTable::memory_bytes() const noexcept {
  const auto bytes = [](const auto& intervals) {
    return intervals.starts.capacity() * sizeof(intervals.starts[0]) +
           intervals.ends.capacity() * sizeof(intervals.ends[0]) +
           intervals.values.capacity() * sizeof(std::uint32_t);
  };
  return bytes(v4_) + bytes(v6_);
}

}  // namespace driad::zones
