// How a Snapshot goes from the control thread to the query threads.
//
// THE RULE. The control thread builds a complete Snapshot and calls
// SnapshotPublisher::publish(). Each query thread owns one SnapshotReader and
// calls current() once per batch of packets; the pointer it returns stays valid
// until that same thread's next current() call. A reader compares one atomic
// counter per call and takes the publisher's mutex only when the counter has
// moved (once per publish, never per query). A replaced snapshot is kept in the
// publisher's retired list and freed by reap() on the control thread once no
// reader holds it, so a query thread never pays for freeing a large snapshot.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "zones/snapshot.hpp"

namespace driad::zones {

class SnapshotPublisher {
 public:
  void publish(std::shared_ptr<const Snapshot> next);

  // The latest snapshot, for control-path readers (admin, reload diffing).
  std::shared_ptr<const Snapshot> latest() const;

  // Frees retired snapshots that no reader holds any more; returns how many
  // are still held. Control thread only.
  std::size_t reap();

 private:
  friend class SnapshotReader;
  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> current_;
  std::vector<std::shared_ptr<const Snapshot>> retired_;
  std::atomic<std::uint64_t> version_{0};
};

class SnapshotReader {
 public:
  explicit SnapshotReader(const SnapshotPublisher& publisher) : publisher_(publisher) {}

  // Valid until this thread's next call; null until the first publish.
  const Snapshot* current() noexcept {
    if (publisher_.version_.load(std::memory_order_acquire) != seen_version_) refresh();
    return local_.get();
  }

 private:
  void refresh() noexcept;

  const SnapshotPublisher& publisher_;
  std::shared_ptr<const Snapshot> local_;
  std::uint64_t seen_version_ = 0;
};

}  // namespace driad::zones
