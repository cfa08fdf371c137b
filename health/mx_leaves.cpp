// Implements MxLeaves (mx_leaves.hpp): notification -> leaf state -> verdict.
#include "health/mx_leaves.hpp"

#include <utility>

#include "health/gnmi_path.hpp"
#include "health/gnmi_value.hpp"

namespace driad::health {
namespace {

// The elements of `path` from `from` on, printed ("" when none).
std::string tail_string(const gnmi::Path& path, int from) {
  gnmi::Path tail;
  for (int i = from; i < path.elem_size(); ++i) *tail.add_elem() = path.elem(i);
  return tail.elem_size() == 0 ? std::string() : path_to_string(tail);
}

std::string elem_string(const gnmi::Path& path, int at) {
  gnmi::Path one;
  *one.add_elem() = path.elem(at);
  return path_to_string(one);
}

}  // namespace

MxLeaves::MxLeaves(MxWatchedPaths paths) : paths_(std::move(paths)) {}

void MxLeaves::reset(bool keep_rate) {
  relay_status_.reset();
  anycast_present_ = false;
  ud_status_.reset();
  tunnel_leaf_.reset();
  subinterfaces_.clear();
  if (!keep_rate) {
    last_octets_.reset();
    last_octets_ns_ = 0;
    rate_bps_ = 0;
  }
}

int MxLeaves::apply(const gnmi::Notification& notification, Clock::time_point received) {
  int rejects = 0;
  for (const auto& update : notification.update()) {
    const gnmi::Path full = join_path(notification.prefix(), update.path());
    // JunOS's legacy `__timestamp__`-style leaves carry nothing we read.
    if (full.elem_size() > 0 && full.elem(full.elem_size() - 1).name().starts_with("__")) continue;
    apply_update(full, update.val(), notification.timestamp(), received, rejects);
  }
  for (const auto& deleted : notification.delete_()) {
    apply_delete(join_path(notification.prefix(), deleted));
  }
  return rejects;
}

void MxLeaves::apply_update(const gnmi::Path& path, const gnmi::TypedValue& value,
                            std::int64_t timestamp_ns, Clock::time_point received, int& rejects) {
  if (same_path(path, paths_.relay_status) || same_path(path, paths_.ud_status)) {
    auto text = value_text(value);
    if (!text) {
      ++rejects;
      return;
    }
    (same_path(path, paths_.relay_status) ? relay_status_ : ud_status_) = std::move(*text);
  } else if (same_path(path, paths_.anycast)) {
    anycast_present_ = true;
  } else if (same_path(path, paths_.out_octets)) {
    auto octets = value_uint(value);
    if (!octets) {
      ++rejects;
      return;
    }
    sample_octets(*octets, timestamp_ns, received);
  } else if (paths_.tunnels_is_leaf && same_path(path, paths_.tunnels)) {
    auto count = value_uint(value);
    if (!count) {
      ++rejects;
      return;
    }
    tunnel_leaf_ = count;
  } else if (!paths_.tunnels_is_leaf && path_starts_with(path, paths_.tunnels)) {
    const int depth = paths_.tunnels.elem_size();
    // A leaf directly in the container is not a list entry: not a tunnel.
    if (path.elem_size() > depth + 1 && path.elem(depth).key_size() > 0) {
      subinterfaces_[elem_string(path, depth)].insert(tail_string(path, depth + 1));
    }
  }
}

void MxLeaves::apply_delete(const gnmi::Path& path) {
  // A delete removes the node and everything below it.
  if (path_starts_with(paths_.relay_status, path)) relay_status_.reset();
  if (path_starts_with(paths_.ud_status, path)) ud_status_.reset();
  if (path_starts_with(paths_.anycast, path)) anycast_present_ = false;
  if (path_starts_with(paths_.out_octets, path)) last_octets_.reset();
  if (paths_.tunnels_is_leaf) {
    if (path_starts_with(paths_.tunnels, path)) tunnel_leaf_.reset();
    return;
  }
  if (path_starts_with(paths_.tunnels, path)) {
    subinterfaces_.clear();
    return;
  }
  const int depth = paths_.tunnels.elem_size();
  if (!path_starts_with(path, paths_.tunnels)) return;
  const auto entry = subinterfaces_.find(elem_string(path, depth));
  if (entry == subinterfaces_.end()) return;
  const std::string below = tail_string(path, depth + 1);
  if (below.empty()) {
    subinterfaces_.erase(entry);
    return;
  }
  auto& leaves = entry->second;
  for (auto it = leaves.begin(); it != leaves.end();) {
    const bool under = *it == below || it->starts_with(below + "/");
    it = under ? leaves.erase(it) : std::next(it);
  }
  if (leaves.empty()) subinterfaces_.erase(entry);
}

void MxLeaves::sample_octets(std::uint64_t octets, std::int64_t timestamp_ns,
                             Clock::time_point received) {
  // The target's own timestamps measure the interval best (no network
  // jitter); without them, local receive time will do.
  const std::int64_t now_ns =
      timestamp_ns > 0
          ? timestamp_ns
          : std::chrono::duration_cast<std::chrono::nanoseconds>(received.time_since_epoch())
                .count();
  if (last_octets_ && now_ns <= last_octets_ns_) return;  // out of order or repeated
  if (last_octets_ && octets >= *last_octets_) {
    const double seconds = static_cast<double>(now_ns - last_octets_ns_) / 1e9;
    rate_bps_ = static_cast<double>(octets - *last_octets_) * 8.0 / seconds;
  }
  // A counter that went down was reset (or wrapped): start a new baseline.
  last_octets_ = octets;
  last_octets_ns_ = now_ns;
}

MxVerdict MxLeaves::verdict() const {
  const auto leaf = [](const gnmi::Path& path) { return path_to_string(path); };
  if (!relay_status_) {
    return {policy::MxState::unhealthy,
            "relay interface oper-status not reported (" + leaf(paths_.relay_status) + ")"};
  }
  if (*relay_status_ != "UP") {
    return {policy::MxState::unhealthy, "relay interface oper-status " + *relay_status_ + " (" +
                                            leaf(paths_.relay_status) + ")"};
  }
  if (!anycast_present_) {
    return {policy::MxState::unhealthy, "anycast address absent (" + leaf(paths_.anycast) + ")"};
  }
  if (ud_status_ && *ud_status_ != "UP") {
    return {policy::MxState::unhealthy,
            "tunnel device oper-status " + *ud_status_ + " (" + leaf(paths_.ud_status) + ")"};
  }
  return {policy::MxState::healthy, ud_status_ ? "relay interface, anycast and tunnel device up"
                                               : "relay interface and anycast up; tunnel device "
                                                 "reports no oper-status (not required)"};
}

std::optional<std::uint64_t> MxLeaves::tunnels() const {
  if (paths_.tunnels_is_leaf) return tunnel_leaf_;
  return subinterfaces_.size();
}

}  // namespace driad::health
