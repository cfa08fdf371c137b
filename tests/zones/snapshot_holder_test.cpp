// SnapshotPublisher / SnapshotReader: readers see new generations, a replaced
// snapshot lives while a reader holds it and is freed by reap() once released,
// and concurrent readers never see generations go backwards.
#include "zones/snapshot_holder.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace driad::zones {
namespace {

std::shared_ptr<const Snapshot> snapshot(std::uint64_t generation) {
  SnapshotSpec spec;
  spec.generation = generation;
  auto built = Snapshot::build(spec);
  EXPECT_TRUE(built) << built.error();
  return built ? *built : nullptr;
}

TEST(SnapshotHolder, ReaderSeesNothingBeforeTheFirstPublish) {
  SnapshotPublisher publisher;
  SnapshotReader reader(publisher);
  EXPECT_EQ(reader.current(), nullptr);
  EXPECT_EQ(publisher.latest(), nullptr);
}

TEST(SnapshotHolder, ReaderSeesEachNewGeneration) {
  SnapshotPublisher publisher;
  SnapshotReader reader(publisher);
  publisher.publish(snapshot(1));
  ASSERT_NE(reader.current(), nullptr);
  EXPECT_EQ(reader.current()->generation(), 1U);
  publisher.publish(snapshot(2));
  ASSERT_NE(reader.current(), nullptr);
  EXPECT_EQ(reader.current()->generation(), 2U);
  EXPECT_EQ(publisher.latest()->generation(), 2U);
}

TEST(SnapshotHolder, SamePointerUntilSomethingIsPublished) {
  SnapshotPublisher publisher;
  SnapshotReader reader(publisher);
  publisher.publish(snapshot(1));
  const Snapshot* first = reader.current();
  EXPECT_EQ(reader.current(), first);
  EXPECT_EQ(first, publisher.latest().get());
}

TEST(SnapshotHolder, OldSnapshotLivesWhileHeldAndIsReapedAfterRelease) {
  SnapshotPublisher publisher;
  SnapshotReader reader(publisher);
  std::weak_ptr<const Snapshot> old_watch;
  {
    auto old = snapshot(1);
    old_watch = old;
    publisher.publish(std::move(old));
  }
  ASSERT_EQ(reader.current()->generation(), 1U);  // the reader now holds generation 1

  std::weak_ptr<const Snapshot> new_watch;
  {
    auto next = snapshot(2);
    new_watch = next;
    publisher.publish(std::move(next));  // publish reaps: generation 1 is still held
  }
  EXPECT_FALSE(old_watch.expired()) << "freed while a reader still holds it";
  EXPECT_EQ(publisher.reap(), 1U);
  EXPECT_FALSE(old_watch.expired());

  // The reader moves on; the publisher's reap frees generation 1.
  ASSERT_EQ(reader.current()->generation(), 2U);
  EXPECT_FALSE(old_watch.expired()) << "the reader must not free it on the query thread";
  EXPECT_EQ(publisher.reap(), 0U);
  EXPECT_TRUE(old_watch.expired());
  EXPECT_FALSE(new_watch.expired());
}

TEST(SnapshotHolder, UnheldSnapshotIsFreedByPublish) {
  SnapshotPublisher publisher;
  std::weak_ptr<const Snapshot> watch;
  {
    auto first = snapshot(1);
    watch = first;
    publisher.publish(std::move(first));
  }
  publisher.publish(snapshot(2));
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(publisher.reap(), 0U);
}

TEST(SnapshotHolder, ReadersRefreshIndependently) {
  SnapshotPublisher publisher;
  SnapshotReader a(publisher);
  SnapshotReader b(publisher);
  publisher.publish(snapshot(1));
  ASSERT_EQ(a.current()->generation(), 1U);
  ASSERT_EQ(b.current()->generation(), 1U);
  publisher.publish(snapshot(2));
  ASSERT_EQ(a.current()->generation(), 2U);
  EXPECT_EQ(publisher.reap(), 1U) << "b still holds generation 1";
  ASSERT_EQ(b.current()->generation(), 2U);
  EXPECT_EQ(publisher.reap(), 0U);
}

TEST(SnapshotHolder, ConcurrentReadersNeverSeeGenerationsGoBackwards) {
  constexpr std::uint64_t kPublishes = 200;
  SnapshotPublisher publisher;
  publisher.publish(snapshot(0));
  std::atomic<bool> done{false};
  std::atomic<int> started{0};
  std::atomic<int> failures{0};
  std::vector<std::uint64_t> last_seen(2, 0);
  std::vector<std::uint64_t> reads(2, 0);

  auto read_loop = [&](std::size_t index) {
    SnapshotReader reader(publisher);
    std::uint64_t previous = 0;
    // Bounded: ends at `done`, or after many reads should the publisher hang.
    for (std::uint64_t i = 0; i < 50'000'000 && !done.load(std::memory_order_acquire); ++i) {
      const Snapshot* s = reader.current();
      if (s == nullptr || s->generation() < previous) failures.fetch_add(1);
      if (s != nullptr) previous = s->generation();
      if (++reads[index] == 1) started.fetch_add(1);
    }
    const Snapshot* last = reader.current();  // after `done`: the final one
    if (last == nullptr || last->generation() < previous) failures.fetch_add(1);
    last_seen[index] = last != nullptr ? last->generation() : 0;
  };
  std::thread first(read_loop, 0);
  std::thread second(read_loop, 1);
  // Publish only once both readers are reading, so the two really overlap on
  // a loaded machine; bounded in case a thread never gets to run.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (started.load() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  for (std::uint64_t g = 1; g <= kPublishes; ++g) {
    publisher.publish(snapshot(g));
    if (g % 16 == 0) std::this_thread::yield();
  }
  done.store(true, std::memory_order_release);
  first.join();
  second.join();

  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(last_seen[0], kPublishes);
  EXPECT_EQ(last_seen[1], kPublishes);
  EXPECT_GT(reads[0], 0U);
  EXPECT_GT(reads[1], 0U);
  // With every reader gone, nothing retired is held.
  EXPECT_EQ(publisher.reap(), 0U);
  EXPECT_EQ(publisher.latest()->generation(), kPublishes);
}

}  // namespace
}  // namespace driad::zones
