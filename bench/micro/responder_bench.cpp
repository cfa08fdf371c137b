// The whole dns::respond() (dns/responder.hpp) for an AMTRELAY query over UDP
// without EDNS, on a snapshot of 10k and 1M sources: parse, zone, reverse
// labels, source LPM, copy of the prebuilt answer. The question names a random
// existing source each time, out of `names` distinct queries cycled: 65536
// reads the table the way live traffic does, 1 shows the cost with every
// cache warm.
#include <benchmark/benchmark.h>

#include <array>
#include <vector>

#include "bench/micro/workload.hpp"
#include "dns/responder.hpp"

namespace driad::bench {
namespace {

constexpr std::uint16_t kAmtrelay = 260;

void BM_RespondAmtrelay(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto distinct = static_cast<std::size_t>(state.range(1));
  auto snapshot = zones::Snapshot::build(snapshot_spec(n));
  if (!snapshot) {
    state.SkipWithError(snapshot.error().c_str());
    return;
  }
  std::vector<std::vector<std::uint8_t>> queries;
  queries.reserve(distinct);
  for (const std::size_t i : random_sources(n, distinct)) {
    queries.push_back(query(reverse_text(source_prefix(i, n)), kAmtrelay));
  }
  std::array<std::uint8_t, 4096> out{};
  std::size_t next = 0;
  std::size_t relay_sets = 0;
  for ([[maybe_unused]] auto _ : state) {
    const dns::ResponseInfo info =
        dns::respond(snapshot->get(), queries[next++ % queries.size()], out, dns::Transport::udp);
    relay_sets += info.kind == dns::AnswerKind::relay_set ? 1 : 0;
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  if (relay_sets != static_cast<std::size_t>(state.iterations())) {
    state.SkipWithError("a query was not answered with a relay set");
  }
}
BENCHMARK(BM_RespondAmtrelay)
    ->ArgNames({"prefixes", "names"})
    ->Args({10'000, kQueryCount})
    ->Args({1'000'000, kQueryCount})
    ->Args({1'000'000, 1});

}  // namespace
}  // namespace driad::bench
