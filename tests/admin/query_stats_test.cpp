// The per-worker query counters (dns/query_stats.hpp): QTYPE read from the
// question, buckets for QTYPE, RCODE and answer kind, the latency histogram,
// relay-set answers by answer counter, the sampled query-log ring (drop on full, counted), and a
// reader summing while the owner writes.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "dns/query_stats.hpp"

namespace driad::dns {
namespace {

std::vector<std::uint8_t> query(std::uint16_t qtype) {
  // 12.100.51.198.in-addr.arpa.
  std::vector<std::uint8_t> q = {0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  for (const char* label : {"12", "100", "51", "198", "in-addr", "arpa"}) {
    q.push_back(static_cast<std::uint8_t>(std::strlen(label)));
    q.insert(q.end(), label, label + std::strlen(label));
  }
  q.push_back(0);
  q.push_back(static_cast<std::uint8_t>(qtype >> 8));
  q.push_back(static_cast<std::uint8_t>(qtype));
  q.push_back(0);
  q.push_back(1);
  return q;
}

ResponseInfo info(AnswerKind kind, std::uint16_t rcode) {
  return {100, kind, rcode, false};
}

TEST(QueryType, ReadsTheQuestion) {
  EXPECT_EQ(query_type(query(260)), 260);
  EXPECT_EQ(query_type(query(6)), 6);
  auto cut = query(260);
  cut.resize(cut.size() - 4);  // QTYPE's second octet missing
  EXPECT_EQ(query_type(cut), 0);
  auto no_question = query(260);
  no_question[5] = 0;  // QDCOUNT 0
  EXPECT_EQ(query_type(no_question), 0);
  auto pointer = query(260);
  pointer[12] = 0xc0;  // a compression pointer in the question
  EXPECT_EQ(query_type(pointer), 0);
  EXPECT_EQ(query_type(std::vector<std::uint8_t>(5, 0)), 0);
}

TEST(QueryType, Buckets) {
  EXPECT_EQ(qtype_bucket(260), QtypeBucket::amtrelay);
  EXPECT_EQ(qtype_bucket(99), QtypeBucket::other);
  EXPECT_EQ(to_string(QtypeBucket::amtrelay), "AMTRELAY");
  EXPECT_EQ(rcode_bucket(3), RcodeBucket::nxdomain);
  EXPECT_EQ(rcode_bucket(16), RcodeBucket::badvers);
  EXPECT_EQ(rcode_bucket(9), RcodeBucket::other);
  EXPECT_EQ(to_string(RcodeBucket::refused), "REFUSED");
  EXPECT_EQ(to_string(AnswerKind::relay_set), "relay_set");
  EXPECT_EQ(to_string(AnswerKind::error), "error");
}

TEST(QueryRecorder, CountsByTransportTypeRcodeAndKind) {
  QueryRecorder recorder;
  const ClientAddress client;
  for (int i = 0; i < 3; ++i)
    recorder.record(Transport::udp, query(260), info(AnswerKind::relay_set, 0), client);
  recorder.record(Transport::tcp, query(2), info(AnswerKind::nxdomain, 3), client);
  recorder.record(Transport::udp, std::vector<std::uint8_t>(3, 0), info(AnswerKind::dropped, 0),
                  client);
  QueryTotals totals;
  recorder.sum_into(totals);
  recorder.sum_into(totals);  // sums add up
  EXPECT_EQ(totals.queries[0][std::size_t(QtypeBucket::amtrelay)][0], 6U);
  EXPECT_EQ(totals.queries[1][std::size_t(QtypeBucket::ns)][std::size_t(RcodeBucket::nxdomain)],
            2U);
  EXPECT_EQ(totals.queries[0][std::size_t(QtypeBucket::other)][0], 2U);
  EXPECT_EQ(totals.answers[0][std::size_t(AnswerKind::relay_set)], 6U);
  EXPECT_EQ(totals.answers[0][std::size_t(AnswerKind::dropped)], 2U);
  EXPECT_EQ(totals.answers[1][std::size_t(AnswerKind::nxdomain)], 2U);
  EXPECT_EQ(totals.total(), 10U);
  EXPECT_EQ(totals.query_log_sampled, 0U);  // sampling is off by default
}

TEST(QueryRecorder, RelaySetAnswersCountByTheirAnswerCounter) {
  QueryRecorder recorder;
  const ClientAddress client;
  ResponseInfo served = info(AnswerKind::relay_set, 0);
  served.answer_counter = 7;
  recorder.record(Transport::udp, query(260), served, client);
  recorder.record(Transport::tcp, query(260), served, client);
  served.answer_counter = kAnswerCounters;  // out of range: "other"
  recorder.record(Transport::udp, query(260), served, client);
  ResponseInfo refused = info(AnswerKind::refused, 5);
  refused.answer_counter = 7;  // only relay sets count
  recorder.record(Transport::udp, query(260), refused, client);
  QueryTotals totals;
  recorder.sum_into(totals);
  EXPECT_EQ(totals.relay_set_answers[7], 2U);
  EXPECT_EQ(totals.relay_set_answers[0], 1U);
  std::uint64_t all = 0;
  for (const std::uint64_t count : totals.relay_set_answers) all += count;
  EXPECT_EQ(all, 3U);
}

TEST(QueryRecorder, LatencyLandsInItsBucket) {
  QueryRecorder recorder;
  recorder.observe_latency(Transport::udp, std::chrono::nanoseconds(900), 2);     // <= 1 us
  recorder.observe_latency(Transport::udp, std::chrono::nanoseconds(1'000), 1);   // <= 1 us
  recorder.observe_latency(Transport::udp, std::chrono::nanoseconds(30'000), 4);  // <= 50 us
  recorder.observe_latency(Transport::tcp, std::chrono::seconds(1), 1);           // +Inf
  recorder.observe_latency(Transport::tcp, std::chrono::nanoseconds(5), 0);       // nothing
  QueryTotals totals;
  recorder.sum_into(totals);
  EXPECT_EQ(totals.latency[0][0], 3U);
  EXPECT_EQ(totals.latency[0][5], 4U);
  EXPECT_EQ(totals.latency[1][kLatencyBuckets - 1], 1U);
  EXPECT_EQ(totals.latency_sum_ns[0], 2 * 900U + 1'000U + 4 * 30'000U);
  EXPECT_EQ(totals.latency_sum_ns[1], 1'000'000'000U);
}

TEST(QueryRecorder, SamplesOneInNAndDropsWhenFull) {
  QueryRecorder recorder(3);
  ClientAddress client{true, zones::Family::ipv4, 0x7f000001};
  for (int i = 0; i < 9; ++i) {
    recorder.record(Transport::udp, query(260), info(AnswerKind::relay_set, 0), client);
  }
  std::vector<QueryLogEntry> seen;
  EXPECT_EQ(recorder.drain_log([&](const QueryLogEntry& entry) { seen.push_back(entry); }), 3U);
  ASSERT_EQ(seen.size(), 3U);
  EXPECT_EQ(seen[0].qtype, 260);
  EXPECT_EQ(seen[0].client.address, 0x7f000001U);
  EXPECT_EQ(seen[0].qname_length, 28);  // 12.100.51.198.in-addr.arpa. in wire form
  EXPECT_EQ(seen[0].qname[0], 2);
  EXPECT_EQ(recorder.drain_log([](const QueryLogEntry&) {}), 0U);

  // A ring that nobody drains fills up; the rest are counted as dropped.
  const std::size_t queries = 3 * (QueryLogRing::kSize + 10);
  for (std::size_t i = 0; i < queries; ++i) {
    recorder.record(Transport::tcp, query(6), info(AnswerKind::apex, 0), client);
  }
  QueryTotals totals;
  recorder.sum_into(totals);
  EXPECT_EQ(totals.query_log_sampled, 3U + QueryLogRing::kSize + 10);
  EXPECT_EQ(totals.query_log_dropped, 10U);
  EXPECT_EQ(recorder.drain_log([](const QueryLogEntry&) {}), QueryLogRing::kSize);
}

TEST(QueryRecorder, AReaderMaySumWhileTheOwnerWrites) {
  QueryRecorder recorder(1);
  std::atomic<bool> done{false};
  constexpr int kQueries = 20000;
  std::thread owner([&] {
    const auto q = query(260);
    for (int i = 0; i < kQueries; ++i) {
      recorder.record(Transport::udp, q, info(AnswerKind::relay_set, 0), {});
    }
    done = true;
  });
  std::uint64_t last = 0;
  std::size_t logged = 0;
  while (!done.load()) {
    QueryTotals totals;
    recorder.sum_into(totals);
    EXPECT_GE(totals.total(), last);  // never goes backwards
    last = totals.total();
    logged += recorder.drain_log([](const QueryLogEntry& entry) { EXPECT_EQ(entry.qtype, 260); });
  }
  owner.join();
  logged += recorder.drain_log([](const QueryLogEntry&) {});
  QueryTotals totals;
  recorder.sum_into(totals);
  EXPECT_EQ(totals.total(), std::uint64_t{kQueries});
  EXPECT_EQ(logged + totals.query_log_dropped, std::uint64_t{kQueries});
}

}  // namespace
}  // namespace driad::dns
