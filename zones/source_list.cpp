// The shared storage of a SourceList and what is derived from it once.
#include "zones/source_list.hpp"

#include <algorithm>

namespace driad::zones {

const std::vector<SourceSpec> SourceList::kNone;

SourceList::SourceList(std::initializer_list<SourceSpec> sources)
    : SourceList(std::vector<SourceSpec>(sources)) {}

SourceList::SourceList(std::vector<SourceSpec> sources) : storage_(std::make_shared<Storage>()) {
  storage_->sources = std::move(sources);
  for (const SourceSpec& source : storage_->sources) {
    storage_->group_bound = std::max(storage_->group_bound, source.group + 1);
  }
}

SourceList::Storage& SourceList::writable() {
  if (!storage_ || storage_.use_count() > 1) {
    auto own = std::make_shared<Storage>();
    if (storage_) {
      own->sources = storage_->sources;
      own->group_bound = storage_->group_bound;
    }
    storage_ = std::move(own);
  } else {
    // The only holder: what was derived from the old contents is dropped.
    storage_->table.reset();
    storage_->table_error.clear();
    storage_->fingerprint.reset();
    storage_->checked_zones.reset();
  }
  return *storage_;
}

void SourceList::push_back(const SourceSpec& source) {
  Storage& storage = writable();
  storage.sources.push_back(source);
  storage.group_bound = std::max(storage.group_bound, source.group + 1);
}

void SourceList::reserve(std::size_t count) {
  writable().sources.reserve(count);
}

void SourceList::clear() {
  Storage& storage = writable();
  storage.sources.clear();
  storage.group_bound = 0;
}

tl::expected<std::shared_ptr<const PrefixTable>, std::string> SourceList::table() const {
  if (!storage_) {
    static const auto kEmpty = std::make_shared<const PrefixTable>();
    return kEmpty;
  }
  const std::lock_guard lock(storage_->mutex);
  if (!storage_->table_error.empty()) return tl::make_unexpected(storage_->table_error);
  if (!storage_->table) {
    std::vector<PrefixTable::Entry> entries;
    entries.reserve(storage_->sources.size());
    for (const SourceSpec& source : storage_->sources)
      entries.push_back({source.prefix, source.group});
    auto built = PrefixTable::build(std::move(entries));
    if (!built) {
      storage_->table_error = built.error();
      return tl::make_unexpected(built.error());
    }
    storage_->table = std::make_shared<const PrefixTable>(std::move(*built));
  }
  return storage_->table;
}

std::uint64_t SourceList::fingerprint() const {
  std::uint64_t hash = 14695981039346656037ULL;
  if (!storage_) return hash;
  const std::lock_guard lock(storage_->mutex);
  if (storage_->fingerprint) return *storage_->fingerprint;
  const auto add = [&hash](const auto& value) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&value);
    for (std::size_t i = 0; i < sizeof value; ++i) hash = (hash ^ bytes[i]) * 1099511628211ULL;
  };
  for (const SourceSpec& source : storage_->sources) {
    add(source.prefix.family);
    add(source.prefix.address);
    add(source.prefix.length);
    add(source.group);
  }
  storage_->fingerprint = hash;
  return hash;
}

tl::expected<void, std::string> SourceList::check_inside(const std::vector<Prefix>& zones) const {
  if (!storage_) return {};
  const std::lock_guard lock(storage_->mutex);
  if (storage_->checked_zones == zones) return {};
  for (const SourceSpec& source : storage_->sources) {
    const bool inside = std::any_of(zones.begin(), zones.end(), [&](const Prefix& zone) {
      return zone.contains(source.prefix);
    });
    if (!inside) {
      return tl::make_unexpected("source " + to_string(source.prefix) + " lies outside every zone");
    }
  }
  storage_->checked_zones = zones;
  return {};
}

bool operator==(const SourceList& a, const SourceList& b) {
  if (a.shares(b)) return true;
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

}  // namespace driad::zones
