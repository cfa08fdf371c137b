// What each query worker records about the queries it answers: counters by
// transport, QTYPE, RCODE and answer kind, a latency histogram, and (when
// sampling is on) a ring of sampled queries for the query log.
//
// THE RULE. A QueryRecorder belongs to one worker and only that worker's
// thread writes it: a counter is a relaxed load and a relaxed store of the
// owner's own value, never a locked read-modify-write, and no counter is
// shared between workers. Any thread may read the counters at any time
// (sum_into(): values may be a few queries behind). The query-log ring is
// single-producer (the worker) single-consumer (the control thread's drain).
// Nothing here allocates, locks or logs after construction.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <utility>

#include "dns/message.hpp"
#include "dns/name.hpp"
#include "dns/responder.hpp"

namespace driad::dns {

// A counter one thread writes and any thread reads.
class OwnedCounter {
 public:
  void add(std::uint64_t n = 1) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// QTYPEs a metric label names; everything else is `other`.
enum class QtypeBucket : std::uint8_t {
  amtrelay,
  soa,
  ns,
  any,
  txt,
  a,
  aaaa,
  ptr,
  axfr,
  ixfr,
  other
};
inline constexpr std::size_t kQtypeBuckets = 11;

// RCODEs a metric label names (BADVERS is the extended 16).
enum class RcodeBucket : std::uint8_t {
  noerror,
  formerr,
  servfail,
  nxdomain,
  notimp,
  refused,
  badvers,
  other
};
inline constexpr std::size_t kRcodeBuckets = 8;

inline constexpr std::size_t kTransports = 2;   // Transport::udp, Transport::tcp
inline constexpr std::size_t kAnswerKinds = 8;  // AnswerKind::dropped .. error
// Relay-set answers by (relay group, decision): counter 0 is "other", the
// rest the control path hands out (ResponseInfo::answer_counter). 16 KiB a
// worker.
inline constexpr std::size_t kAnswerCounters = 2048;

// Upper bounds of the latency histogram's buckets, in nanoseconds (the last,
// implicit bucket is +Inf). The time is from the moment a UDP batch was read
// (or a TCP read completed) to the moment its answers were handed to the
// kernel, so every query of a batch gets the batch's time.
inline constexpr std::array<std::uint64_t, 12> kLatencyBoundsNs = {
    1'000,   2'500,   5'000,     10'000,    25'000,     50'000,
    100'000, 250'000, 1'000'000, 2'500'000, 10'000'000, 100'000'000};
inline constexpr std::size_t kLatencyBuckets = kLatencyBoundsNs.size() + 1;

constexpr QtypeBucket qtype_bucket(std::uint16_t qtype) noexcept {
  switch (qtype) {
    case rr_type::amtrelay:
      return QtypeBucket::amtrelay;
    case rr_type::soa:
      return QtypeBucket::soa;
    case rr_type::ns:
      return QtypeBucket::ns;
    case rr_type::any:
      return QtypeBucket::any;
    case rr_type::txt:
      return QtypeBucket::txt;
    case 1:
      return QtypeBucket::a;
    case 28:
      return QtypeBucket::aaaa;
    case 12:
      return QtypeBucket::ptr;
    case rr_type::axfr:
      return QtypeBucket::axfr;
    case rr_type::ixfr:
      return QtypeBucket::ixfr;
    default:
      return QtypeBucket::other;
  }
}

constexpr RcodeBucket rcode_bucket(std::uint16_t rcode) noexcept {
  if (rcode <= rcode::refused) return static_cast<RcodeBucket>(rcode);
  return rcode == rcode::badvers ? RcodeBucket::badvers : RcodeBucket::other;
}

constexpr std::string_view to_string(QtypeBucket bucket) noexcept {
  constexpr std::string_view kNames[kQtypeBuckets] = {
      "AMTRELAY", "SOA", "NS", "ANY", "TXT", "A", "AAAA", "PTR", "AXFR", "IXFR", "other"};
  return kNames[static_cast<std::size_t>(bucket)];
}

constexpr std::string_view to_string(RcodeBucket bucket) noexcept {
  constexpr std::string_view kNames[kRcodeBuckets] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                                      "NOTIMP",  "REFUSED", "BADVERS",  "other"};
  return kNames[static_cast<std::size_t>(bucket)];
}

constexpr std::string_view to_string(AnswerKind kind) noexcept {
  constexpr std::string_view kNames[kAnswerKinds] = {"dropped",  "relay_set", "apex",  "nodata",
                                                     "nxdomain", "refused",   "chaos", "error"};
  return kNames[static_cast<std::size_t>(kind)];
}

constexpr std::string_view to_string(Transport transport) noexcept {
  return transport == Transport::udp ? "udp" : "tcp";
}

// The QTYPE of a query, 0 when the question cannot be read (the query was
// dropped or answered FORMERR). Question names are never compressed.
inline std::uint16_t query_type(std::span<const std::uint8_t> query) noexcept {
  if (query.size() < kHeaderSize || read16(&query[4]) == 0) return 0;
  std::size_t at = kHeaderSize;
  while (at < query.size()) {
    const std::uint8_t length = query[at];
    if (length == 0) {
      return at + 3 <= query.size() ? read16(&query[at + 1]) : 0;
    }
    if (length > kMaxLabelLength) return 0;
    at += 1 + std::size_t{length};
  }
  return 0;
}

// Every worker's counters summed; plain values for the control thread.
struct QueryTotals {
  using Latency = std::array<std::uint64_t, kLatencyBuckets>;
  // [transport][qtype][rcode]: every query read, answered or not.
  std::array<std::array<std::array<std::uint64_t, kRcodeBuckets>, kQtypeBuckets>, kTransports>
      queries{};
  std::array<std::array<std::uint64_t, kAnswerKinds>, kTransports> answers{};  // [transport][kind]
  std::array<std::uint64_t, kAnswerCounters> relay_set_answers{};              // [answer counter]
  std::array<Latency, kTransports> latency{};  // per bucket, not cumulative
  std::array<std::uint64_t, kTransports> latency_sum_ns{};
  std::uint64_t query_log_sampled = 0;
  std::uint64_t query_log_dropped = 0;  // sampled but the ring was full
  // UDP responses response rate limiting held back (rrl.hpp): not sent at
  // all, or sent truncated (slipped). The queries are counted above as usual.
  std::uint64_t rrl_dropped = 0;
  std::uint64_t rrl_slipped = 0;

  std::uint64_t total() const noexcept {
    std::uint64_t sum = 0;
    for (const auto& by_transport : answers)
      for (const std::uint64_t count : by_transport) sum += count;
    return sum;
  }
};

// One sampled query, as the query log prints it (at the time it is drained,
// within a tick of the query).
struct QueryLogEntry {
  ClientAddress client;
  Transport transport = Transport::udp;
  AnswerKind kind = AnswerKind::dropped;
  std::uint16_t rcode = 0;
  std::uint16_t qtype = 0;
  std::uint8_t qname_length = 0;  // wire octets in qname; 0: no question was read
  std::array<std::uint8_t, kMaxNameLength> qname{};
};

// A fixed ring, one producer and one consumer. push() never waits: a full
// ring drops the entry (the caller counts it).
class QueryLogRing {
 public:
  static constexpr std::size_t kSize = 256;

  bool push(const QueryLogEntry& entry) noexcept {
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    if (head - tail_.load(std::memory_order_acquire) >= kSize) return false;
    slots_[head % kSize] = entry;
    head_.store(head + 1, std::memory_order_release);
    return true;
  }

  // Hands every queued entry to `sink` (consumer thread only); how many.
  template <typename Sink>
  std::size_t drain(Sink&& sink) {
    const std::uint64_t head = head_.load(std::memory_order_acquire);
    std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    const auto count = static_cast<std::size_t>(head - tail);
    for (; tail != head; ++tail) {
      sink(slots_[tail % kSize]);
      tail_.store(tail + 1, std::memory_order_release);
    }
    return count;
  }

 private:
  std::array<QueryLogEntry, kSize> slots_{};
  alignas(64) std::atomic<std::uint64_t> head_{0};
  alignas(64) std::atomic<std::uint64_t> tail_{0};
};

// A worker's counters and query-log ring. Cache-line aligned so that two
// workers' blocks never share a line.
class alignas(64) QueryRecorder {
 public:
  // `sample`: log one query in this many; 0 logs none (no ring is made).
  explicit QueryRecorder(std::uint32_t sample = 0)
      : sample_(sample), ring_(sample != 0 ? std::make_unique<QueryLogRing>() : nullptr) {}

  // Counts one query read from `transport` and what respond() made of it.
  void record(Transport transport, std::span<const std::uint8_t> query, const ResponseInfo& info,
              const ClientAddress& client) noexcept {
    const auto t = static_cast<std::size_t>(transport);
    const std::uint16_t qtype = query_type(query);
    queries_[t][static_cast<std::size_t>(qtype_bucket(qtype))]
            [static_cast<std::size_t>(rcode_bucket(info.rcode))]
                .add();
    answers_[t][static_cast<std::size_t>(info.kind)].add();
    if (info.kind == AnswerKind::relay_set) {
      relay_set_answers_[info.answer_counter < kAnswerCounters ? info.answer_counter : 0].add();
    }
    if (sample_ != 0 && ++since_sample_ >= sample_) {
      since_sample_ = 0;
      sample(transport, query, qtype, info, client);
    }
  }

  // `queries` answered in `elapsed` (one UDP batch, one TCP read).
  void observe_latency(Transport transport, std::chrono::nanoseconds elapsed,
                       std::uint64_t queries) noexcept {
    if (queries == 0) return;
    const auto t = static_cast<std::size_t>(transport);
    const auto ns = static_cast<std::uint64_t>(elapsed.count() < 0 ? 0 : elapsed.count());
    std::size_t bucket = 0;
    while (bucket < kLatencyBoundsNs.size() && ns > kLatencyBoundsNs[bucket]) ++bucket;
    latency_[t][bucket].add(queries);
    latency_sum_ns_[t].add(ns * queries);
  }

  // Adds this recorder's counters to `totals`; any thread.
  void sum_into(QueryTotals& totals) const noexcept {
    for (std::size_t t = 0; t < kTransports; ++t) {
      for (std::size_t q = 0; q < kQtypeBuckets; ++q)
        for (std::size_t r = 0; r < kRcodeBuckets; ++r)
          totals.queries[t][q][r] += queries_[t][q][r].value();
      for (std::size_t k = 0; k < kAnswerKinds; ++k) totals.answers[t][k] += answers_[t][k].value();
      for (std::size_t b = 0; b < kLatencyBuckets; ++b)
        totals.latency[t][b] += latency_[t][b].value();
      totals.latency_sum_ns[t] += latency_sum_ns_[t].value();
    }
    totals.query_log_sampled += sampled_.value();
    totals.query_log_dropped += dropped_.value();
    totals.rrl_dropped += rrl_dropped_.value();
    totals.rrl_slipped += rrl_slipped_.value();
    for (std::size_t c = 0; c < kAnswerCounters; ++c)
      totals.relay_set_answers[c] += relay_set_answers_[c].value();
  }

  // A response rate limiting held back, after record() counted its query.
  void count_rrl_dropped() noexcept { rrl_dropped_.add(); }
  void count_rrl_slipped() noexcept { rrl_slipped_.add(); }

  // The control thread's side of the query log.
  template <typename Sink>
  std::size_t drain_log(Sink&& sink) {
    return ring_ ? ring_->drain(std::forward<Sink>(sink)) : 0;
  }

 private:
  void sample(Transport transport, std::span<const std::uint8_t> query, std::uint16_t qtype,
              const ResponseInfo& info, const ClientAddress& client) noexcept {
    QueryLogEntry entry;
    entry.client = client;
    entry.transport = transport;
    entry.kind = info.kind;
    entry.rcode = info.rcode;
    entry.qtype = qtype;
    if (qtype != 0) {
      // query_type() found the root octet, so the name lies within the query.
      std::size_t at = kHeaderSize;
      while (query[at] != 0) at += 1 + std::size_t{query[at]};
      const std::size_t length = at + 1 - kHeaderSize;
      if (length <= entry.qname.size()) {
        std::copy_n(&query[kHeaderSize], length, entry.qname.begin());
        entry.qname_length = static_cast<std::uint8_t>(length);
      }
    }
    sampled_.add();
    if (!ring_->push(entry)) dropped_.add();
  }

  using Counters = std::array<OwnedCounter, kRcodeBuckets>;
  std::array<std::array<Counters, kQtypeBuckets>, kTransports> queries_{};
  std::array<std::array<OwnedCounter, kAnswerKinds>, kTransports> answers_{};
  std::array<std::array<OwnedCounter, kLatencyBuckets>, kTransports> latency_{};
  std::array<OwnedCounter, kTransports> latency_sum_ns_{};
  OwnedCounter sampled_;
  OwnedCounter dropped_;
  std::array<OwnedCounter, kAnswerCounters> relay_set_answers_{};
  OwnedCounter rrl_dropped_;
  OwnedCounter rrl_slipped_;

  const std::uint32_t sample_;
  std::uint32_t since_sample_ = 0;
  std::unique_ptr<QueryLogRing> ring_;
};

}  // namespace driad::dns
