// The source prefixes of a config and of the snapshots built from it, held once
// however many copies there are: a million prefixes (issue 5) must not be
// copied, re-sorted or re-hashed when only the relays of a group change. Copies
// of a SourceList share one immutable vector and what is derived from it the
// first time it is needed (the interval table, the fingerprint, the zones it
// was checked against); a snapshot rebuilt from the same list reuses its table.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "zones/prefix.hpp"
#include "zones/prefix_table.hpp"

namespace driad::zones {

struct SourceSpec {
  Prefix prefix;
  std::uint32_t group = 0;  // index into SnapshotSpec::groups

  friend bool operator==(const SourceSpec&, const SourceSpec&) = default;
};

// A vector of SourceSpec with value semantics and shared storage. Reading is
// as from a const std::vector; push_back(), reserve() and clear() copy the
// storage first when it is shared (copy on write), so a list is never changed
// under a copy. References and iterators stay valid as long as the list they
// came from lives unchanged.
// THREADS: copies may be read and their derived values requested from any
// thread (a mutex guards the first computation); a single list object is not
// to be changed while another thread uses that same object.
class SourceList {
 public:
  using value_type = SourceSpec;
  using const_iterator = std::vector<SourceSpec>::const_iterator;

  SourceList() = default;
  SourceList(std::initializer_list<SourceSpec> sources);
  explicit SourceList(std::vector<SourceSpec> sources);

  std::size_t size() const noexcept { return storage_ ? storage_->sources.size() : 0; }
  bool empty() const noexcept { return size() == 0; }
  const SourceSpec& operator[](std::size_t i) const noexcept { return storage_->sources[i]; }
  const_iterator begin() const noexcept {
    return storage_ ? storage_->sources.cbegin() : kNone.cbegin();
  }
  const_iterator end() const noexcept { return storage_ ? storage_->sources.cend() : kNone.cend(); }

  void push_back(const SourceSpec& source);
  void reserve(std::size_t count);
  void clear();

  // Whether both lists are one storage, so one table: what a rebuild for new
  // decisions relies on.
  bool shares(const SourceList& other) const noexcept { return storage_ == other.storage_; }

  // One more than the largest group, 0 for an empty list.
  std::uint32_t group_bound() const noexcept { return storage_ ? storage_->group_bound : 0; }

  // The longest-prefix table (value: the group), built by the first call from
  // any copy and shared after; fails on a prefix given twice (every later
  // call too, without sorting again).
  tl::expected<std::shared_ptr<const PrefixTable>, std::string> table() const;

  // FNV-1a over every prefix and group, computed once.
  std::uint64_t fingerprint() const;

  // Whether every source lies inside one of `zones`; the zones of the last
  // pass are remembered, so that checking again against them costs nothing.
  tl::expected<void, std::string> check_inside(const std::vector<Prefix>& zones) const;

  friend bool operator==(const SourceList& a, const SourceList& b);

 private:
  struct Storage {
    std::vector<SourceSpec> sources;
    std::uint32_t group_bound = 0;
    // Derived on first use under the mutex; `sources` never changes once shared.
    mutable std::mutex mutex;
    mutable std::shared_ptr<const PrefixTable> table;
    mutable std::string table_error;
    mutable std::optional<std::uint64_t> fingerprint;
    mutable std::optional<std::vector<Prefix>> checked_zones;
  };
  static const std::vector<SourceSpec> kNone;

  Storage& writable();

  std::shared_ptr<Storage> storage_;
};

}  // namespace driad::zones
